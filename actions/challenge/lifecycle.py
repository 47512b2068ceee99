"""An organisation edits or withdraws a challenge it submitted (``edit_challenge``,
``withdraw_challenge``), as the lifecycle allows (:mod:`db.challenge_states`: both until listed).

- ``action_edit_challenge`` re-opens ``post_challenge_form`` on the challenge, every field filled
  with its values (skipped optional fields as skipped), so the form shows the full summary at once;
  "修改 <field>" changes a field and the summary and 確認送出 come again. While editing
  (slot ``challenge_editing``) nothing is saved turn by turn: the challenge under review changes
  only on 確認送出 (``action_submit_challenge`` → :func:`save_edit`), a returned one is submitted
  again (back to review), a submitted one stays in review. Its organisation can't change then.
- ``action_withdraw_challenge`` is a :class:`actions.confirm.ConfirmedAction`: it always asks
  first (or comes from the bot's own 是 button); teams that had applied are told through the
  outbox (:func:`db.notices.notify`) and their applications go with it.

Only challenges the sender created (or of an organisation the sender created) are offered; a
reference typed or pressed is resolved among those, several are offered as buttons.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

import knowledge
from actions._forms import REQUESTED_SLOT, SKIPPED, edit_target, lang_of, say, user_id_for
from actions.challenge.store import (
    FIELDS,
    OPTIONAL,
    SUMMARY_SLOT,
    challenge_slots,
    field_label,
    save_draft_from_slots,
)
from actions.confirm import Ask, ConfirmedAction, Request, button
from actions.context import turn_now, turn_session
from db import challenges as repo
from db import notices
from db.challenge_states import Action as Transition
from db.challenge_states import allowed
from db.models import Challenge
from db.users import chat_language

FORM = "post_challenge_form"
DRAFT_SLOT = "challenge_draft_id"
EDITING_SLOT = "challenge_editing"
_REFERENCE = re.compile(r"AIGO\s*[-_ ]?\s*(\d{3})\s*[-_ ]?\s*(\d{4})", re.IGNORECASE)
MAX_BUTTONS = 10


def typed_reference(text: str, entity: str | None) -> str | None:
    """The challenge reference of an entity / button value, else one typed in ``text``."""
    if entity:
        return entity.strip().upper()
    found = _REFERENCE.search(text)
    return f"AIGO-{found.group(1)}-{found.group(2)}" if found else None


def owned(session: Session, user_id: int) -> list[Challenge]:
    """The user's challenges that have a reference (submitted at least once), newest first."""
    return [c for c in repo.challenges_of_user(session=session, user_id=user_id) if c.reference]


def _contact(lang: str) -> str:
    """The programme office's e-mail and phone, written out (QA #37: not 「輸入聯絡方式可查詢」)."""
    c = knowledge.load().contacts
    return say(lang, "office_contact", email=c.email, phone=c.phone, ext=c.phone_extension)


def _line(challenge: Challenge, lang: str) -> dict[str, str]:
    status = say(lang, f"status_{challenge.status}")
    return {"reference": str(challenge.reference), "title": challenge.title or "-",
            "status": status, "contact": _contact(lang)}  # fmt: skip


def resolve(
    dispatcher: CollectingDispatcher,
    mine: list[Challenge],
    wanted: str | None,
    transition: Transition,
    lang: str,
) -> Challenge | list[Challenge] | None:
    """The one challenge meant (named, or the only one ``transition`` is allowed for), the
    candidates when several are (the caller offers them), or None after saying why not."""
    if wanted:
        named = next((c for c in mine if c.reference == wanted), None)
        if named is None:
            dispatcher.utter_message(text=say(lang, "ch_not_found", reference=wanted))
        elif not allowed(named.status, transition):
            key = "ch_listed" if named.status == "listed" else "ch_not_open"
            dispatcher.utter_message(text=say(lang, f"{key}_{transition}", **_line(named, lang)))
        return named if named is not None and allowed(named.status, transition) else None
    candidates = [c for c in mine if allowed(c.status, transition)]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        key = "ch_none_listed" if any(c.status == "listed" for c in mine) else "ch_none"
        dispatcher.utter_message(text=say(lang, f"{key}_{transition}", contact=_contact(lang)))
        return None
    return candidates[:MAX_BUTTONS]


