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
from actions._forms import (
    REQUESTED_SLOT,
    EditableForm,
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

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Profile facts the user already gave ("我22歲台灣人做AI的想報名": the ``age`` /
        ``nationality`` / ``expertise`` slots) fill the empty profile fields, validated as
        answers."""
        now, known = turn_now(tracker), []
        for slot in PROFILE:
            value = tracker.get_slot(slot.removeprefix("profile_"))
            empty = tracker.get_slot(slot) is None and value is not None
            if empty and _PROFILE_PARSERS[slot](value, now) is not None:
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
        """1-30 characters; becomes the user's display name.

        An answer that gives profile facts instead of a name ("我22歲", "台灣人") fills those
        fields and asks for the name again, rather than becoming the name."""
        if value is None:
            return {"person_name": None}
        profile = self._profile_from_entities(t)
        age = tl.parse_age_answer(value, turn_now(t)) if str(value).strip().isdigit() else None
        if age is not None and not profile:  # "23" is an age, not a name
            profile = {"profile_age": age}
        if profile:
            d.utter_message(text=say(lang_of(t), "name_after_profile"))
            return {"person_name": None, "requested_slot": "person_name", **profile}
        name = " ".join(str(value).split())
        if not 1 <= len(name) <= tl.TEAM_NAME_MAX:
            return self._fail(d, t, "person_name", "invalid_name")
        problem = name_problem(name)  # "0912-345-678", "a@b.tw", "12345" are no names
        if problem:
            return self._fail(d, t, "person_name", problem)
        with turn_session() as session:
            user = session.get(User, user_id_for(t))
            if user is not None:
                user.display_name = name
        return {"person_name": name}

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
        if kept:
            return {"profile_expertise": kept.pop()}
        if denied == {"ai", "domain"}:
            return {"profile_expertise": "none"}
        if "domain" in denied:
            return self._validate_profile("profile_expertise", value, d, t)
        d.utter_message(text=profile.say(lang_of(t), "ask_domain_after_no_ai"))
        return {"profile_expertise": None}

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
        return [SlotSet("team_name", None), FollowupAction(self.form)]


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
