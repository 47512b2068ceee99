"""Scale-out benchmark: `aigo serve` workers on one PostgreSQL, events and reminders apart.

Each run gets a fresh PostgreSQL database, the fake LINE platform (in this process) and N workers
(each serves webhooks, drains the inbox and runs a reminder dispatcher); a client fails over to
another worker when one does not answer, as a load balancer would. A run has two phases:

1. **events**: ``--users`` senders post ``--events`` signed webhooks (one event each, a person's
   pace between one sender's events) spread over the workers; measured from the first post to
   the last answer (reply or push) received by the fake: events/s, and the worst answer delay.
2. **reminders**: ``--recipients`` deliveries (LINE multicasts of 100) are enqueued; measured from
   the commit to the last multicast received: reminders/s.

Each phase also reports CPU seconds per 1,000 events (or 10,000 reminders) of every process:
the workers, the PostgreSQL backends and background processes, the fake LINE server (a thread
here) and the benchmark's own client; for the events, what PostgreSQL's active backends waited on
(lock contention, WAL flushes); for the reminders, multicasts the fake refused with 429 (it allows
200 requests/s, as LINE does). Runs alternate 1 and 2 workers ``--runs`` times; medians are
printed with the 2-vs-1 ratio. Then a last run with 2 workers sends events and reminders at once
and SIGKILLs one worker half-way. Every run checks: events lost, duplicated, steps run twice,
reminders not sent or duplicated (all must be 0; the exit status is 1 otherwise).

    python bench/scale_out.py [--events 2000] [--users 200] [--recipients 20000] [--runs 3]
                              [--admin-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import knowledge  # noqa: E402
from bench._cpu import CpuMeter  # noqa: E402
from bench.chaos import SECRET, TEXTS, _event, _steps  # noqa: E402
from bot.channels.line import retry_key_for  # noqa: E402
from bot.reminders import audience, planner, scheduler  # noqa: E402
from bot.reminders.outbox import Message, enqueue  # noqa: E402
from db import make_engine, make_session_factory, upgrade  # noqa: E402
from db.models import ChannelIdentity, Delivery, InboxEvent, ReminderSubscription, User  # noqa: E402
from tests.fakes.line import FakeLine, start_fake_line  # noqa: E402
from tests.fakes.service import Service, start_service  # noqa: E402

PACE = 0.5  # seconds between one sender's events: a person's pace (limit: 20 per 10 s)
LINE_MULTICAST_LIMIT = 200  # requests per second per channel, as LINE allows (the fake: 429)


class Pool:
    """The running workers; clients pick a live one (the load balancer stand-in)."""

    def __init__(self, services: list[Service]) -> None:
        self.services = services
        self.dead: set[int] = set()

    @property
    def url(self) -> str:
        live = [s for i, s in enumerate(self.services) if i not in self.dead]
        return random.choice(live).url if live else ""


@dataclass
class Phase:
    """One measured phase: how many, how long, CPU seconds per process group."""

    count: int
    seconds: float
    cpu: dict[str, float]
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Run:
    workers: int
    events: Phase | None = None
    reminders: Phase | None = None
    outcome: dict[str, int] = field(default_factory=dict)
    waits: str = ""


def _fresh_database(admin_url: str) -> tuple[str, str]:
    name = f"aigo_scale_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    return url, name


def _drop_database(admin_url: str, name: str) -> None:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _add_recipients(engine: sa.Engine, recipients: int) -> None:
    """LINE users R000001… subscribed to every reminder (ids 1…n; chat users come after)."""
    with make_session_factory(engine).begin() as s:
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
        scheduler.sync_plan(session=s, reminders=planner.plan(knowledge.load(), "108-1"))


def _enqueue_reminder(engine: sa.Engine) -> int:
    with make_session_factory(engine).begin() as s:
        found = audience.subscribers(session=s, round_id="108-1", kind="deadlines")
        messages = [Message(r, {"text": "提醒：構想收件截止", "round": "108-1"}) for r in found]
        return enqueue(session=s, reminder_key="scale", messages=messages,
                       now=datetime.now(UTC), batch_size=100)  # fmt: skip


def _left(engine: sa.Engine) -> tuple[int, int]:
    """(inbox rows pending, deliveries pending or sending)."""
    with engine.connect() as conn:
        pending = conn.scalar(
            sa.select(sa.func.count()).select_from(InboxEvent).where(InboxEvent.status == "pending")
        )
        left = conn.scalar(
            sa.select(sa.func.count()).select_from(Delivery)
            .where(Delivery.status.in_(("pending", "sending")))
        )  # fmt: skip
    return int(pending or 0), int(left or 0)


class Waits:
    """What the database's active backends wait on, sampled from ``pg_stat_activity`` every
    0.5 s (``CPU`` when on no wait): lock contention shows up as ``Lock:…``, commit flushes as
    ``IO:WALSync``/``LWLock:WALWrite``."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine, self.seen, self.samples = engine, Counter[str](), 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        query = sa.text(
            "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') FROM pg_stat_activity "
            "WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()"
        )
        with self.engine.connect() as conn:
            while not self._stop.wait(0.5):
                self.seen.update(conn.scalars(query))
                conn.rollback()
                self.samples += 1

    def start(self) -> Waits:
        self._thread.start()
        return self

    def stop(self) -> str:
        """The average number of active backends and the main things they waited on."""
        self._stop.set()
        self._thread.join()
        total = sum(self.seen.values())
        top = ", ".join(f"{name} {count / total:.0%}" for name, count in self.seen.most_common(4))
        return f"{total / max(self.samples, 1):.1f} active backends on average ({top})"


