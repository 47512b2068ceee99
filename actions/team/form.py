"""Team registration and joining: eligibility first, then the team (``bot/domain.yml`` forms).

::

    register_team ─▶ action_start_register_team ─(not in a team)─▶ register_team_form
        profile_age ▶ profile_nationality ▶ profile_expertise ─verdict─▶ team_name
        ─▶ action_create_team (leader membership + invite code)
    join_team ─▶ action_start_join_team ─(not in a team)─▶ join_team_form
        invite_code (rate-limited) ▶ profile_* ─verdict─▶ action_join_team (membership)

- The verdict (with the rules quoted) is given as soon as the profile is complete and before
  anything is created; an ineligible person is told why and what to do, and the form ends.
- One team per person: refused up front with the rule quoted, and enforced by the database
  (``UNIQUE(memberships.user_id)``) when two joins race.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import knowledge
from actions._editable import EditableForm
from actions._forms import (
    REQUESTED_SLOT,
    busy_elsewhere,
    lang_of,
    latest_text,
    name_problem,
    say,
    user_id_for,
)
from actions.context import turn_now, turn_session
from actions.team import logic as tl
from actions.team import profile
from db import invites
from db import teams as repo
from db.models import Team, User

PROFILE = ("profile_age", "profile_nationality", "profile_expertise")
TEAM_FORMS = ("register_team_form", "join_team_form")  # one may switch to the other
# profile slot -> parser of an answer or entity value at ``now`` (None: not understood); the
# entity is the slot without ``profile_`` and the re-ask text is ``invalid_<entity>``
_PROFILE_PARSERS: dict[str, Callable[[Any, datetime], Any]] = {
    "profile_age": tl.parse_age_answer,
    "profile_nationality": lambda value, _now: tl.parse_nationality(value),
    "profile_expertise": lambda value, _now: tl.parse_expertise(value),
}
_LABELS = {
    "person_name": ("稱呼", "name"),
    "profile_age": ("年齡或出生日期", "age or date of birth"),
    "profile_nationality": ("國籍", "nationality"),
    "profile_expertise": ("專長", "expertise"),
    "team_name": ("隊名", "team name"),
    "invite_code": ("邀請碼", "invite code"),
}


def already_in_team_text(membership: Any, lang: str) -> str:
    """The refusal for someone already in a team, quoting the one-team rule."""
    programme = knowledge.load()
    return say(
        lang,
        "already_in_team",
        team=membership.team.name,
        role=say(lang, f"role_{membership.role}"),
        rule=tl.team_rule(programme, "one_team_per_person", lang),
    )


class _ProfileForm(EditableForm):
    """Shared profile validation and the verdict for the two team forms."""

    join = False

    def field_label(self, slot: str, lang: str) -> str:
        """Short field names for "好的，來修改「…」"."""
        zh, en = _LABELS[slot]
        return zh if lang == "zh-TW" else en

    def shown(self, slot: str, value: Any, lang: str) -> str:
        """A profile value as the user reads it (「產業領域」, 「外籍」, an age or a birth date)."""
        return tl.shown_profile(slot, value, lang)

    def is_answer(self, slot: str, text: str, tracker: Tracker) -> bool:
        """「都沒有」 answers the expertise question (it is not a refusal of the form)."""
        parser = _PROFILE_PARSERS.get(slot)
        return parser is not None and parser(text, turn_now(tracker)) is not None

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Profile facts the user already gave ("我22歲台灣人做AI的想報名": the ``age`` /
        ``nationality`` / ``expertise`` slots) fill the empty profile fields, validated as
        answers."""
        now, known = turn_now(tracker), []
        answering = set(tracker.slots_to_validate())  # what is typed now answers its own field
        for slot in PROFILE:
            value = tracker.get_slot(slot.removeprefix("profile_"))
            empty = tracker.get_slot(slot) is None and value is not None
            if empty and slot not in answering and _PROFILE_PARSERS[slot](value, now) is not None:
                known.append(SlotSet(slot, value))
        tracker.add_slots(known)
        return await super().run(dispatcher, tracker, domain)

    def _fail(self, d: CollectingDispatcher, t: Tracker, slot: str, key: str) -> dict[str, Any]:
        lang = lang_of(t)
        label = self.field_label(slot, lang)
        d.utter_message(text=say(lang, key, value=latest_text(t), field=label))
        return {slot: None}

    async def validate_person_name(
        self, value: Any, d: CollectingDispatcher, t: Tracker, _: DomainDict
    ) -> dict[str, Any]:
        """1-30 characters; becomes the user's display name (:func:`tl.check_name`: 「我叫王大同」
        is 王大同; markup, codes, phone numbers and e-mails are no names).

        The invite code just accepted, typed again, is said to be accepted already. An answer
        that gives profile facts instead of a name ("我22歲", "台灣人") fills those fields and
        asks for the name again, rather than becoming the name."""
        if value is None:
            return {"person_name": None}
        lang, accepted = lang_of(t), t.get_slot("invite_code")
        if accepted and tl.is_code(str(value)) and tl.code_in(str(value)) == accepted:
            d.utter_message(text=say(lang, "name_is_code", team=self._team_of(str(accepted))))
            return {"person_name": None, REQUESTED_SLOT: "person_name"}
        profile = self._profile_from_entities(t)
        age = tl.parse_age_answer(value, turn_now(t)) if str(value).strip().isdigit() else None
        if age is not None and not profile:  # "23" is an age, not a name
            profile = {"profile_age": age}
        if profile:
            d.utter_message(text=say(lang, "name_after_profile"))
            return {"person_name": None, "requested_slot": "person_name", **profile}
        name, problem = tl.check_name(value)
        if name is None:
            label = self.field_label("person_name", lang)
            d.utter_message(text=say(lang, str(problem), value=str(value).strip(), field=label))
            return {"person_name": None}
        with turn_session() as session:
            user = session.get(User, user_id_for(t))
            if user is not None:
                user.display_name = name
        return {"person_name": name}

    @staticmethod
    def _team_of(code: str) -> str:
        """The name of the team whose invite code is ``code`` (empty when none)."""
        with turn_session() as session:
            invite = invites.find_invite(session=session, code=code)
            team = session.get(Team, invite.team_id) if invite else None
            return team.name if team else ""

    @staticmethod
    def _profile_from_entities(t: Tracker) -> dict[str, Any]:
        """Profile slots from the latest message's age / nationality / expertise entities."""
        now, found = turn_now(t), {}
        for entity in (t.latest_message or {}).get("entities") or []:
            slot = f"profile_{entity.get('entity')}"
            if slot in _PROFILE_PARSERS and slot not in found:
                parsed = _PROFILE_PARSERS[slot](entity.get("value"), now)
                if parsed is not None:
                    found[slot] = parsed
        return found

    def _validate_profile(
        self, slot: str, value: Any, d: CollectingDispatcher, t: Tracker
    ) -> dict[str, Any]:
        """``{slot: parsed}``, or a re-ask (``invalid_<entity>``) when the answer isn't one."""
        if value is None:
            return {slot: None}
        parsed = _PROFILE_PARSERS[slot](value, turn_now(t))
        if parsed is None:
            return self._fail(d, t, slot, "invalid_" + slot.removeprefix("profile_"))
        return {slot: parsed}

    async def validate_profile_age(
        self, value: Any, d: CollectingDispatcher, t: Tracker, _: DomainDict
    ) -> dict[str, Any]:
        """An age or a birth date."""
        return self._validate_profile("profile_age", value, d, t)

    async def validate_profile_nationality(
        self, value: Any, d: CollectingDispatcher, t: Tracker, _: DomainDict
    ) -> dict[str, Any]:
        """``ROC`` or ``foreign``."""
        return self._validate_profile("profile_nationality", value, d, t)

    async def validate_profile_expertise(
        self, value: Any, d: CollectingDispatcher, t: Tracker, _: DomainDict
    ) -> dict[str, Any]:
        """``ai`` / ``domain`` / ``both`` / ``none``; a denied skill ("我沒有AI背景") is not one:
        without a domain named as well, the form asks about domain expertise."""
        text = latest_text(t)
        denied = profile.negated_kinds(text)
        if not denied:
            return self._validate_profile("profile_expertise", value, d, t)
        kept = {k for k in ("ai", "domain") if k not in denied and profile.mentions(text, k)}
        forget = {"expertise": None}  # the denied skill read as an entity is no context either
        if kept:
            return {"profile_expertise": kept.pop(), **forget}
        if denied == {"ai", "domain"}:
            return {"profile_expertise": "none", **forget}
        if "domain" in denied:
            return {**self._validate_profile("profile_expertise", value, d, t), **forget}
        d.utter_message(text=profile.say(lang_of(t), "ask_domain_after_no_ai"))
        return {"profile_expertise": None, **forget}

    async def after_validation(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        values: dict[str, Any],
        changed: set[str],
    ) -> list[EventType]:
        """Once the profile is complete (or changed): verdict first; stop when not eligible."""
        if not changed & set(PROFILE) or any(values.get(s) is None for s in PROFILE):
            return []
        programme, lang, now = knowledge.load(), lang_of(tracker), turn_now(tracker)
        verdict = tl.verdict_for(
            programme,
            values["profile_age"],
            values["profile_nationality"],
            values["profile_expertise"],
            now,
        )
        age, born = tl.split_age(values["profile_age"])
        with turn_session() as session:
            repo.save_profile(
                session=session,
                user_id=user_id_for(tracker),
                age=age,
                birth_date=born,
                nationality=values["profile_nationality"],
                expertise=values["profile_expertise"],
                now=now,
            )
        if profile.may_register(verdict):
            lines = [knowledge.render_eligibility(programme, verdict, lang)]
            if verdict.status != "eligible":
                lines.append(profile.foreign_note(programme, lang))
            lines.append(say(lang, "verdict_ok_join" if self.join else "verdict_ok"))
            dispatcher.utter_message(text="\n".join(lines))
            return []
        note = profile.age_date_note(programme, born, now, lang)
        lines = [tl.verdict_text(programme, verdict, lang), *([note] if note else [])]
        dispatcher.utter_message(text="\n".join(lines))
        cleared = [SlotSet(s, None) for s in ("person_name", *PROFILE, "team_name", "invite_code")]
        return [*cleared, ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]


