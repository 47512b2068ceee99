"""``db.team_lifecycle`` on SQLite and PostgreSQL: each transition, its refusals, and races."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from db import challenges, invites, issued, notices, teams
from db import team_lifecycle as life
from db.models import Delivery, Membership, Team
from db.users import get_or_create_user
from tests.actions.forms_support import NOW, submitted_challenge


def _team(session: Session, *names: str) -> tuple[int, list[int]]:
    """A team led by ``names[0]`` with the others as members; (team id, user ids)."""
    ids = [get_or_create_user(session=session, channel="line", external_id=n).id for n in names]
    team = teams.create_team(session=session, name="隊" + names[0], leader_user_id=ids[0], now=NOW)
    for user_id in ids[1:]:
        teams.add_member(session=session, team=team, user_id=user_id, role="member", now=NOW)
    return team.id, ids


def test_each_transition_and_its_refusals(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        team_id, (lead, mate, third) = _team(session, "lead", "mate", "third")
        outsider = get_or_create_user(session=session, channel="rest", external_id="x").id
        assert life.leave_team(session=session, user_id=outsider).status == "not_in_team"
        assert life.leave_team(session=session, user_id=lead).status == "leader_must_hand_over"
        assert life.remove_member(session=session, user_id=mate, member_user_id=third).status == (
            "not_leader"
        )
        assert life.remove_member(session=session, user_id=lead, member_user_id=lead).status == (
            "is_self"
        )
        assert life.transfer_leadership(
            session=session, user_id=lead, to_user_id=outsider
        ).status == ("not_member")
        removed = life.remove_member(session=session, user_id=lead, member_user_id=third)
        assert removed.done and removed.tell == (third,) and removed.team == "隊lead"
        handed = life.transfer_leadership(session=session, user_id=lead, to_user_id=mate)
        assert handed.done and handed.tell == (mate,)
        team = session.get(Team, team_id)
        assert team is not None and team.leader_user_id == mate
        left = life.leave_team(session=session, user_id=lead)
        assert left.done and left.tell == (mate,)
        ref = submitted_challenge(session, "醫院", "影像")
        challenge = challenges.find_by_reference(session=session, reference=ref)
        assert challenge is not None
        assert teams.apply(session=session, team_id=team_id, challenge=challenge, now=NOW)
        assert life.dissolve_team(session=session, user_id=mate).status == "has_applications"
        unknown = life.withdraw_application(
            session=session, user_id=mate, reference="AIGO-108-0099"
        )
        assert unknown.status == "not_applied"
        assert life.withdraw_application(session=session, user_id=mate, reference=ref.lower()).done
        invites.issue_invite(session=session, team=team, now=NOW)
        dissolved = life.dissolve_team(session=session, user_id=mate)
        assert dissolved.done and dissolved.tell == ()
        assert session.scalar(sa.select(sa.func.count()).select_from(Team)) == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 0
        assert teams.member_rows(session=session) == []


def test_notices_go_to_the_push_identity_only(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        line = get_or_create_user(session=session, channel="line", external_id="U1").id
        rest = get_or_create_user(session=session, channel="rest", external_id="r1").id
        assert notices.notify(session=session, user_id=line, text="hi", kind="k", now=NOW) == 1
        assert notices.notify(session=session, user_id=rest, text="hi", kind="k", now=NOW) == 0
        row = session.scalars(sa.select(Delivery)).one()
        assert row.payload == {"text": "hi", "broadcast": True, "notice": "k"}
        assert row.channel == "line" and row.external_id == "U1" and row.status == "pending"


def test_issued_payloads_match_only_their_sender_intent_and_args_for_a_day(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        token = issued.issue(
            session=session, sender_key="line:U1", intent="remove_member", args={"member": "7"},
            now=NOW,
        )  # fmt: skip

        def check(token: str, sender: str, intent: str, member: str, now: datetime = NOW) -> bool:
            return issued.matches(
                session=session, token=token, sender_key=sender, intent=intent,
                args={"member": member}, now=now,
            )  # fmt: skip

        assert check(token, "line:U1", "remove_member", "7")
        assert not check(token, "line:U2", "remove_member", "7")
        assert not check(token, "line:U1", "leave_team", "7")
        assert not check(token, "line:U1", "remove_member", "8")
        assert not check("made-up", "line:U1", "remove_member", "7")
        assert not check(token, "line:U1", "remove_member", "7", NOW + timedelta(days=2))


def _race(sessions: sessionmaker[Session], *steps: Callable[[Session], life.Outcome]) -> list[str]:
    barrier = threading.Barrier(len(steps))
    outcomes: list[str] = []

    def run(step: Callable[[Session], life.Outcome]) -> None:
        barrier.wait(timeout=10)
        try:
            with sessions.begin() as session:
                outcomes.append(step(session).status)
        except Exception as exc:  # SQLite: a writer may time out waiting; state stays valid
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=run, args=(s,)) for s in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_hand_over_racing_the_new_leader_leaving_keeps_one_leader_in_the_team(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        team_id, (lead, mate) = _team(session, "lead", "mate")
    outcomes = _race(
        sessions,
        lambda s: life.transfer_leadership(session=s, user_id=lead, to_user_id=mate),
        lambda s: life.leave_team(session=s, user_id=mate),
    )
    assert outcomes.count("done") >= 1, outcomes
    with sessions() as session:
        team = session.get(Team, team_id)
        assert team is not None
        rows = session.scalars(sa.select(Membership).where(Membership.team_id == team_id)).all()
        leaders = [m.user_id for m in rows if m.role == "leader"]
        assert leaders == [team.leader_user_id], (outcomes, [(m.user_id, m.role) for m in rows])


def test_removing_a_member_replaces_the_live_invite_code(sessions: sessionmaker[Session]) -> None:
    """QA #21: the member removed cannot rejoin with the code they had; the leader gets a new one
    (no live code: none is made up)."""
    with sessions.begin() as session:
        team_id, (lead, mate, third) = _team(session, "lead21", "mate21", "third21")
        team = session.get(Team, team_id)
        assert team is not None
        old = invites.issue_invite(session=session, team=team, now=NOW).code
        removed = life.remove_member(session=session, user_id=lead, member_user_id=mate, now=NOW)
        assert removed.done and removed.invite is not None and removed.invite.code != old
        assert invites.invite_state(invites.find_invite(session=session, code=old), NOW) == (
            "revoked"
        )
        live = invites.live_invite(session=session, team_id=team_id, now=NOW)
        assert live is not None and live.code == removed.invite.code
        invites.revoke_invites(session=session, team_id=team_id, now=NOW)
        quiet = life.remove_member(session=session, user_id=lead, member_user_id=third, now=NOW)
        assert quiet.done and quiet.invite is None
        assert invites.live_invite(session=session, team_id=team_id, now=NOW) is None
