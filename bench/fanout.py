"""Reminder fan-out benchmark: plan + enqueue for 100,000 subscribers, then dispatch under limits.

    python bench/fanout.py [--subscribers 100000] [--engines sqlite,postgresql]

1. Enqueue: 100,000 subscribers (80 % LINE, 20 % Telegram) are inserted (not timed); then
   re-planning from the knowledge file and firing the 108-1 T-7d reminder (one outbox row per
   subscriber, one transaction) is timed. Target < 10 s on SQLite and PostgreSQL.
2. Dispatch: fresh outboxes are drained against the fake platforms running as separate processes
   that enforce LINE multicast 200 requests/s and Telegram 30 messages/s (429 beyond). Printed: the
   achieved rate as a fraction of the platform's allowed rate (target ≥ 0.9), 429s, peak memory.
   LINE: ``--line-rows`` recipients in multicasts of ``--line-batch`` ids (100 by default so the
   run lasts seconds, not one); Telegram: ``--telegram-rows`` messages.

PostgreSQL: ``AIGO_BENCH_POSTGRES_URL`` (default the local test server); a throwaway database is
created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import knowledge  # noqa: E402
from bot.channels.line_sender import LineSender  # noqa: E402
from bot.channels.telegram_sender import TelegramSender  # noqa: E402
from bot.reminders import audience, planner, scheduler  # noqa: E402
from bot.reminders.dispatcher import Dispatcher, advancing  # noqa: E402
from bot.reminders.outbox import Message, enqueue  # noqa: E402
from db import make_engine, make_session_factory, upgrade  # noqa: E402
from db.models import ChannelIdentity, Delivery, ReminderSubscription, User  # noqa: E402
from knowledge import TZ  # noqa: E402

PG_ADMIN = os.environ.get(
    "AIGO_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
NOW = datetime(2019, 5, 24, 10, 0, tzinfo=TZ)
LINE_TOKEN, TG_TOKEN = "line-test-token", "123456:telegram-test-token"


@contextmanager
def database(engine_name: str) -> Iterator[str]:
    """A fresh, migrated database URL for ``sqlite`` or ``postgresql``."""
    if engine_name == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            upgrade(url)
            yield url
        return
    name = f"aigo_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def add_people(url: str, n: int, line_share: float = 0.8) -> None:
    """``n`` subscribed users, the first ``line_share`` on LINE, the rest on Telegram."""
    engine = make_engine(url)
    n_line = int(n * line_share)
    with engine.begin() as conn:
        for start in range(1, n + 1, 20_000):
            ids = range(start, min(start + 20_000, n + 1))
            conn.execute(sa.insert(User), [{"id": i, "language": "zh-TW"} for i in ids])
            conn.execute(
                sa.insert(ChannelIdentity),
                [
                    {"user_id": i, "channel": "line" if i <= n_line else "telegram",
                     "external_id": f"U{i:032x}" if i <= n_line else str(1_000_000 + i)}
                    for i in ids
                ],
            )  # fmt: skip
            conn.execute(
                sa.insert(ReminderSubscription),
                [{"user_id": i, "rounds": [], "kinds": [], "active": True} for i in ids],
            )
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT setval('users_id_seq', :n)"), {"n": n})
    engine.dispose()


def bench_enqueue(engine_name: str, n: int) -> None:
    with database(engine_name) as url:
        add_people(url, n)
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        programme = knowledge.load()
        started = time.perf_counter()
        with sessions.begin() as session:
            scheduler.sync_plan(session=session, reminders=planner.plan(programme))
        result = scheduler.fire_due(sessions, programme, NOW)
        elapsed = time.perf_counter() - started
        with sessions() as session:
            rows = session.scalar(sa.select(sa.func.count()).select_from(Delivery))
        engine.dispose()
    verdict = "OK" if elapsed < 10 else "SLOW"
    print(f"enqueue  {engine_name:<10} {n} subscribers: plan + fire {result.fired} -> {rows} "
          f"outbox rows in {elapsed:.2f} s  (target < 10 s: {verdict})")  # fmt: skip


def start_fake(module: str, port: int, *flags: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", module, "--port", str(port), *flags], cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/__fake/stats", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{module} did not start")


def fill_outbox(url: str, channel: str, n: int, batch: int) -> None:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        session.execute(sa.delete(Delivery))
        found = [
            r
            for r in audience.subscribers(session=session, round_id="108-1", kind="deadlines")
            if r.channel == channel
        ][:n]
        messages = [Message(r, {"text": "【AIGO 提醒】構想收件將於 5月31日 截止"}) for r in found]
        enqueue(session=session, reminder_key=f"bench-{channel}", messages=messages, now=NOW,
                batch_size=batch)  # fmt: skip
    engine.dispose()


async def dispatch(url: str, line_url: str | None, tg_url: str | None, **options: object) -> float:
    engine = make_engine(url)
    line = LineSender(access_token=LINE_TOKEN, base_url=line_url) if line_url else None
    telegram = TelegramSender(token=TG_TOKEN, base_url=tg_url) if tg_url else None
    for sender in (line, telegram):
        if sender is not None:
            await sender.start()
    dispatcher = Dispatcher(
        make_session_factory(engine), now=advancing(NOW), line=line, telegram=telegram,
        **options,  # type: ignore[arg-type]
    )  # fmt: skip
    started = time.perf_counter()
    await dispatcher.drain()
    elapsed = time.perf_counter() - started
    for sender in (line, telegram):
        if sender is not None:
            await sender.close()
    engine.dispose()
    return elapsed


def bench_dispatch(engine_name: str, args: argparse.Namespace) -> None:
    line_port, tg_port = 18_000 + os.getpid() % 1000, 19_000 + os.getpid() % 1000
    line = start_fake("tests.fakes.line", line_port, "--multicast-rate", "200")
    tg = start_fake("tests.fakes.telegram", tg_port, "--rate-limit", "30")
    line_options = {} if args.line_rate is None else {"line_rate": args.line_rate}
    try:
        with database(engine_name) as url:
            add_people(url, max(args.line_rows, args.telegram_rows), line_share=1.0)
            fill_outbox(url, "line", args.line_rows, args.line_batch)
            secs = asyncio.run(dispatch(url, f"http://127.0.0.1:{line_port}", None, **line_options))
            stats = httpx.get(f"http://127.0.0.1:{line_port}/__fake/stats").json()
            rate = stats.get("multicast", 0) / secs
            print(f"dispatch {engine_name:<10} LINE: {stats.get('multicast', 0)} multicasts "
                  f"({stats.get('recipients', 0)} recipients) in {secs:.2f} s = {rate:.1f} req/s "
                  f"= {rate / 200:.2f} of 200 req/s; 429s: {stats.get('rejected', 0)}")  # fmt: skip
        with database(engine_name) as url:
            add_people(url, args.telegram_rows, line_share=0.0)
            fill_outbox(url, "telegram", args.telegram_rows, args.line_batch)
            secs = asyncio.run(
                dispatch(url, None, f"http://127.0.0.1:{tg_port}",
                         telegram_rate=args.telegram_rate)
            )  # fmt: skip
            stats = httpx.get(f"http://127.0.0.1:{tg_port}/__fake/stats").json()
            rate = stats["sendMessage"] / secs
            print(f"dispatch {engine_name:<10} Telegram: {stats['sendMessage']} messages in "
                  f"{secs:.2f} s = {rate:.1f} msg/s = {rate / 30:.2f} of 30 msg/s "
                  f"({rate / args.telegram_rate:.2f} of the configured {args.telegram_rate}/s); "
                  f"429s: {stats['rejected']}")  # fmt: skip
    finally:
        line.kill()
        tg.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--line-rows", type=int, default=100_000)
    parser.add_argument("--line-batch", type=int, default=100)
    parser.add_argument("--line-rate", type=float, default=None, help="default: the dispatcher's")
    parser.add_argument("--telegram-rows", type=int, default=600)
    parser.add_argument("--telegram-rate", type=float, default=28.0)
    parser.add_argument("--skip-dispatch", action="store_true")
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    for name in engines:
        bench_enqueue(name, args.subscribers)
    if not args.skip_dispatch:
        for name in engines:
            bench_dispatch(name, args)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS of this process): {peak:.0f} MB")


if __name__ == "__main__":
    main()