class ValidateRegisterTeamForm(_ProfileForm):
    """``register_team_form``: profile, verdict, then a unique team name."""

    editable = ("person_name", *PROFILE, "team_name")

    def name(self) -> str:
        """``validate_register_team_form``."""
        return "validate_register_team_form"

    async def validate_team_name(
        self, value: Any, d: CollectingDispatcher, t: Tracker, _: DomainDict
    ) -> dict[str, Any]:
        """2-30 characters, not taken."""
        if value is None:
            return {"team_name": None}
        name, lang = tl.parse_team_name(value), lang_of(t)
        if name is None:
            return self._fail(d, t, "team_name", "team_name_invalid")
        problem = name_problem(name)  # a phone number or e-mail is no team name ("5566" may be)
        if problem in ("looks_like_phone", "looks_like_email"):
            return self._fail(d, t, "team_name", str(problem))
        with turn_session() as session:
            taken = repo.team_name_taken(session=session, name=name)
        if taken:
            d.utter_message(text=say(lang, "team_name_taken", name=name))
            return {"team_name": None}
        return {"team_name": name}


class ValidateJoinTeamForm(_ProfileForm):
    """``join_team_form``: a valid invite code (wrong ones rate-limited), then the profile."""

    editable = ("invite_code", "person_name", *PROFILE)
    join = True

    def name(self) -> str:
        """``validate_join_team_form``."""
        return "validate_join_team_form"

    async def validate_invite_code(
        self, value: Any, d: CollectingDispatcher, t: Tracker, _: DomainDict
    ) -> dict[str, Any]:
        """A live code; every wrong one is counted (the limit itself is in the hook below)."""
        if value is None:
            return {"invite_code": None}
        lang, now, code = lang_of(t), turn_now(t), invites.find_code(str(value))
        if code is not None and code == _accepted_code(t):  # typed again later: nothing to do
            return {"invite_code": code}
        if code is None:  # not shaped like a code: explain the format, don't count a try
            d.utter_message(text=say(lang, "invite_malformed"))
            return {"invite_code": None}
        with turn_session() as session:
            user_id = user_id_for(t)
            left, _until = invites.attempts_left(session=session, user_id=user_id, now=now)
            if left <= 0:
                return {"invite_code": None}
            invite = invites.find_invite(session=session, code=code)
            state = invites.invite_state(invite, now)
            invites.record_attempt(
                session=session, user_id=user_id, success=state == "valid", now=now
            )
            if state == "valid" and invite is not None:
                team = session.get(Team, invite.team_id)
                d.utter_message(text=say(lang, "invite_ok", team=team.name if team else ""))
                return {"invite_code": code}
        if left > 1:
            shown = invites.format_code(code)
            d.utter_message(text=say(lang, f"invite_{state}", code=shown, left=left - 1))
        return {"invite_code": None}

    async def after_validation(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        values: dict[str, Any],
        changed: set[str],
    ) -> list[EventType]:
        """A user out of tries leaves the form (told when to retry); else the verdict step."""
        if "invite_code" in changed and values.get("invite_code") is None:
            now = turn_now(tracker)
            with turn_session() as session:
                left, until = invites.attempts_left(
                    session=session, user_id=user_id_for(tracker), now=now
                )
            if left <= 0:
                wait = (until - now).total_seconds() if until else 600
                minutes = max(1, math.ceil(wait / 60))
                text = say(lang_of(tracker), "invite_rate_limited", minutes=minutes)
                dispatcher.utter_message(text=text)
                return [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]
        return await super().after_validation(dispatcher, tracker, values, changed)


