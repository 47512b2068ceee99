"""A seeded team for the team page tests: leader 王小明 and member 林大明 (Telegram users), a live
invite code, and optionally an application to a listed challenge."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from db import challenges, invites, teams
from db.users import get_or_create_user
from tests.actions.forms_support import NOW, listed_challenge


@dataclass(frozen=True)
class Seeded:
    """What :func:`seed_team` made."""

    team_id: int
    leader: int
    member: int
    code: str
    reference: str | None


def seed_team(
    sessions: sessionmaker[Session],
    *,
    name: str = "影像小隊",
    leader: str = "telegram:301",
    member: str = "telegram:302",
    applied: bool = False,
) -> Seeded:
    """Create the team (see the module docstring) and return its ids and invite code."""
    with sessions.begin() as session:
        ids = []
        for key, person in ((leader, "王小明"), (member, "林大明")):
            channel, external_id = key.split(":", 1)
            user = get_or_create_user(session=session, channel=channel, external_id=external_id)
            user.display_name = person
            ids.append(user.id)
        team = teams.create_team(session=session, name=name, leader_user_id=ids[0], now=NOW)
        teams.add_member(session=session, team=team, user_id=ids[1], role="member", now=NOW)
        code = invites.issue_invite(session=session, team=team, now=NOW).code
        reference = None
        if applied:
            reference = listed_challenge(session, "台中童綜合醫院", "AI輔助醫學影像診斷", name)
            challenge = challenges.find_by_reference(session=session, reference=reference)
            assert challenge is not None
            teams.apply(session=session, team_id=team.id, challenge=challenge, now=NOW)
        return Seeded(team.id, ids[0], ids[1], code, reference)
