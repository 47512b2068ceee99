"""Constraints the rest of the system relies on, enforced by the database itself."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from db.models import (
    ConversationEvent,
    Delivery,
    InboxEvent,
    Membership,
    PlannedReminder,
    Team,
    User,
)

TAIPEI = ZoneInfo("Asia/Taipei")
NOW = datetime(2019, 5, 20, 10, 0, tzinfo=TAIPEI)


def _users(sessions: sessionmaker[Session], n: int) -> list[int]:
    with sessions.begin() as session:
        users = [User(display_name=f"u{i}", created_at=NOW) for i in range(n)]
        session.add_all(users)
        session.flush()
        return [u.id for u in users]


def _teams(sessions: sessionmaker[Session], leaders: list[int]) -> list[int]:
    with sessions.begin() as session:
        teams = [Team(name=f"team-{i}", leader_user_id=uid) for i, uid in enumerate(leaders)]
        session.add_all(teams)
        session.flush()
        return [t.id for t in teams]


def test_one_team_per_person(sessions: sessionmaker[Session]) -> None:
    a, b, person = _users(sessions, 3)
    team_a, team_b = _teams(sessions, [a, b])
    with sessions.begin() as session:
        session.add(Membership(team_id=team_a, user_id=person, role="member"))
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.add(Membership(team_id=team_b, user_id=person, role="member"))
    with sessions() as session:
        teams = session.scalars(sa.select(Membership.team_id).where(Membership.user_id == person))
        assert list(teams) == [team_a]


def test_two_concurrent_joins_only_one_succeeds(sessions: sessionmaker[Session]) -> None:
    a, b, person = _users(sessions, 3)
    team_a, team_b = _teams(sessions, [a, b])
    outcome: list[str] = []

    def second_join() -> None:
        try:
            with sessions.begin() as session:
                session.add(Membership(team_id=team_b, user_id=person))
            outcome.append("joined")
        except IntegrityError:
            outcome.append("refused")

    with sessions.begin() as first:
        first.add(Membership(team_id=team_a, user_id=person))
        first.flush()  # the first join holds its row (PostgreSQL) / write lock (SQLite)
        thread = threading.Thread(target=second_join)
        thread.start()
        time.sleep(0.3)
        assert thread.is_alive(), "the second join must wait for the first transaction"
    thread.join(timeout=30)
    assert outcome == ["refused"]
    with sessions() as session:
        count = session.scalar(sa.select(sa.func.count()).where(Membership.user_id == person))
        assert count == 1


def test_membership_role_and_foreign_keys_are_checked(sessions: sessionmaker[Session]) -> None:
    (a,) = _users(sessions, 1)
    (team,) = _teams(sessions, [a])
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.add(Membership(team_id=team, user_id=a, role="captain"))
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.add(Membership(team_id=team + 1000, user_id=a, role="leader"))


def test_inbox_event_is_unique_per_channel(sessions: sessionmaker[Session]) -> None:
    def event(channel: str) -> InboxEvent:
        return InboxEvent(channel=channel, event_id="01HX", sender_key=f"{channel}:U1", payload={})

    with sessions.begin() as session:
        session.add_all([event("line"), event("telegram")])
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.add(event("line"))
    with sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(InboxEvent)) == 2


def test_delivery_is_unique_per_reminder_and_user(sessions: sessionmaker[Session]) -> None:
    u1, u2 = _users(sessions, 2)

    def delivery(user_id: int, key: str = "108-1:idea_deadline:T-3d") -> Delivery:
        return Delivery(
            reminder_key=key,
            user_id=user_id,
            channel="line",
            external_id=f"U{user_id}",
            payload={"text": "構想收件截止"},
            next_attempt_at=NOW,
        )

    with sessions.begin() as session:
        session.add_all([delivery(u1), delivery(u2), delivery(u1, "broadcast:1")])
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.add(delivery(u1))
    with sessions() as session:
        row = session.scalars(sa.select(Delivery).where(Delivery.user_id == u1)).first()
        assert row is not None
        assert (row.status, row.attempts, row.payload) == ("pending", 0, {"text": "構想收件截止"})
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.add(Delivery(**{**_fields(delivery(u2, "k2")), "status": "lost"}))


def _fields(row: Delivery) -> dict[str, object]:
    return {c.key: getattr(row, c.key) for c in sa.inspect(Delivery).column_attrs if c.key != "id"}


def test_datetimes_round_trip_as_aware_utc(sessions: sessionmaker[Session]) -> None:
    noon = datetime(2019, 5, 31, 12, 0, tzinfo=TAIPEI)
    with sessions.begin() as session:
        session.add(
            PlannedReminder(
                key="108-1:idea_deadline:T-3h",
                kind="deadline",
                round="108-1",
                milestone="idea_deadline",
                audience="all",
                fire_at=noon - timedelta(hours=3),
                deadline_at=noon,
                payload={"milestone": "idea_deadline"},
            )
        )
    with sessions() as session:
        row = session.scalars(sa.select(PlannedReminder)).one()
        assert row.deadline_at == noon
        assert row.deadline_at is not None and row.deadline_at.tzinfo is UTC
        assert row.deadline_at == datetime(2019, 5, 31, 4, 0, tzinfo=UTC)
        assert row.fire_at.tzinfo is UTC
        # comparisons in SQL work across zones: 09:00 Taipei == 01:00 UTC
        due = sa.select(PlannedReminder.key).where(
            PlannedReminder.fire_at <= datetime(2019, 5, 31, 1, 0, tzinfo=UTC)
        )
        assert session.scalars(due).all() == ["108-1:idea_deadline:T-3h"]
        early = sa.select(PlannedReminder.key).where(
            PlannedReminder.fire_at < datetime(2019, 5, 31, 8, 59, tzinfo=TAIPEI)
        )
        assert session.scalars(early).all() == []
        assert row.status == "pending"


def test_naive_datetimes_are_refused(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(StatementError, match="naive datetime"), sessions.begin() as session:
        session.add(
            PlannedReminder(key="k", kind="event", audience="all", fire_at=datetime(2019, 5, 31))
        )


def test_json_and_text_keep_traditional_chinese(sessions: sessionmaker[Session]) -> None:
    event = {"event": "user", "text": "構想書什麼時候截止?", "parse_data": {"entities": []}}
    with sessions.begin() as session:
        session.add(ConversationEvent(sender_key="rest:alice", turn=1, event=event))
    with sessions() as session:
        assert session.scalars(sa.select(ConversationEvent.event)).one() == event
