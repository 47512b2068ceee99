"""Which actions fit a user's state: only those are offered as readings of an unclear message.

A reading such as 「轉移隊長」 for someone with no team, or 「修改題目」 for someone with no
challenge, is nonsense (QA #25). :func:`facts` gathers what is true of the user now; ``fits`` in
``texts.yml`` lists, per intent, the facts it needs (an intent not listed always fits).

Facts: ``in_progress`` (a form is open or a confirmation waits), ``member`` (in a team),
``leader``, ``teammates`` (the team has other members), ``applications`` (the team applied to a
challenge), ``challenges`` (the user has a challenge that is not yet listed or over),
``subscribed`` (active reminders).
"""

from __future__ import annotations

from rasa_sdk import Tracker
from sqlalchemy.orm import Session

from actions.confirm._texts import data
from actions.confirm.confirmed import pending
from db import teams
from db.challenges import challenges_of_user
from db.subscriptions import get_subscription

EDITABLE = ("draft", "submitted", "returned")  # a listed or closed challenge: the office only


def facts(session: Session, user_id: int, tracker: Tracker) -> frozenset[str]:
    """What is true of the user now (see the module docstring)."""
    found: set[str] = set()
    if tracker.active_loop_name or pending(tracker) is not None:
        found.add("in_progress")
    membership = teams.membership_of(session=session, user_id=user_id)
    if membership is not None:
        found.add("member")
        if membership.role == "leader":
            found.add("leader")
        if len(teams.members(session=session, team_id=membership.team_id)) > 1:
            found.add("teammates")
        if teams.applications(session=session, team_id=membership.team_id):
            found.add("applications")
    mine = challenges_of_user(session=session, user_id=user_id)
    if any(c.status in EDITABLE for c in mine):
        found.add("challenges")
    view = get_subscription(session=session, user_id=user_id)
    if view is not None and view.active:
        found.add("subscribed")
    return frozenset(found)


def fits(intent: str, known: frozenset[str]) -> bool:
    """True when the user's state has every fact ``intent`` needs."""
    needs: dict[str, list[str]] = data()["fits"]
    return set(needs.get(intent, ())) <= known