def _accepted_code(tracker: Tracker) -> str | None:
    """The invite code this form accepted before the latest message, if any."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == "invite_code":
            return str(event["value"]) if event.get("value") else None
    return None


class _StartTeamForm(Action, ABC):
    """Refuse someone already in a team; otherwise start the form (edits mid-form pass through)."""

    form = ""

    @abstractmethod
    def name(self) -> str:
        """``action_start_<form>`` (abstract: the base is not registered)."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """FollowupAction(form) only when the person may register or join."""
        lang = lang_of(tracker)
        if busy_elsewhere(dispatcher, tracker, TEAM_FORMS):  # e.g. in the challenge form
            return []
        if tracker.active_loop_name == self.form:
            return [FollowupAction(self.form)]
        with turn_session() as session:
            membership = repo.membership_of(session=session, user_id=user_id_for(tracker))
            if membership is not None:
                dispatcher.utter_message(text=already_in_team_text(membership, lang))
                return []
        found = await self.code_in_request(dispatcher, tracker, domain)
        return [SlotSet("team_name", None), *found, FollowupAction(self.form)]

    async def code_in_request(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Slot events of a code in the request that the NLU did not read (none here)."""
        return []


class ActionStartRegisterTeam(_StartTeamForm):
    """Before ``register_team_form``."""

    form = "register_team_form"

    def name(self) -> str:
        """``action_start_register_team``."""
        return "action_start_register_team"


class ActionStartJoinTeam(_StartTeamForm):
    """Before ``join_team_form``."""

    form = "join_team_form"

    def name(self) -> str:
        """``action_start_join_team``."""
        return "action_start_join_team"

    async def code_in_request(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """「我有邀請碼 4rgb zpnd」 (lower case, a space: no ``invite_code`` entity): the code is
        checked as the answer to the form's first field, so it is not asked for again."""
        if tracker.get_slot("invite_code"):
            return []
        code = tl.code_in(latest_text(tracker))
        if code is None:
            return []
        form = ValidateJoinTeamForm()
        checked = await form.validate_invite_code(code, dispatcher, tracker, domain)
        return [SlotSet("invite_code", checked.get("invite_code"))]
