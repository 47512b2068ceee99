"""A dispatcher process for the crash test: drains the outbox against the fake platforms.

``python -m tests.reminders.crash_worker DB_URL LINE_URL TELEGRAM_URL NOW`` (tokens: the fakes'
defaults). Exits when the outbox is drained; the test kills it with SIGKILL at random points.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime, timedelta

from bot.channels.line_sender import LineSender
from bot.channels.telegram_sender import TelegramSender
from bot.reminders.dispatcher import Dispatcher, advancing
from db import make_engine, make_session_factory
from tests.fakes.line import FakeLine
from tests.fakes.telegram import FakeTelegram


async def main(db_url: str, line_url: str, telegram_url: str, now: str) -> None:
    engine = make_engine(db_url)
    line = LineSender(access_token=FakeLine.token, base_url=line_url)
    telegram = TelegramSender(token=FakeTelegram.token, base_url=telegram_url)
    await line.start()
    await telegram.start()
    dispatcher = Dispatcher(
        make_session_factory(engine), now=advancing(datetime.fromisoformat(now)), line=line,
        telegram=telegram, line_rate=20.0, line_in_flight=4, line_batches_per_claim=2,
        telegram_rate=150.0, per_chat_interval=0.0, backoff=0.05,
        stale_after=timedelta(seconds=0.5),
    )  # fmt: skip
    stats = await dispatcher.drain()
    print(stats, flush=True)
    await line.close()
    await telegram.close()
    engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
