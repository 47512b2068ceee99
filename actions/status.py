"""``my_status`` and the team leader's actions (members, remove, invite codes, apply).

``action_my_status`` without a ``team_action`` entity shows the user's team (role, members,
invite code for the leader, applications, composition advice) and the challenges of their
organisation (with a draft: the 「用網頁填寫」 link to finish it on the web form; a returned one
with the organisers' reason, and asked why it was returned, 「為什麼被退回」, the reasons lead);
leaders get buttons whose payloads are ``/my_status{"team_action": …}``:

=================  ====================================================================
team_action        effect
=================  ====================================================================
members            list the members
remove             ``action_remove_member`` (asks 是/否 unless the button was issued)
invite / revoke    issue a fresh code (old ones revoked) / revoke the live code
apply              with ``challenge_ref``: apply now; else ``apply_challenge_form`` asks
=================  ====================================================================
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

import knowledge
from actions._forms import lang_of, latest_text, say, user_id_for, utter_web_page
from actions._texts import Texts
from actions._words import fold
from actions.challenge.form import offer_web_form
from actions.challenge.store import limit_lines
from actions.confirm import pending
from actions.context import turn_now, turn_session
from actions.reminders import status_line, status_line_if_any
from actions.team import logic as tl
from actions.team.apply import apply_to
from actions.team.browse import none_listed
from actions.team.browse import say as browse_say
from db import catalogue, invites, org_access
from db import challenges as challenge_repo
from db import teams as repo
from db.models import Challenge, Membership

_REFERENCE = re.compile(r"AIGO-\d{3}-\d{4}", re.IGNORECASE)
_STATUS_TEXTS = Texts(Path(__file__).with_name("status_texts.yml"))


def _payload(**entities: str) -> str:
    return "/my_status" + json.dumps(entities, ensure_ascii=False)


def _entity(tracker: Tracker, name: str) -> str | None:
    value = next(tracker.get_latest_entity_values(name), None)
    return str(value) if value is not None else None


def _leader_buttons(lang: str, others: bool, applied: bool, code: bool) -> list[dict[str, str]]:
    """The leader's buttons; 撤銷邀請碼 only while there is a live code (QA #37)."""
    actions = ("members", "apply", "invite", "revoke")
    keys = ("button_members", "button_apply", "button_new_invite", "button_revoke")
    buttons = [
        {"title": say(lang, key), "payload": _payload(team_action=action)}
        for action, key in zip(actions, keys, strict=True)
        if code or action != "revoke"
    ]
    # the team lifecycle (actions/team/lifecycle.py): each asks 是/否 before it changes anything
    lifecycle = [("button_remove", "/remove_member"), ("button_transfer", "/transfer_leadership")]
    lifecycle = lifecycle if others else []
    if applied:
        lifecycle.append(("button_withdraw_application", "/withdraw_application"))
    else:
        lifecycle.append(("button_dissolve", "/dissolve_team"))
    return [*buttons, *({"title": say(lang, k), "payload": p} for k, p in lifecycle)]


def _member_buttons(lang: str) -> list[dict[str, str]]:
    """A member (not the leader) may leave; that asks 是/否 first (``action_leave_team``)."""
    return [
        {"title": say(lang, "button_members"), "payload": _payload(team_action="members")},
        {"title": say(lang, "button_leave"), "payload": "/leave_team"},
    ]


def _team_block(session: Session, membership: Membership, lang: str, now: Any) -> list[str]:
    team = membership.team
    members = repo.members(session=session, team_id=team.id)
    lines = [
        say(
            lang,
            "status_team",
            team=team.name,
            role=say(lang, f"role_{membership.role}"),
            members="\n".join(tl.member_lines(members, lang)),
        )
    ]
    if membership.role == "leader":
        invite = invites.live_invite(session=session, team_id=team.id, now=now)
        lines.append(
            say(
                lang,
                "status_invite",
                code=invites.format_code(invite.code),
                expires=tl.format_day(invite.expires_at, lang),
            )
            if invite
            else say(lang, "status_no_invite")
        )
    applied = repo.applications(session=session, team_id=team.id)
    entries = [
        say(lang, "application_line", reference=c.reference, title=c.title) for _, c in applied
    ]
    text = say(lang, "status_applications", lines="\n".join(entries))
    lines.append(text if entries else say(lang, "status_no_applications"))
    advice = tl.composition_advice(knowledge.load(), members, lang)
    return [*lines, *([advice] if advice else [])]


_ASKS_REMINDERS = re.compile(r"提醒|訂閱|订阅|通知|remind|subscri|notif", re.IGNORECASE)
_ASKS_APPLICATIONS = re.compile(r"申請|隊伍|團隊|appl(y|ied|ications?)|teams?\b", re.IGNORECASE)


