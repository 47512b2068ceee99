"""``apply_challenge``: a team leader applies for an open challenge (see :mod:`.browse`).

:func:`apply_to` is the one place an application is made and worded (also used by the buttons of
``my_status`` and ``apply_challenge_form``); it ends with what happens next and where the official
application is made, from the programme document.
"""

from __future__ import annotations

import re
from datetime import datetime

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

import knowledge
from actions._forms import lang_of, latest_text, user_id_for
from actions.context import turn_now, turn_session
from actions.team.browse import card, filters_from, none_listed, say, select
from db import catalogue
from db import challenges as challenge_repo
from db import teams as repo
from db.models import Membership, User

_REFERENCE = re.compile(r"AIGO-\d{3}-\d{4}", re.IGNORECASE)


def _lang(lang: str) -> knowledge.Lang:
    return "en" if lang == "en" else "zh-TW"


def _steps(lang: str) -> str:
    p, lg = knowledge.load(), _lang(lang)
    return ("; " if lang == "en" else "；").join(s.text.get(lg) for s in p.application_steps.steps)


def official_steps(lang: str) -> str:
    """Where registering and applying officially happen (the programme's application steps)."""
    return say(
        lang, "official_steps", website=knowledge.load().contacts.website, steps=_steps(lang)
    )


def next_steps(lang: str, now: datetime) -> str:
    """What the programme document says happens after applying, and the official steps."""
    p = knowledge.load()
    round_id = knowledge.current_round(p, now, "idea_deadline")
    lg = _lang(lang)
    return say(
        lang,
        "next_steps",
        matching=p.milestone("matching_period").name.get(lg),
        matching_date=knowledge.format_date(p, p.date("matching_period", round_id), lg),
        idea_date=knowledge.format_date(p, p.date("idea_deadline", round_id), lg),
        website=p.contacts.website,
        steps=_steps(lang),
    )


def apply_to(
    session: Session, membership: Membership, reference: str, lang: str, now: datetime
) -> str:
    """Apply the member's team (the caller checked leadership); the reply text."""
    challenge = challenge_repo.find_by_reference(session=session, reference=reference)
    if challenge is None or not catalogue.is_open(challenge):
        return say(lang, "not_open", value=reference)
    team = membership.team
    done = repo.apply(session=session, team_id=team.id, challenge=challenge, now=now)
    values = {"team": team.name, "reference": challenge.reference, "title": challenge.title}
    if not done:
        return say(lang, "already_applied", **values)
    return "\n".join([say(lang, "applied", **values), next_steps(lang, now)])


def leader_check(session: Session, user_id: int, lang: str) -> Membership | str:
    """The asker's leader membership, or why they cannot apply."""
    membership = repo.membership_of(session=session, user_id=user_id)
    if membership is None:
        return say(lang, "not_in_team")
    if membership.role != "leader":
        leader = session.get(User, membership.team.leader_user_id)
        return say(lang, "leader_only", leader=(leader.display_name if leader else None) or "-")
    return membership


class ActionStartApply(Action):
    """``apply_challenge``: apply by reference or button, or find the challenge meant."""

    def name(self) -> str:
        """``action_start_apply``."""
        return "action_start_apply"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Leader only; one match applies, several show cards, none asks with the form."""
        lang, now, text = lang_of(tracker), turn_now(tracker), latest_text(tracker)
        given = next(tracker.get_latest_entity_values("challenge_ref"), None)
        typed = _REFERENCE.search(text)
        reference = str(given or (typed.group(0) if typed else "")).upper()
        with turn_session() as session:
            found = leader_check(session, user_id_for(tracker), lang)
            if isinstance(found, str):
                dispatcher.utter_message(text=found)
                return []
            if reference:
                dispatcher.utter_message(text=apply_to(session, found, reference, lang, now))
                return []
            programme = knowledge.load()
            open_ones = catalogue.open_challenges(session=session)
            if not open_ones:
                dispatcher.utter_message(text=none_listed(lang, programme))
                return []
            filters = filters_from(text, programme)
            matches = select(open_ones, filters) if filters else []
            if len(matches) == 1:
                ref = str(matches[0].reference)
                dispatcher.utter_message(text=apply_to(session, found, ref, lang, now))
                return []
            if matches:
                dispatcher.utter_message(text=say(lang, "which_one"))
                for c in matches[:5]:
                    reply = card(c, lang, programme)
                    dispatcher.utter_message(text=reply["text"], buttons=reply["buttons"])
                return []
        return [SlotSet("challenge_ref", None), FollowupAction("apply_challenge_form")]
