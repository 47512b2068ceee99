"""``db.teams`` on SQLite and PostgreSQL: teams, invite codes, rate limit, racing joins."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from db import invites, teams
from db.models import Membership, Team
from db.users import get_or_create_user
from tests.actions.forms_support import NOW


def _user(session: Session, name: str) -> int:
    return get_or_create_user(session=session, channel="rest", external_id=name).id


def test_invite_codes_are_long_unambiguous_and_random() -> None:
    codes = {invites.new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) >= 8 and set(code) <= set(invites.INVITE_ALPHABET)
        assert not set(code) & set("0O1IL")
    assert invites.normalise_code(" abcd-2345 ") == "ABCD2345"
    assert invites.format_code("ABCD2345") == "ABCD-2345"


def test_team_leader_invite_expiry_and_revocation(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        leader = _user(session, "leader")
        team = teams.create_team(
            session=session, name="深度學習小隊", leader_user_id=leader, now=NOW
        )
        invite = invites.issue_invite(session=session, team=team, now=NOW)
        assert invites.invite_state(invite, NOW) == "valid"
        assert invites.invite_state(invite, NOW + invites.INVITE_TTL) == "expired"
        with pytest.raises(teams.TeamNameTaken):
            teams.create_team(
                session=session, name="深度學習小隊", leader_user_id=_user(session, "x"), now=NOW
            )
        with pytest.raises(teams.AlreadyInTeam):
            teams.create_team(session=session, name="第二隊", leader_user_id=leader, now=NOW)
        newer = invites.issue_invite(session=session, team=team, now=NOW)
        session.refresh(invite)
        assert invites.invite_state(invite, NOW) == "revoked"
        assert invites.live_invite(session=session, team_id=team.id, now=NOW) is newer
        assert invites.revoke_invites(session=session, team_id=team.id, now=NOW) == 1
        assert invites.live_invite(session=session, team_id=team.id, now=NOW) is None
        assert [m.role for m in teams.members(session=session, team_id=team.id)] == ["leader"]


def test_wrong_codes_are_limited_per_user_in_a_window(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        user = _user(session, "guesser")
        for i in range(invites.MAX_WRONG_CODES):
            assert invites.attempts_left(session=session, user_id=user, now=NOW)[0] == 5 - i
            invites.record_attempt(session=session, user_id=user, success=False, now=NOW)
        left, until = invites.attempts_left(session=session, user_id=user, now=NOW)
        assert left == 0 and until == NOW + invites.WRONG_CODE_WINDOW
        later = NOW + invites.WRONG_CODE_WINDOW + timedelta(seconds=1)
        assert invites.attempts_left(session=session, user_id=user, now=later)[0] == 5
        other = _user(session, "someone else")
        assert invites.attempts_left(session=session, user_id=other, now=NOW)[0] == 5


def test_two_simultaneous_joins_of_one_person_cannot_both_succeed(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        team_ids = [
            teams.create_team(
                session=session, name=f"隊伍{i}", leader_user_id=_user(session, f"l{i}"), now=NOW
            ).id
            for i in range(2)
        ]
        joiner = _user(session, "joiner")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def join(team_id: int) -> None:
        barrier.wait(timeout=10)  # start together (SQLite then serialises the two writers)
        try:
            with sessions.begin() as session:
                team = session.get(Team, team_id)
                assert team is not None
                teams.add_member(session=session, team=team, user_id=joiner, role="member", now=NOW)
            outcomes.append("joined")
        except teams.AlreadyInTeam:
            outcomes.append("refused")
        except Exception as exc:  # SQLite: the second writer may time out waiting; never both join
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=join, args=(t,)) for t in team_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes.count("joined") == 1, outcomes
    with sessions() as session:
        rows = session.query(Membership).filter(Membership.user_id == joiner).all()
        assert len(rows) == 1