def _incoming_block(session: Session, user_id: int, text: str, lang: str) -> str | None:
    """The teams that applied to each challenge of the user's organisations (owner or member),
    when any did or the message asks about applications; None otherwise."""
    incoming = org_access.applications_to(session=session, user_id=user_id)
    if not incoming or not (any(a for _, a in incoming) or _ASKS_APPLICATIONS.search(text)):
        return None
    lines = [say(lang, "status_incoming")]
    for challenge, applied in incoming:
        teams = say(lang, "incoming_sep").join(
            say(lang, "incoming_team", team=team.name, status=_status_label(a.status, lang))
            for team, a in applied
        )
        lines.append(
            say(
                lang,
                "incoming_challenge",
                reference=challenge.reference,
                title=challenge.title,
                teams=teams or say(lang, "incoming_none"),
            )
        )
    return "\n".join(lines)


def _asks_why_returned(text: str) -> bool:
    return bool(re.search(_STATUS_TEXTS.data["why_words"], fold(text)))


def _reason(challenge: Challenge, lang: str) -> str:
    """Why a returned challenge was returned, and how to resubmit it."""
    c = knowledge.load().contacts
    key = "returned_reason" if challenge.review_note else "returned_no_reason"
    return _STATUS_TEXTS.say(
        lang, key, reason=challenge.review_note or "", reference=challenge.reference or "",
        email=c.email, phone=c.phone, ext=c.phone_extension,
    )  # fmt: skip


def _challenge_lines(owned: list[Challenge], lang: str) -> list[str]:
    """One line per challenge; a returned one is followed by its reason (QA #18)."""
    lines: list[str] = []
    for challenge, line in zip(owned, limit_lines(owned, lang), strict=True):
        lines.append(line)
        if challenge.status == "returned":
            lines.append(_reason(challenge, lang))
    return lines


def _why_returned(owned: list[Challenge], lang: str) -> str:
    returned = [c for c in owned if c.status == "returned"]
    if not returned:
        return _STATUS_TEXTS.say(lang, "why_none_returned")
    return "\n".join(
        [_STATUS_TEXTS.say(lang, "why_returned_head"), *_challenge_lines(returned, lang)]
    )


def _status_label(status: str, lang: str) -> str:
    try:
        return say(lang, f"application_status_{status}")
    except KeyError:
        return status


class ActionMyStatus(Action):
    """See the module docstring."""

    def name(self) -> str:
        """``action_my_status``."""
        return "action_my_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Show the status, or carry out a leader's button."""
        lang, now = lang_of(tracker), turn_now(tracker)
        action = _entity(tracker, "team_action")
        reference = _entity(tracker, "challenge_ref")
        if reference and not action:
            action = "apply"
        with turn_session() as session:
            user_id = user_id_for(tracker)
            membership = repo.membership_of(session=session, user_id=user_id)
            if action is None:
                text = latest_text(tracker)
                waiting = pending(tracker) is not None
                return self._status(
                    dispatcher, session, membership, user_id, lang, now, text, waiting
                )
            if membership is None:
                dispatcher.utter_message(text=say(lang, "not_in_team"))
                return []
            if action == "members":
                members = repo.members(session=session, team_id=membership.team_id)
                dispatcher.utter_message(text="\n".join(tl.member_lines(members, lang)))
                return []
            if membership.role != "leader":
                dispatcher.utter_message(text=say(lang, "leader_only"))
                return []
            if action == "remove":  # confirmed by actions/team/lifecycle.py
                return [FollowupAction("action_remove_member")]
            if action == "apply":
                if reference:
                    text = apply_to(session, membership, reference, lang, now)
                    dispatcher.utter_message(text=text)
                    return []
                if not catalogue.open_challenges(session=session):
                    dispatcher.utter_message(text=none_listed(lang, knowledge.load()))
                    return []
                return [SlotSet("challenge_ref", None), FollowupAction("apply_challenge_form")]
            return self._leader(dispatcher, session, membership, action, tracker, lang, now)

    def _status(
        self,
        dispatcher: CollectingDispatcher,
        session: Session,
        membership: Membership | None,
        user_id: int,
        lang: str,
        now: Any,
        text: str = "",
        waiting: bool = False,
    ) -> list[EventType]:
        lines: list[str] = []
        buttons: list[dict[str, str]] = []
        if membership is not None:
            lines += _team_block(session, membership, lang, now)
            buttons = _member_buttons(lang)
            if membership.role == "leader":
                team_id = membership.team_id
                others = len(repo.members(session=session, team_id=team_id)) > 1
                applied = bool(repo.applications(session=session, team_id=team_id))
                code = invites.live_invite(session=session, team_id=team_id, now=now) is not None
                buttons = _leader_buttons(lang, others, applied, code)
            if waiting:  # 是/否 is asked again below: no second action beside it (QA #37)
                buttons = [b for b in buttons if b["payload"].startswith("/my_status")]
        owned = challenge_repo.challenges_of_user(session=session, user_id=user_id)
        if _asks_why_returned(text):  # 「為什麼被退回」: the reasons first
            lines.append(_why_returned(owned, lang))
        if owned:
            shown = "\n".join(_challenge_lines(owned, lang))
            lines.append(say(lang, "status_challenges", lines=shown))
        incoming = _incoming_block(session, user_id, text, lang)
        if incoming:  # "有哪些隊伍申請我們的題目"
            lines.append(incoming)
        if not lines:  # no team and no challenge: say so even when a reminders line follows
            lines.append(say(lang, "status_none"))
        reminders = status_line_if_any(session=session, user_id=user_id, lang=lang)
        if reminders is None and _ASKS_REMINDERS.search(text):  # "am I subscribed?"
            reminders = status_line(session=session, user_id=user_id, lang=lang)
        if reminders:
            lines.append(reminders)
        dispatcher.utter_message(text="\n".join(lines), buttons=buttons)
        if membership is not None:
            utter_web_page(
                dispatcher, lang, purpose="team", intro="team_page_intro", title="team_page_title"
            )
        if any(c.status == "draft" for c in owned):  # the draft can be finished on the web
            offer_web_form(dispatcher, lang)
        return []

    def _leader(
        self,
        dispatcher: CollectingDispatcher,
        session: Session,
        membership: Membership,
        action: str,
        tracker: Tracker,
        lang: str,
        now: Any,
    ) -> list[EventType]:
        team = membership.team
        if action == "invite":
            invite = invites.issue_invite(session=session, team=team, now=now)
            code, expires = invites.format_code(invite.code), tl.format_day(invite.expires_at, lang)
            dispatcher.utter_message(text=say(lang, "invite_issued", code=code, expires=expires))
        elif action == "revoke":
            invites.revoke_invites(session=session, team_id=team.id, now=now)
            dispatcher.utter_message(text=say(lang, "invites_revoked"))
        return []


