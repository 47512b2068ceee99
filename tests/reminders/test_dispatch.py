"""The dispatcher against the fake LINE and Telegram platforms."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.line_sender import LineSender
from bot.channels.telegram_sender import TelegramSender
from bot.reminders import planner, scheduler
from bot.reminders.dispatcher import Dispatcher, advancing
from db.models import Delivery, User
from db.subscriptions import subscribe, unsubscribe
from knowledge import Programme
from tests.fakes import FakeLine, FakeTelegram
from tests.reminders.conftest import add_user, at

T7 = "108-1:idea_deadline:T-7d"


@pytest.fixture
async def senders(
    fake_line: FakeLine, fake_telegram: FakeTelegram
) -> AsyncIterator[tuple[LineSender, TelegramSender]]:
    line = LineSender(access_token=fake_line.token, base_url=fake_line.base_url)
    telegram = TelegramSender(token=fake_telegram.token, base_url=fake_telegram.base_url)
    await line.start()
    await telegram.start()
    yield line, telegram
    await line.close()
    await telegram.close()


def _dispatcher(
    sessions: sessionmaker[Session], senders: tuple[LineSender, TelegramSender], when: str,
    **options: Any,
) -> Dispatcher:  # fmt: skip
    options = {"backoff": 0.05, "telegram_rate": 200.0, "per_chat_interval": 0.0} | options
    line, telegram = senders
    return Dispatcher(sessions, now=advancing(at(when)), line=line, telegram=telegram, **options)


def _fire(sessions: sessionmaker[Session], programme: Programme, when: str) -> None:
    with sessions.begin() as s:
        scheduler.sync_plan(session=s, reminders=planner.plan(programme, "108-1"))
    scheduler.fire_due(sessions, programme, at(when))


def _status(sessions: sessionmaker[Session], key: str = T7) -> dict[int, tuple[str, str | None]]:
    with sessions() as s:
        stmt = sa.select(Delivery.user_id, Delivery.status, Delivery.last_error).where(
            Delivery.reminder_key == key
        )
        return {uid: (st, err) for uid, st, err in s.execute(stmt)}


def _line_users(sessions: sessionmaker[Session], n: int) -> list[int]:
    with sessions.begin() as s:
        return [add_user(s, "line", f"U{i:05d}") for i in range(n)]


async def test_line_multicast_batches_of_500_with_retry_keys(
    sessions: sessionmaker[Session], programme: Programme, fake_line: FakeLine, senders: Any
) -> None:
    users = _line_users(sessions, 1100)
    _fire(sessions, programme, "2019-05-24 10:00")
    stats = await _dispatcher(sessions, senders, "2019-05-24 10:00").drain()
    batches = fake_line.by_endpoint("multicast")
    assert sorted(len(b.recipients) for b in batches) == [100, 500, 500]
    assert len({b.retry_key for b in batches}) == 3 and all(b.retry_key for b in batches)
    received = Counter(u for b in batches for u in b.recipients)
    assert len(received) == 1100 and set(received.values()) == {1}
    assert stats.sent == 1100
    assert {st for st, _ in _status(sessions).values()} == {"sent"}
    assert set(_status(sessions)) == set(users)


async def test_500_and_429_are_retried_then_sent_once(
    sessions: sessionmaker[Session], programme: Programme, fake_line: FakeLine,
    fake_telegram: FakeTelegram, senders: Any,
) -> None:  # fmt: skip
    _line_users(sessions, 3)
    with sessions.begin() as s:
        tg = add_user(s, "telegram", "4242")
    _fire(sessions, programme, "2019-05-24 10:00")
    fake_line.fail_next("multicast", 500, times=2)
    fake_line.fail_next("multicast", 429)
    fake_telegram.fail_next("sendMessage", 500)
    fake_telegram.fail_next("sendMessage", 429)
    stats = await _dispatcher(sessions, senders, "2019-05-24 10:00").drain()
    assert [s for _, s, _ in fake_line.rejected] == [500, 500, 429]
    assert len(fake_line.by_endpoint("multicast")) == 1
    assert fake_telegram.texts_to(4242) and len(fake_telegram.texts_to(4242)) == 1
    assert stats.retried == 3 * 3 + 2 and stats.sent == 4
    assert _status(sessions)[tg][0] == "sent"


async def test_dead_letter_after_max_attempts(
    sessions: sessionmaker[Session], programme: Programme, fake_line: FakeLine, senders: Any
) -> None:
    (uid,) = _line_users(sessions, 1)
    _fire(sessions, programme, "2019-05-24 10:00")
    fake_line.fail_next("multicast", 500, times=10)
    stats = await _dispatcher(sessions, senders, "2019-05-24 10:00", max_attempts=3).drain()
    status, error = _status(sessions)[uid]
    assert status == "dead" and error is not None and "gave up after 3 attempts" in error
    assert stats.dead == 1 and not fake_line.by_endpoint("multicast")


async def test_telegram_403_deactivates_and_stops_further_reminders(
    sessions: sessionmaker[Session], programme: Programme, fake_telegram: FakeTelegram,
    senders: Any,
) -> None:  # fmt: skip
    with sessions.begin() as s:
        blocked = add_user(s, "telegram", "666")
        fine = add_user(s, "telegram", "777")
    fake_telegram.blocked.add("666")
    _fire(sessions, programme, "2019-05-24 10:00")
    stats = await _dispatcher(sessions, senders, "2019-05-24 10:00").drain()
    assert stats.deactivated == 1
    with sessions() as s:
        assert s.get(User, blocked).active is False  # type: ignore[union-attr]
    scheduler.fire_due(sessions, programme, at("2019-05-28 10:00"))
    assert blocked not in _status(sessions, "108-1:idea_deadline:T-3d")
    assert fine in _status(sessions, "108-1:idea_deadline:T-3d")


async def test_unsubscribe_stops_pending_deliveries(
    sessions: sessionmaker[Session], programme: Programme, fake_line: FakeLine, senders: Any
) -> None:
    leaver, stayer, switcher = _line_users(sessions, 3)
    _fire(sessions, programme, "2019-05-24 10:00")
    with sessions.begin() as s:
        assert unsubscribe(session=s, user_id=leaver, now=at("2019-05-24 10:01")) == 1
        # Switching to another round only is checked at send time.
        subscribe(session=s, user_id=switcher, now=at("2019-05-24 10:01"), rounds=["108-2"])
    await _dispatcher(sessions, senders, "2019-05-24 10:02").drain()
    sent_to = {u for b in fake_line.by_endpoint("multicast") for u in b.recipients}
    assert sent_to == {"U00001"}
    status = _status(sessions)
    assert status[leaver] == ("skipped", "unsubscribed")
    assert status[switcher] == ("skipped", "round not subscribed")
    assert status[stayer][0] == "sent"


async def test_quiet_hours_hold_messages_until_morning(
    sessions: sessionmaker[Session], programme: Programme, fake_line: FakeLine, senders: Any
) -> None:
    with sessions.begin() as s:
        sleeper = add_user(s, "line", "Usleep")
        owl = add_user(s, "line", "Uowl", quiet_hours=False)
        scheduler.sync_plan(session=s, reminders=planner.plan(programme, "108-1"))
    # Back up at 23:00 the evening before the T-1d reminder's deadline day... it fires late.
    scheduler.fire_due(sessions, programme, at("2019-05-30 23:00"))
    await _dispatcher(sessions, senders, "2019-05-30 23:00").drain()
    key = "108-1:idea_deadline:T-1d"
    assert _status(sessions, key)[owl][0] == "sent"
    assert _status(sessions, key)[sleeper][0] == "pending"  # waits for 08:00
    await _dispatcher(sessions, senders, "2019-05-31 08:00").drain()
    assert _status(sessions, key)[sleeper][0] == "sent"
    assert len(fake_line.by_endpoint("multicast")) == 2


async def test_line_409_counts_as_sent(
    sessions: sessionmaker[Session], programme: Programme, fake_line: FakeLine, senders: Any
) -> None:
    _line_users(sessions, 2)
    _fire(sessions, programme, "2019-05-24 10:00")
    await _dispatcher(sessions, senders, "2019-05-24 10:00").drain()
    with sessions.begin() as s:  # as if the process died before recording the success
        s.execute(sa.update(Delivery).values(status="pending"))
    stats = await _dispatcher(sessions, senders, "2019-05-24 10:00").drain()
    assert stats.duplicates == 2 and stats.sent == 2
    assert len(fake_line.by_endpoint("multicast")) == 1
    await asyncio.sleep(0)