class Load:
    """Posts events from ``users`` senders through ``pool`` (one thread each)."""

    def __init__(self, pool: Pool, events: int, users: int) -> None:
        self.pool, self.per_user, self.users = pool, max(events // users, 1), users
        self.acked: list[dict[str, object]] = []
        self.posted: dict[str, float] = {}  # webhookEventId -> first post (monotonic)
        self.threads = [
            threading.Thread(target=self._sender, args=(f"Uscale{n:03d}",)) for n in range(users)
        ]

    def _sender(self, user: str) -> None:
        rng = random.Random(user)
        connections: dict[str, http.client.HTTPConnection] = {}
        for _ in range(self.per_user):
            event = _event(user, rng.choice(TEXTS))
            self.posted[str(event["webhookEventId"])] = time.monotonic()
            self._post_until_acked(event, connections)
            self.acked.append(event)
            time.sleep(PACE)
        for connection in connections.values():
            connection.close()

    def _post_until_acked(
        self, event: dict[str, object], connections: dict[str, http.client.HTTPConnection]
    ) -> None:
        """POST until a worker answers 200; a failed post goes again, to any live worker (as
        LINE redelivers). ``http.client`` with keep-alive: a third of httpx's CPU per request."""
        body = json.dumps({"destination": "Ubot", "events": [event]}).encode()
        digest = hmac.new(SECRET.encode(), body, hashlib.sha256).digest()
        headers = {"x-line-signature": base64.b64encode(digest).decode(),
                   "content-type": "application/json"}  # fmt: skip
        while True:
            url = self.pool.url
            if url:
                connection = connections.get(url)
                if connection is None:
                    host, port = url.removeprefix("http://").split(":")
                    connection = connections[url] = http.client.HTTPConnection(
                        host, int(port), timeout=10
                    )
                try:
                    connection.request("POST", "/webhooks/line/webhook", body, headers)
                    response = connection.getresponse()
                    response.read()
                    if response.status == 200:
                        return
                except (OSError, http.client.HTTPException):
                    connections.pop(url).close()
            time.sleep(0.1)

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def join(self) -> None:
        for thread in self.threads:
            thread.join()


def _answers(acked: list[dict[str, object]], fake: FakeLine) -> dict[str, list[float]]:
    """webhookEventId → times (monotonic) of the answers the fake accepted for it."""
    by_token = {str(e["replyToken"]): str(e["webhookEventId"]) for e in acked}
    by_key = {retry_key_for(str(e["webhookEventId"])): str(e["webhookEventId"]) for e in acked}
    found: dict[str, list[float]] = {str(e["webhookEventId"]): [] for e in acked}
    for sent in list(fake.sent):
        if sent.endpoint == "reply":
            event_id = by_token.get(str(sent.body.get("replyToken")))
        elif sent.endpoint == "push":
            event_id = by_key.get(str(sent.retry_key))
        else:
            continue
        if event_id is not None:
            found[event_id].append(sent.at)
    return found


def _multicast(fake: FakeLine) -> tuple[Counter[str], float, float]:
    """Recipients of every multicast so far, and the times of the first and the last one."""
    reminded: Counter[str] = Counter()
    times = [0.0]
    for sent in list(fake.sent):
        if sent.endpoint == "multicast":
            reminded.update(sent.recipients)
            times.append(sent.at)
    return reminded, min(times[1:], default=0.0), max(times)


def _multicast_recipients(fake: FakeLine) -> int:
    return sum(len(s.body["to"]) for s in list(fake.sent) if s.endpoint == "multicast")


def _wait(done: Callable[[], bool], limit: float = 900.0) -> None:
    deadline = time.monotonic() + limit
    while not done() and time.monotonic() < deadline:
        time.sleep(0.2)


class _Answered:
    """True once every acked event has an answer, or nothing was pending in the inbox for 10 s
    (an event that was lost: :meth:`Scenario.outcome` counts it)."""

    def __init__(self, scenario: Scenario, load: Load) -> None:
        self.scenario, self.load = scenario, load
        self.idle_since: float | None = None

    def __call__(self) -> bool:
        fake = self.scenario.fake
        answered = sum(1 for s in list(fake.sent) if s.endpoint in ("reply", "push"))
        if answered >= len(self.load.acked) and all(_answers(self.load.acked, fake).values()):
            return True
        if _left(self.scenario.engine)[0]:
            self.idle_since = None
        elif self.idle_since is None:
            self.idle_since = time.monotonic()
        return self.idle_since is not None and time.monotonic() - self.idle_since > 10


class Scenario:
    """A fresh database, the fake LINE platform and ``workers`` running services."""

    def __init__(self, workers: int, args: argparse.Namespace) -> None:
        self.args = args
        self.fake, self.fake_server = start_fake_line()
        self.fake.rate_limits["multicast"] = LINE_MULTICAST_LIMIT
        self.url, self.name = _fresh_database(args.admin_url)
        self.engine = make_engine(self.url)
        _add_recipients(self.engine, args.recipients)
        env = {
            **os.environ, "AIGO_DATABASE_URL": self.url, "AIGO_LOG_LEVEL": "ERROR",
            "LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": self.fake.token,
            "LINE_API_BASE_URL": self.fake.base_url,
        }  # fmt: skip
        command = [sys.executable, "-m", "bot.cli", "serve", "--port"]
        self.pool = Pool(
            [start_service(lambda p: [*command, str(p)], env, cwd=ROOT) for _ in range(workers)]
        )
        self.queued = 0
        self.waits = ""

    def meter(self) -> CpuMeter:
        meter = CpuMeter(database=self.name)
        for i, service in enumerate(self.pool.services):
            meter.processes[service.proc.pid] = f"worker {i + 1}"
        meter.threads[self.fake_server._thread.native_id or 0] = "fake LINE"
        return meter.start()

    def events(self) -> Phase:
        load = Load(self.pool, self.args.events, self.args.users)
        meter, waits = self.meter(), Waits(self.engine).start()
        started = time.monotonic()
        load.start()
        load.join()
        _wait(_Answered(self, load))
        cpu = meter.stop()
        self.waits = waits.stop()
        answers = {i: t for i, t in _answers(load.acked, self.fake).items() if t}
        last = max(max(times) for times in answers.values())
        delays = [min(answers[i]) - load.posted[i] for i in answers]
        extra = {"answer delay p50": statistics.median(delays), "answer delay max": max(delays)}
        self.acked = load.acked
        return Phase(len(load.acked), last - started, cpu, extra)

    def reminders(self) -> Phase:
        meter = self.meter()
        started = time.monotonic()
        self.queued = _enqueue_reminder(self.engine)
        committed = time.monotonic()
        _wait(lambda: _multicast_recipients(self.fake) >= self.queued and not _left(self.engine)[1])
        cpu = meter.stop()
        reminded, first, last = _multicast(self.fake)
        refused = sum(1 for endpoint, status, _ in self.fake.rejected if status == 429)
        extra = {"enqueue s": committed - started, "first send after s": first - committed,
                 "429s": refused}  # fmt: skip
        return Phase(len(reminded), last - committed, cpu, extra)

    def both_with_kill(self) -> None:
        """Events and reminders at once; worker 1 is SIGKILLed once half the events are answered
        (in the middle of the work: acks come long before the answers when a backlog builds)."""
        load = Load(self.pool, self.args.events, self.args.users)
        load.start()
        self.queued = _enqueue_reminder(self.engine)
        half = self.args.events // 2
        _wait(lambda: sum(s.endpoint in ("reply", "push") for s in list(self.fake.sent)) >= half)
        self.pool.services[0].kill()
        self.pool.dead.add(0)
        load.join()
        self.acked = load.acked
        _wait(_Answered(self, load))
        _wait(lambda: not _left(self.engine)[1])

    def outcome(self) -> dict[str, int]:
        time.sleep(1.0)  # anything sent twice arrives now
        answers = _answers(self.acked, self.fake)
        steps = _steps(self.url)
        reminded, _, _ = _multicast(self.fake)
        return {
            "events lost": sum(1 for t in answers.values() if not t),
            "events duplicated": sum(1 for t in answers.values() if len(t) > 1),
            "steps run twice": sum(1 for i in answers if steps[f"line:{i}"] > 1),
            "reminders not sent": self.queued - len(reminded),
            "reminders duplicated": sum(1 for c in reminded.values() if c > 1),
        }

    def close(self) -> None:
        for i, service in enumerate(self.pool.services):
            if i not in self.pool.dead:
                service.stop()
        self.fake_server.stop()
        self.engine.dispose()
        _drop_database(self.args.admin_url, self.name)


def measured(workers: int, args: argparse.Namespace) -> Run:
    scenario = Scenario(workers, args)
    try:
        run = Run(workers, events=scenario.events(), reminders=scenario.reminders())
        run.outcome, run.waits = scenario.outcome(), scenario.waits
    finally:
        scenario.close()
    _print_run(run)
    return run


def killed(args: argparse.Namespace) -> dict[str, int]:
    scenario = Scenario(2, args)
    started = time.monotonic()
    try:
        scenario.both_with_kill()
        elapsed = time.monotonic() - started
        outcome = scenario.outcome()
    finally:
        scenario.close()
    print(f"2 workers, events and reminders at once, one kill -9ed mid-run: {len(scenario.acked)} "
          f"events and {scenario.queued} reminders done in {elapsed:.1f} s")  # fmt: skip
    print("   " + _outcome_line(outcome))
    return outcome


def _outcome_line(outcome: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in outcome.items())


def _cpu_line(phase: Phase, per: int) -> str:
    groups = sorted(phase.cpu.items(), key=lambda kv: (not kv[0].startswith("worker"), kv[0]))
    parts = [f"{name} {seconds * per / max(phase.count, 1):.1f}" for name, seconds in groups]
    total = sum(phase.cpu.values()) * per / max(phase.count, 1)
    return f"total {total:.1f} = " + ", ".join(parts)


def _print_run(run: Run) -> None:
    assert run.events is not None and run.reminders is not None
    e, r = run.events, run.reminders
    print(f"{run.workers} worker(s): {e.count} events in {e.seconds:.1f} s = {e.rate:.1f} events/s "
          f"(answer delay p50 {e.extra['answer delay p50']:.2f} s, max "
          f"{e.extra['answer delay max']:.1f} s); {r.count} reminders in {r.seconds:.2f} s "
          f"= {r.rate:.0f} reminders/s (first send {r.extra['first send after s']:.2f} s after "
          f"the commit; {r.extra['429s']:.0f} multicasts refused with 429)")  # fmt: skip
    print(f"   CPU s per 1,000 events: {_cpu_line(e, 1000)}")
    print(f"   PostgreSQL during the events: {run.waits}")
    print(f"   CPU s per 10,000 reminders: {_cpu_line(r, 10_000)}")
    print("   " + _outcome_line(run.outcome))


def _summary(runs: list[Run]) -> None:
    def median(workers: int, pick: Callable[[Run], float]) -> float:
        return statistics.median(pick(r) for r in runs if r.workers == workers)

    print(f"\nmedians of {sum(r.workers == 1 for r in runs)} runs each:")
    for name, pick in (
        ("events/s", lambda r: r.events.rate if r.events else 0.0),
        ("reminders/s", lambda r: r.reminders.rate if r.reminders else 0.0),
        ("CPU s / 1,000 events", lambda r: _per(r.events, 1000)),
    ):
        one, two = median(1, pick), median(2, pick)
        print(f"   {name:22} 1 worker {one:8.1f}   2 workers {two:8.1f}   ratio {two / one:.2f}")
    ones = [r.events.rate for r in runs if r.workers == 1 and r.events]
    twos = [r.events.rate for r in runs if r.workers == 2 and r.events]
    pairs = ", ".join(f"{b / a:.2f}" for a, b in zip(ones, twos, strict=False) if a)
    print(
        f"   events/s, 2 vs 1 in each pair of consecutive runs: {pairs} (the machine's load "
        "changes between pairs more than within one)"
    )


def _per(phase: Phase | None, per: int) -> float:
    return sum(phase.cpu.values()) * per / max(phase.count, 1) if phase else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--recipients", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3, help="runs of 1 and of 2 workers")
    parser.add_argument("--no-kill", action="store_true", help="skip the kill -9 run")
    parser.add_argument("--workers", default="1,2", help="worker counts to measure")
    parser.add_argument(
        "--admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    runs = [measured(n, args) for _ in range(args.runs) for n in counts]
    if 1 in counts and 2 in counts:
        _summary(runs)
    outcomes = [r.outcome for r in runs]
    if not args.no_kill:
        outcomes.append(killed(args))
    sys.exit(0 if all(v == 0 for o in outcomes for v in o.values()) else 1)


if __name__ == "__main__":
    main()