class ActionEditChallenge(Action):
    """``edit_challenge``: re-open the form on one of the sender's challenges (module docstring)."""

    def name(self) -> str:
        """``action_edit_challenge``."""
        return "action_edit_challenge"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Open the form with the challenge's values, offer the candidates, or say why not."""
        lang = lang_of(tracker)
        entity = next(tracker.get_latest_entity_values("challenge_ref"), None)
        text = str((tracker.latest_message or {}).get("text") or "")
        wanted = typed_reference(text, str(entity) if entity else None)
        with turn_session() as session:
            user_id = user_id_for(tracker)
            mine = owned(session, user_id)
            draft = _draft_title(session, tracker, user_id)
            open_ones = [c for c in mine if allowed(c.status, "edit")]
            if draft is not None and not wanted and not open_ones:  # a draft: resume it
                return [FollowupAction("action_start_challenge"), FollowupAction(FORM)]
            found = resolve(dispatcher, mine, wanted, "edit", lang)
            if draft is not None and not wanted and not isinstance(found, list):
                found = open_ones  # a draft and one submitted challenge: ask which
            if isinstance(found, list):
                self._pick(dispatcher, found, draft, lang)
                return []
            if found is None:
                return []
            return self._open(dispatcher, found, named_field(text), lang)

    def _pick(
        self,
        dispatcher: CollectingDispatcher,
        found: list[Challenge],
        draft: str | None,
        lang: str,
    ) -> None:
        buttons = [
            {"title": say(lang, "ch_button", **_line(c, lang))[:60],
             "payload": f'/edit_challenge{{"challenge_ref": "{c.reference}"}}'}
            for c in found
        ]  # fmt: skip
        if draft is not None:
            title = say(lang, "ch_draft_button", title=draft or "-")[:60]
            buttons.append({"title": title, "payload": "/post_challenge"})
        dispatcher.utter_message(text=say(lang, "ch_pick_edit"), buttons=buttons)

    def _open(
        self, dispatcher: CollectingDispatcher, challenge: Challenge, field: str | None, lang: str
    ) -> list[EventType]:
        values = challenge_slots(challenge)
        values = {k: SKIPPED if v is None and k in OPTIONAL else v for k, v in values.items()}
        lines = [say(lang, "ch_edit_start", **_line(challenge, lang))]
        if challenge.status == "returned" and challenge.review_note:
            lines.append(say(lang, "ch_returned_reason", reason=challenge.review_note))
        if field is not None:  # "修改 email": that field is asked first
            values[field] = None
            label = field_label(knowledge.load(), field, lang)
            lines.append(say(lang, "edit_field", field=label))
        dispatcher.utter_message(text="\n".join(lines))
        return [
            *(SlotSet(slot, value) for slot, value in values.items()),
            SlotSet("challenge_confirm", None),
            SlotSet(SUMMARY_SLOT, None),
            SlotSet(EDITING_SLOT, True),
            SlotSet(REQUESTED_SLOT, None),  # the form asks the first empty field: ``field``, if any
            FollowupAction(FORM),
        ]


def _draft_title(session: Session, tracker: Tracker, user_id: int) -> str | None:
    """The title of the draft the user has (in the form's slots or saved), else None."""
    if not editing(tracker) and any(tracker.get_slot(s) is not None for s in FIELDS):
        return str(tracker.get_slot("challenge_title") or tracker.get_slot("org_name") or "")
    draft = repo.latest_draft(session=session, user_id=user_id)
    return None if draft is None else str(draft.title or draft.organisation.name or "")


_TITLE_WORDS = re.compile(r"題目名稱|题目名称|標題|标题|title", re.IGNORECASE)


def named_field(text: str) -> str | None:
    """The form field an edit request names ("修改 email", "change the description"); the bare
    word 題目 ("修改題目") names the challenge, not its title field."""
    target = edit_target(_REFERENCE.sub(" ", text).strip(), FIELDS)
    if target == "challenge_title" and not _TITLE_WORDS.search(text):
        return None
    return target


def clear_edit() -> list[EventType]:
    """Slot events that end an edit (or a draft) held in the form's slots."""
    slots = (*FIELDS, DRAFT_SLOT, "challenge_confirm", EDITING_SLOT, SUMMARY_SLOT)
    return [SlotSet(s, None) for s in slots]


def editing(tracker: Tracker) -> bool:
    """True while the form holds an edit of a submitted or returned challenge."""
    return bool(tracker.get_slot(EDITING_SLOT)) and bool(tracker.get_slot(DRAFT_SLOT))


