"""Fixtures for the reminder tests: the programme and people to remind (the migrated database
is ``sessions`` from tests/conftest.py, the fake platforms come from tests/fakes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

import knowledge
from bot.reminders import audience, planner, scheduler
from bot.reminders.outbox import Message, enqueue
from db.models import ChannelIdentity, ReminderSubscription, User
from db.subscriptions import subscribe
from knowledge import TZ, Programme


@pytest.fixture(scope="session")
def programme() -> Programme:
    return knowledge.load()


def at(text: str) -> datetime:
    """An Asia/Taipei instant from ``YYYY-MM-DD HH:MM``."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def add_user(
    session: Session, channel: str, external_id: str, *, subscribed: bool = True,
    lang: str = "zh-TW", **sub: Any,
) -> int:  # fmt: skip
    """A user with one identity, subscribed (all rounds/kinds by default) unless told otherwise."""
    user = User(language=lang)
    session.add(user)
    session.flush()
    session.add(ChannelIdentity(user_id=user.id, channel=channel, external_id=external_id))
    if subscribed:
        subscribe(
            session=session, user_id=user.id, now=at("2019-03-01 09:00"), language=lang, **sub
        )
    session.flush()
    return user.id


def add_people(sessions: sessionmaker[Session], n_line: int, n_telegram: int) -> None:
    """Bulk-insert users 1..n_line on LINE (``U00001``…) then n_telegram on Telegram (chat
    ``10000 + id``), all subscribed to every round and kind."""
    with sessions.begin() as s:
        n = n_line + n_telegram
        s.execute(sa.insert(User), [{"id": i, "language": "zh-TW"} for i in range(1, n + 1)])
        s.execute(
            sa.insert(ChannelIdentity),
            [
                {"user_id": i, "channel": "line" if i <= n_line else "telegram",
                 "external_id": f"U{i:05d}" if i <= n_line else str(10_000 + i)}
                for i in range(1, n + 1)
            ],
        )  # fmt: skip
        s.execute(
            sa.insert(ReminderSubscription),
            [{"user_id": i, "rounds": [], "kinds": [], "active": True} for i in range(1, n + 1)],
        )


def enqueue_deadline(
    sessions: sessionmaker[Session], programme: Programme, *, key: str, text: str, now: datetime
) -> int:
    """Plan round 108-1 and enqueue ``text`` under ``key`` for every deadline subscriber, in
    batches of 100; return how many deliveries were enqueued."""
    with sessions.begin() as s:
        scheduler.sync_plan(session=s, reminders=planner.plan(programme, "108-1"))
        found = audience.subscribers(session=s, round_id="108-1", kind="deadlines")
        messages = [Message(r, {"text": text, "round": "108-1"}) for r in found]
        return enqueue(session=s, reminder_key=key, messages=messages, now=now, batch_size=100)