class ValidateApplyChallengeForm(FormValidationAction):
    """``apply_challenge_form``: a submitted challenge's reference, typed or picked."""

    def name(self) -> str:
        """``validate_apply_challenge_form``."""
        return "validate_apply_challenge_form"

    async def extract_challenge_ref(
        self, d: CollectingDispatcher, t: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A reference anywhere in the message (whatever the NLU thought the intent was)."""
        if t.get_slot("requested_slot") != "challenge_ref":
            return {}
        found = _REFERENCE.search(latest_text(t))
        return {"challenge_ref": found.group(0).upper()} if found else {}

    async def validate_challenge_ref(
        self, value: Any, d: CollectingDispatcher, t: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Known and submitted, else re-ask."""
        if value is None:
            return {"challenge_ref": None}
        found = _REFERENCE.search(str(value or ""))
        reference = found.group(0).upper() if found else str(value or "").strip()
        with turn_session() as session:
            challenge = challenge_repo.find_by_reference(session=session, reference=reference)
        if challenge is None or not catalogue.is_open(challenge):
            d.utter_message(text=browse_say(lang_of(t), "not_open", value=reference))
            return {"challenge_ref": None}
        return {"challenge_ref": challenge.reference}


class ActionAskChallengeRef(Action):
    """The submitted challenges as buttons."""

    def name(self) -> str:
        """``action_ask_challenge_ref``."""
        return "action_ask_challenge_ref"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """One button per submitted challenge (``/my_status{"challenge_ref": …}``)."""
        lang = lang_of(tracker)
        with turn_session() as session:
            open_ones = catalogue.open_challenges(session=session)
        if not open_ones:
            dispatcher.utter_message(text=none_listed(lang, knowledge.load()))
            return []
        buttons = [
            {
                "title": f"{c.reference} {c.title}"[:60],
                "payload": _payload(challenge_ref=str(c.reference)),
            }
            for c in open_ones[:10]
        ]
        example = open_ones[0].reference
        dispatcher.utter_message(text=say(lang, "pick_challenge", example=example), buttons=buttons)
        return []


class ActionApplyChallenge(Action):
    """After ``apply_challenge_form``: apply the leader's team."""

    def name(self) -> str:
        """``action_apply_challenge``."""
        return "action_apply_challenge"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Apply (leaders only) and clear the slot."""
        lang, reference = lang_of(tracker), str(tracker.get_slot("challenge_ref") or "")
        with turn_session() as session:
            membership = repo.membership_of(session=session, user_id=user_id_for(tracker))
            if membership is None or membership.role != "leader":
                dispatcher.utter_message(text=say(lang, "leader_only"))
            else:
                text = apply_to(session, membership, reference, lang, turn_now(tracker))
                dispatcher.utter_message(text=text)
        return [SlotSet("challenge_ref", None)]
