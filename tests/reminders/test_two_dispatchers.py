"""Two dispatchers on PostgreSQL draining one outbox: nothing twice, and both did work."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.line_sender import LineSender
from bot.channels.telegram_sender import TelegramSender
from bot.reminders.dispatcher import Dispatcher, advancing
from db import make_engine, make_session_factory
from db.models import Delivery
from knowledge import Programme
from tests.fakes import FakeLine, FakeTelegram
from tests.reminders.conftest import add_people, at, enqueue_deadline


@pytest.mark.parametrize("db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)],
                         indirect=True)  # fmt: skip
async def test_two_dispatchers_share_the_outbox(
    db_url: str, sessions: sessionmaker[Session], programme: Programme, fake_line: FakeLine,
    fake_telegram: FakeTelegram,
) -> None:  # fmt: skip
    add_people(sessions, 3000, 300)
    now = at("2019-05-24 10:00")
    enqueue_deadline(sessions, programme, key="two", text="提醒", now=now)

    async def run_one() -> Any:
        engine = make_engine(db_url)
        line = LineSender(access_token=fake_line.token, base_url=fake_line.base_url)
        telegram = TelegramSender(token=fake_telegram.token, base_url=fake_telegram.base_url)
        await line.start()
        await telegram.start()
        try:
            dispatcher = Dispatcher(
                make_session_factory(engine), now=advancing(now), line=line, telegram=telegram,
                line_rate=40.0, telegram_rate=100.0, per_chat_interval=0.0, line_in_flight=6,
                line_batches_per_claim=2,
            )  # fmt: skip
            return await dispatcher.drain()
        finally:
            await line.close()
            await telegram.close()
            engine.dispose()

    first, second = await asyncio.gather(run_one(), run_one())
    line_counts = Counter(u for b in fake_line.by_endpoint("multicast") for u in b.recipients)
    assert len(line_counts) == 3000 and set(line_counts.values()) == {1}
    assert len(fake_line.by_endpoint("multicast")) == 30 and first.duplicates == 0
    tg_counts = Counter(m.chat_id for m in fake_telegram.sent)
    assert len(tg_counts) == 300 and set(tg_counts.values()) == {1}
    assert first.sent > 0 and second.sent > 0, (first, second)
    assert first.sent + second.sent == 3300
    with sessions() as s:
        statuses = Counter(s.scalars(sa.select(Delivery.status)))
    assert statuses == {"sent": 3300}