def original_organisation(session: Session, tracker: Tracker) -> str | None:
    """The organisation name of the challenge being edited (None when not editing)."""
    if not editing(tracker):
        return None
    challenge = repo.get_challenge(session=session, challenge_id=int(tracker.get_slot(DRAFT_SLOT)))
    return challenge.organisation.name if challenge is not None else None


def save_edit(
    session: Session, tracker: Tracker, slots: dict[str, Any], programme: knowledge.Programme
) -> tuple[str, dict[str, str]]:
    """Save the confirmed edit (see the module docstring); return the reply key and its values.

    A challenge that left the editable states meanwhile (listed by the organisers) is not changed.
    Raises :class:`db.challenges.LimitReached` when a returned challenge can't be submitted again.
    """
    lang, user_id = lang_of(tracker), user_id_for(tracker)
    challenge = repo.get_challenge(session=session, challenge_id=int(slots[DRAFT_SLOT]))
    mine = {c.id for c in owned(session, user_id)}
    if challenge is None or challenge.id not in mine:
        return "ch_edit_gone", {}
    if not allowed(challenge.status, "edit"):
        return "ch_edit_too_late", _line(challenge, lang)
    was, at = challenge.status, turn_now(tracker)
    save_draft_from_slots(session, challenge.created_by_user_id or user_id, slots, at, challenge.id)
    if was == "returned":
        limit = programme.challenge_posting.max_per_organisation
        repo.submit(session=session, challenge=challenge, limit=limit, now=at)
        return "ch_edit_resubmitted", _line(challenge, lang)
    return "ch_edit_saved", _line(challenge, lang)


class ActionWithdrawChallenge(ConfirmedAction):
    """``withdraw_challenge``: the organisation withdraws a submitted or returned challenge."""

    intent, arg_names = "withdraw_challenge", ("challenge_ref",)

    def name(self) -> str:
        """``action_withdraw_challenge``."""
        return "action_withdraw_challenge"

    def prepare(self, req: Request) -> Ask | None:
        """The challenge named, the only one, or a picker; refusals say why."""
        mine = owned(req.session, user_id_for(req.tracker))
        wanted = typed_reference(req.text, req.args.get("challenge_ref"))
        found = resolve(req.dispatcher, mine, wanted, "withdraw", req.lang)
        if isinstance(found, list):
            buttons = [
                button(req, self.intent, {"challenge_ref": str(c.reference)},
                       say(req.lang, "ch_button", **_line(c, req.lang))[:60])
                for c in found
            ]  # fmt: skip
            req.dispatcher.utter_message(text=say(req.lang, "ch_pick_withdraw"), buttons=buttons)
            return None
        if found is None:
            return None
        max_per = knowledge.load().challenge_posting.max_per_organisation
        question = say(req.lang, "ch_confirm_withdraw", max=max_per, **_line(found, req.lang))
        return Ask(question, {"challenge_ref": str(found.reference)})

    def perform(self, req: Request, args: dict[str, str]) -> list[EventType]:
        """Withdraw, tell the teams that had applied, end an edit of it in progress."""
        reference = args["challenge_ref"]
        mine = owned(req.session, user_id_for(req.tracker))
        challenge = next((c for c in mine if c.reference == reference), None)
        if challenge is None or not allowed(challenge.status, "withdraw"):
            req.dispatcher.utter_message(text=say(req.lang, "ch_not_found", reference=reference))
            return []
        told = repo.withdraw(session=req.session, challenge=challenge, now=req.now)
        values = _line(challenge, req.lang)
        for team, members in told:
            for user_id in members:
                lang = chat_language(session=req.session, user_id=user_id) or "zh-TW"
                text = say(lang, "ch_notice_withdrawn", team=team, **_line(challenge, lang))
                notices.notify(session=req.session, user_id=user_id, text=text,
                               kind="challenge_withdrawn", now=req.now)  # fmt: skip
        lines = [say(req.lang, "ch_withdrawn", **values)]
        if told:
            lines.append(say(req.lang, "ch_withdrawn_teams", count=len(told)))
        req.dispatcher.utter_message(text="\n".join(lines))
        if str(req.tracker.get_slot(DRAFT_SLOT) or "") != str(challenge.id):
            return []
        if req.tracker.active_loop_name == FORM:  # withdrawn while editing it: the edit ends
            return [*clear_edit(), ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]
        return clear_edit()
