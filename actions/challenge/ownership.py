"""Organisation ownership in the chat (rules in :mod:`db.org_access`; texts in
``ownership_texts.yml``).

Flow inside ``post_challenge_form``, at the organisation name::

    org_name typed ─▶ nobody owns it / the sender owns or joined it ─▶ go on (org_contact …)
          │
          └─ owned by someone else ─▶ say so, offer three ways; ``org_pending`` = the name
               ├─ an invite code (ABCD-2345)         ─▶ joined ─▶ org_name set, go on
               ├─ "寄驗證碼" / "e-mail me a code"     ─▶ code e-mailed (outbox) to h***@x.com
               ├─ the 6-digit e-mailed code          ─▶ joined ─▶ org_name set, go on
               ├─ "改用其他名稱" / "use another name"  ─▶ the name is asked again
               ├─ a question / command / "修改 …"     ─▶ the form's own rules (answered, re-asked)
               └─ anything else (a person's name…)   ─▶ not a new organisation: the choice re-asked

Wrong codes answer with the tries left, and too many (per user and per organisation, in the
database) stop checking until the window ends. Outside the form the owner says 「產生組織邀請碼」 /
"organisation invite code" (intent ``org_invite``) and gets a single-use code per organisation
they own (:class:`ActionOrgInvite`). The submission itself is checked again in
:func:`db.challenges.submit`, whatever the channel or page.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions._asked import classify_reply
from actions._forms import REQUESTED_SLOT, edit_target, lang_of, latest_text, user_id_for
from actions._texts import Texts
from actions._words import fold
from actions.challenge.store import FIELDS
from actions.context import TZ, turn_now, turn_session
from db import email_outbox, org_access
from db.invites import find_code
from db.models import Organisation

_TEXTS = Texts(Path(__file__).with_name("ownership_texts.yml"))
say = _TEXTS.say

PENDING_SLOT = "org_pending"
_SIX_DIGITS = re.compile(r"(?<!\d)(\d{3})[ -]?(\d{3})(?!\d)")


def _said_one_of(text: str, key: str) -> bool:
    """``text`` is one of the ``key`` phrases (either language, folded)."""
    folded = fold(text)
    return any(folded == fold(w) for lang in _TEXTS.data.values() for w in lang[key])


def _clock(at: datetime | None) -> str:
    return at.astimezone(TZ).strftime("%H:%M") if at else ""


def _buttons(lang: str, organisation: Organisation) -> list[dict[str, str]]:
    keys = ["button_email", "button_other"] if organisation.email else ["button_other"]
    return [{"title": say(lang, key), "payload": say(lang, key)} for key in keys]


def stranger_of(session: Session, name: str, user_id: int) -> Organisation | None:
    """The organisation ``name`` names when someone else owns it and ``user_id`` has not
    joined it; else None."""
    org = org_access.find(session=session, name=name)
    if org is None or org_access.may_post(session=session, organisation=org, user_id=user_id):
        return None
    return org


def owned_problem(session: Session, name: str, user_id: int, lang: str) -> str | None:
    """For pages (the web form): why ``user_id`` cannot use the organisation ``name`` and how
    to join it in the chat; None when they may."""
    org = stranger_of(session, name, user_id)
    if org is None:
        return None
    return say(
        lang, "web_owned", organisation=org.name, masked=org_access.mask_email(org.email or "")
    )


def refuse_stranger(
    dispatcher: CollectingDispatcher, tracker: Tracker, name: str
) -> dict[str, Any] | None:
    """When someone else owns the organisation ``name`` and the sender has not joined it: say
    so with the ways in, and return the slots (name empty, ``org_pending`` set); else None."""
    with turn_session() as session:
        org = stranger_of(session, name, user_id_for(tracker))
        if org is None:
            return None
        lang = lang_of(tracker)
        lines = [say(lang, "owned", organisation=org.name), say(lang, "option_invite")]
        if org.email:
            lines.append(say(lang, "option_email", masked=org_access.mask_email(org.email)))
        lines.append(say(lang, "option_other"))
        dispatcher.utter_message(text="\n".join(lines))
        return {"org_name": None, PENDING_SLOT: org.name}


def ask_pending(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Ask for the code of the pending organisation (with the buttons); False when none."""
    pending = tracker.get_slot(PENDING_SLOT)
    if not pending:
        return False
    with turn_session() as session:
        org = org_access.find(session=session, name=str(pending))
        if org is None:
            return False
        lang = lang_of(tracker)
        dispatcher.utter_message(
            text=say(lang, "ask_code", organisation=org.name), buttons=_buttons(lang, org)
        )
    return True


