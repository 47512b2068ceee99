"""Scale-out benchmark: ``aigo serve`` workers on one PostgreSQL, one of them kill -9ed mid-run.

For ``--workers 1`` and then 2, on a fresh PostgreSQL database each: starts the fake LINE platform
(in this process) and the workers (each runs the webhook inbox and a reminder dispatcher), enqueues
a reminder for ``--recipients`` LINE users, and posts ``--events`` signed webhooks from
``--users`` senders spread over the workers (a client fails over to another worker when one does
not answer, as a load balancer would). With 2 workers, one is SIGKILLed half-way. Prints, per run:
events answered per second (first post to last answer), reminder deliveries per second, and
lost / duplicated events and reminders, and steps run twice (all must be 0).

    python bench/scale_out.py [--events 2000] [--users 200] [--recipients 20000]
                              [--admin-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import knowledge  # noqa: E402
from bench.chaos import SECRET, TEXTS, _event, _post_until_acked, _steps  # noqa: E402
from bot.channels.line import retry_key_for  # noqa: E402
from bot.reminders import audience, planner, scheduler  # noqa: E402
from bot.reminders.outbox import Message, enqueue  # noqa: E402
from db import make_engine, make_session_factory, upgrade  # noqa: E402
from db.models import ChannelIdentity, Delivery, InboxEvent, ReminderSubscription, User  # noqa: E402
from tests.fakes.line import FakeLine, start_fake_line  # noqa: E402
from tests.fakes.service import Service, start_service  # noqa: E402


class Pool:
    """The running workers; clients pick a live one (the load balancer stand-in)."""

    def __init__(self, services: list[Service]) -> None:
        self.services = services
        self.dead: set[int] = set()

    @property
    def url(self) -> str:
        live = [s for i, s in enumerate(self.services) if i not in self.dead]
        return random.choice(live).url if live else ""


def _fresh_database(admin_url: str) -> str:
    name = f"aigo_scale_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    return url


def _enqueue_reminder(url: str, recipients: int) -> int:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    programme = knowledge.load()
    with sessions.begin() as s:
        ids = range(1, recipients + 1)
        s.execute(sa.insert(User), [{"id": i, "language": "zh-TW"} for i in ids])
        s.execute(sa.insert(ChannelIdentity), [
            {"user_id": i, "channel": "line", "external_id": f"R{i:06d}"} for i in ids
        ])  # fmt: skip
        s.execute(sa.insert(ReminderSubscription), [
            {"user_id": i, "rounds": [], "kinds": [], "active": True, "quiet_hours": False}
            for i in ids
        ])  # fmt: skip
        s.execute(sa.text("SELECT setval('users_id_seq', :n)"), {"n": recipients})
    with sessions.begin() as s:
        scheduler.sync_plan(session=s, reminders=planner.plan(programme, "108-1"))
        found = audience.subscribers(session=s, round_id="108-1", kind="deadlines")
        messages = [Message(r, {"text": "提醒：構想收件截止", "round": "108-1"}) for r in found]
        count = enqueue(session=s, reminder_key="scale", messages=messages,
                        now=datetime.now(UTC), batch_size=100)  # fmt: skip
    engine.dispose()
    return count


def _outcome(url: str, acked: list[dict[str, object]], fake: FakeLine) -> dict[str, int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        statuses = Counter(conn.scalars(sa.select(Delivery.status)))
    engine.dispose()
    by_token = {str(e["replyToken"]): str(e["webhookEventId"]) for e in acked}
    by_key = {retry_key_for(str(e["webhookEventId"])): str(e["webhookEventId"]) for e in acked}
    answers: Counter[str] = Counter()
    reminded: Counter[str] = Counter()
    for sent in fake.sent:
        if sent.endpoint == "reply":
            answers[by_token.get(str(sent.body.get("replyToken")), "?")] += 1
        elif sent.endpoint == "push":
            answers[by_key.get(str(sent.retry_key), "?")] += 1
        elif sent.endpoint == "multicast":
            reminded.update(sent.recipients)
    ids = [str(e["webhookEventId"]) for e in acked]
    steps = _steps(url)
    return {
        "events lost": sum(1 for i in ids if answers[i] == 0),
        "events duplicated": sum(1 for i in ids if answers[i] > 1),
        "steps run twice": sum(1 for i in ids if steps[f"line:{i}"] > 1),
        "reminders not sent": statuses.get("pending", 0) + statuses.get("sending", 0),
        "reminders duplicated": sum(1 for c in reminded.values() if c > 1),
        "reminders sent": len(reminded),
    }


def _settled(url: str, events: int, recipients: int, fake: FakeLine) -> bool:
    engine = make_engine(url)
    with engine.connect() as conn:
        pending = conn.scalar(
            sa.select(sa.func.count()).select_from(InboxEvent).where(InboxEvent.status == "pending")
        )
        left = conn.scalar(
            sa.select(sa.func.count()).select_from(Delivery)
            .where(Delivery.status.in_(("pending", "sending")))
        )  # fmt: skip
    engine.dispose()
    answered = sum(1 for s in fake.sent if s.endpoint in ("reply", "push"))
    return pending == 0 and left == 0 and answered >= events


def run(workers: int, args: argparse.Namespace) -> None:
    fake, fake_server = start_fake_line()
    url = _fresh_database(args.admin_url)
    queued = _enqueue_reminder(url, args.recipients)
    env = {
        **os.environ, "AIGO_DATABASE_URL": url, "AIGO_LOG_LEVEL": "ERROR",
        "LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": fake.token,
        "LINE_API_BASE_URL": fake.base_url,
    }  # fmt: skip
    command = [sys.executable, "-m", "bot.cli", "serve", "--port"]
    pool = Pool(
        [start_service(lambda p: [*command, str(p)], env, cwd=ROOT) for _ in range(workers)]
    )
    acked: list[dict[str, object]] = []
    per_user = max(args.events // args.users, 1)
    started = time.monotonic()

    def sender(user: str) -> None:
        rng = random.Random(user)
        with httpx.Client(timeout=10) as client:
            for _ in range(per_user):
                event = _event(user, rng.choice(TEXTS))
                _post_until_acked(pool, event, client)  # type: ignore[arg-type]
                acked.append(event)
                time.sleep(0.5)  # a person's pace: under the per-user limit (20 per 10 s)

    threads = [threading.Thread(target=sender, args=(f"Uscale{n:03d}",)) for n in range(args.users)]
    for thread in threads:
        thread.start()
    if workers > 1:
        while len(acked) < args.events // 2:
            time.sleep(0.05)
        pool.services[0].kill()
        pool.dead.add(0)
    for thread in threads:
        thread.join()
    while not _settled(url, len(acked), queued, fake) and time.monotonic() - started < 900:
        time.sleep(0.2)
    elapsed = time.monotonic() - started
    outcome = _outcome(url, acked, fake)
    killed = ", one kill -9ed mid-run" if workers > 1 else ""
    print(f"{workers} worker(s){killed}: {len(acked)} events and {queued} reminders in "
          f"{elapsed:.1f} s -> {len(acked) / elapsed:.0f} events/s, "
          f"{outcome['reminders sent'] / elapsed:.0f} reminders/s")  # fmt: skip
    print("   " + ", ".join(f"{k} {v}" for k, v in outcome.items()))
    for i, service in enumerate(pool.services):
        if i not in pool.dead:
            service.stop()
    fake_server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--recipients", type=int, default=20_000)
    parser.add_argument(
        "--admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()
    for workers in (1, 2):
        run(workers, args)


if __name__ == "__main__":
    main()
