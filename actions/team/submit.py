"""What the team forms do when complete: create the team (leader + invite code) or join one.

Both re-check the verdict on the form's profile before writing (the form already stopped an
ineligible person; this keeps the rule true whatever path led here), and both turn the database's
one-team-per-person constraint into the polite refusal with the rule quoted.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import knowledge
from actions._forms import lang_of, say, user_id_for, utter_web_page
from actions.context import turn_now, turn_session
from actions.team import logic as tl
from actions.team import profile
from actions.team.apply import official_steps
from actions.team.form import PROFILE, already_in_team_text
from db import invites
from db import teams as repo
from db.models import Team


def _eligible(tracker: Tracker) -> bool:
    values = [tracker.get_slot(s) for s in PROFILE]
    if any(v is None for v in values):
        return False
    verdict = tl.verdict_for(knowledge.load(), values[0], values[1], values[2], turn_now(tracker))
    return profile.may_register(verdict)


def _clear(*names: str) -> list[EventType]:
    return [SlotSet(n, None) for n in ("person_name", *PROFILE, *names)]


class ActionCreateTeam(Action):
    """After ``register_team_form``: the team, its leader and a fresh invite code."""

    def name(self) -> str:
        """``action_create_team``."""
        return "action_create_team"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Create and report (or refuse with the reason)."""
        lang, now, programme = lang_of(tracker), turn_now(tracker), knowledge.load()
        if not _eligible(tracker):
            return _clear("team_name")
        name = str(tracker.get_slot("team_name"))
        with turn_session() as session:
            user_id = user_id_for(tracker)
            try:
                team = repo.create_team(session=session, name=name, leader_user_id=user_id, now=now)
            except repo.AlreadyInTeam:
                membership = repo.membership_of(session=session, user_id=user_id)
                dispatcher.utter_message(text=already_in_team_text(membership, lang))
                return _clear("team_name")
            except repo.TeamNameTaken:
                dispatcher.utter_message(text=say(lang, "team_name_taken", name=name))
                return [SlotSet("team_name", None), FollowupAction("register_team_form")]
            invite = invites.issue_invite(session=session, team=team, now=now)
            members = repo.members(session=session, team_id=team.id)
        lines = [
            say(
                lang,
                "team_created",
                team=team.name,
                code=invites.format_code(invite.code),
                expires=tl.format_day(invite.expires_at, lang),
            )
        ]
        advice = tl.composition_advice(programme, members, lang)
        lines += [*([advice] if advice else []), official_steps(lang)]
        dispatcher.utter_message(text="\n".join(lines))
        utter_web_page(
            dispatcher, lang, purpose="team", intro="team_page_intro", title="team_page_title"
        )
        return _clear("team_name")


class ActionJoinTeam(Action):
    """After ``join_team_form``: membership in the invite's team."""

    def name(self) -> str:
        """``action_join_team``."""
        return "action_join_team"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Join (or refuse: code no longer valid, already in a team)."""
        lang, now, programme = lang_of(tracker), turn_now(tracker), knowledge.load()
        if not _eligible(tracker):
            return _clear("invite_code")
        code = str(tracker.get_slot("invite_code") or "")
        with turn_session() as session:
            user_id = user_id_for(tracker)
            invite = invites.find_invite(session=session, code=code)
            state = invites.invite_state(invite, now)
            team = session.get(Team, invite.team_id) if invite is not None else None
            if state != "valid" or team is None:
                shown = invites.format_code(code)
                dispatcher.utter_message(text=say(lang, f"invite_{state}", code=shown, left=0))
                return _clear("invite_code")
            try:
                repo.add_member(session=session, team=team, user_id=user_id, role="member", now=now)
            except repo.AlreadyInTeam:
                membership = repo.membership_of(session=session, user_id=user_id)
                dispatcher.utter_message(text=already_in_team_text(membership, lang))
                return _clear("invite_code")
            members = repo.members(session=session, team_id=team.id)
        leader = next(m for m in members if m.role == "leader")
        text = say(
            lang,
            "joined",
            team=team.name,
            leader=tl.display_name(leader, lang),
            count=len(members),
        )
        advice = tl.composition_advice(programme, members, lang)
        dispatcher.utter_message(text="\n".join([text, *([advice] if advice else [])]))
        return _clear("invite_code")