def join_step(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """The reply to the pending organisation's question: another-name / e-mail requests, codes
    and anything else that is no question or command (re-asked) are handled here (events
    returned); None for questions and commands (the form's rules)."""
    pending, text = tracker.get_slot(PENDING_SLOT), latest_text(tracker)
    if not pending or tracker.get_slot(REQUESTED_SLOT) != "org_name" or not text:
        return None
    if _said_one_of(text, "other_words"):  # the form asks the name again
        return [SlotSet(PENDING_SLOT, None), SlotSet(REQUESTED_SLOT, "org_name")]
    invite = find_code(text)
    digits = _SIX_DIGITS.search(text) if invite is None else None
    if not (invite or digits or _said_one_of(text, "email_words")):
        return None if _not_an_answer(tracker, text) else _not_a_code(dispatcher, tracker, text)
    lang = lang_of(tracker)
    with turn_session() as session:
        org = org_access.find(session=session, name=str(pending))
        if org is None:
            return [SlotSet(PENDING_SLOT, None)]
        user_id, now = user_id_for(tracker), turn_now(tracker)
        if invite is None and digits is None:
            dispatcher.utter_message(text=_mail_code(session, org, user_id, now, lang))
            return _ask_again()
        attempt = (
            org_access.redeem_invite(
                session=session, organisation=org, code=invite, user_id=user_id, now=now
            )
            if invite
            else org_access.verify_email_code(
                session=session, organisation=org, code=text, user_id=user_id, now=now
            )
        )
        if attempt.verdict in ("joined", "own"):
            dispatcher.utter_message(text=say(lang, "joined", organisation=org.name))
            return [SlotSet("org_name", org.name), SlotSet(PENDING_SLOT, None)]
        left = org_access.wrong_codes_left(
            session=session, organisation=org, user_id=user_id, now=now
        )
        values = {"left": left, "time": _clock(attempt.retry_at or org_access.window_end(now))}
        key = "limited" if attempt.verdict == "limited" or left == 0 else attempt.verdict
        dispatcher.utter_message(text=say(lang, "expired" if key == "used" else key, **values))
        return _ask_again()


def _ask_again() -> list[EventType]:
    """Ask the pending organisation's question again; the reply (which the name's slot mapping
    may have taken) is not the organisation's name."""
    return [SlotSet("org_name", None), SlotSet(REQUESTED_SLOT, "org_name")]


def _not_an_answer(tracker: Tracker, text: str) -> bool:
    """A question, a command ("取消", "我的狀態") or an edit: the form's own rules handle it."""
    intent = (tracker.latest_message or {}).get("intent") or {}
    kind = classify_reply(
        text, intent.get("name"), float(intent.get("confidence") or 0.0), free_text=True
    )
    return kind != "value" or edit_target(text, FIELDS) is not None


def _not_a_code(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> list[EventType]:
    """Neither a code nor a choice ("研发部 李經理", a colleague's name): not taken as another
    organisation; said so, and the choice asked again (:func:`ask_pending`)."""
    dispatcher.utter_message(text=say(lang_of(tracker), "not_a_code", value=text))
    return _ask_again()


def _mail_code(session: Session, org: Organisation, user_id: int, now: datetime, lang: str) -> str:
    """E-mail a fresh code to the organisation's registered address; the reply to the user."""
    mailed = org_access.request_email_code(
        session=session, organisation=org, user_id=user_id, now=now
    )
    masked = org_access.mask_email(mailed.address or "")
    if mailed.reason == "no_email":
        return say(lang, "mail_none")
    if mailed.reason == "too_many":
        return say(lang, "mail_too_many", masked=masked, time=_clock(mailed.retry_at))
    if mailed.code is None or mailed.address is None:  # "own": already in
        return say(lang, "joined", organisation=org.name)
    minutes = int(org_access.EMAIL_CODE_TTL.total_seconds() // 60)
    values = {"organisation": org.name, "code": mailed.code, "minutes": minutes}
    email_outbox.enqueue(
        session=session, key=f"org-code:{mailed.code_id}", to_address=mailed.address,
        subject=say(lang, "mail_subject", **values), body=say(lang, "mail_body", **values),
        now=now,
    )  # fmt: skip
    return say(lang, "mail_sent", masked=masked, minutes=minutes)


class ActionOrgInvite(Action):
    """「產生組織邀請碼」: a fresh single-use code for each organisation the sender owns."""

    def name(self) -> str:
        """``action_org_invite``."""
        return "action_org_invite"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Say the codes (or that the sender owns no organisation)."""
        lang, now = lang_of(tracker), turn_now(tracker)
        hours = int(org_access.INVITE_TTL.total_seconds() // 3600)
        with turn_session() as session:
            user_id = user_id_for(tracker)
            lines = []
            for org in org_access.owned_by(session=session, user_id=user_id):
                code = org_access.issue_invite(
                    session=session, organisation=org, user_id=user_id, now=now
                )
                lines.append(
                    say(lang, "invite_issued", organisation=org.name, code=code, hours=hours)
                )
        dispatcher.utter_message(text="\n".join(lines) if lines else say(lang, "invite_none"))
        return []


class ActionAskOrgName(Action):
    """The organisation name question, or the code question while one is being joined."""

    def name(self) -> str:
        """``action_ask_org_name``."""
        return "action_ask_org_name"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """``utter_ask_org_name`` unless :func:`ask_pending` asked for a code."""
        if not ask_pending(dispatcher, tracker):
            dispatcher.utter_message(response="utter_ask_org_name")
        return []
