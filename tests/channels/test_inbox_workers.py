"""Two inbox workers (as two processes would run them) draining one PostgreSQL inbox."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from bot.channels.inbox import LEASE_LOCK_CLASS, InboxRow, InboxWorker, NewEvent
from db.models import InboxEvent
from db.session import make_engine, make_session_factory, upgrade

NOW = datetime(2019, 5, 20, 2, 0, tzinfo=UTC)


@pytest.fixture
def pg_url(db_url: str) -> str:
    if not db_url.startswith("postgresql"):
        pytest.skip("several inbox workers per database are a PostgreSQL feature")
    upgrade(db_url)
    return db_url


def _events(senders: int, per_sender: int) -> list[NewEvent]:
    """Events interleaved across senders, as webhooks would deliver them."""
    return [
        NewEvent("line", f"e-{s}-{n}", f"line:U{s}", {"n": n})
        for n in range(per_sender)
        for s in range(senders)
    ]


async def test_two_workers_keep_per_sender_order_and_process_each_event_once(
    pg_url: str,
) -> None:
    engines = [make_engine(pg_url) for _ in range(2)]
    seen: list[tuple[str, str, int]] = []  # (worker, sender, n) in processing order
    active: set[str] = set()
    overlaps: list[str] = []

    def handler_for(worker: str):  # type: ignore[no-untyped-def]
        async def handle(row: InboxRow) -> None:
            if row.sender_key in active:
                overlaps.append(row.sender_key)
            active.add(row.sender_key)
            seen.append((worker, row.sender_key, int(row.payload["n"])))
            await asyncio.sleep(0.005)  # widen the window another worker could interleave in
            active.discard(row.sender_key)

        return handle

    workers = [
        InboxWorker(
            make_session_factory(engine),
            {"line": handler_for(name)},
            now=lambda: NOW,
            concurrency=4,
            ingest_yield=0,
            rescan_interval=0.2,
        )
        for name, engine in zip("AB", engines, strict=True)
    ]
    try:
        events = _events(senders=8, per_sender=12)
        half = len(events) // 2
        for worker in workers:
            await worker.start()
        # Each worker stores part of the events, as two processes behind a load balancer would.
        await workers[0].store(events[:half])
        await workers[1].store(events[half:])
        assert await workers[1].store(events[:5]) == 0  # redelivered: stored once
        for worker in workers:
            assert await worker.idle(timeout=120)
        for worker in workers:
            assert await worker.idle(timeout=120)
    finally:
        for worker in workers:
            await worker.stop()
        for engine in engines:
            engine.dispose()

    assert overlaps == []
    assert sorted((s, n) for _, s, n in seen) == sorted(
        (e.sender_key, int(e.payload["n"])) for e in events
    )  # every event exactly once
    by_sender: dict[str, list[int]] = defaultdict(list)
    for _, sender, n in seen:
        by_sender[sender].append(n)
    assert all(ns == sorted(ns) for ns in by_sender.values())  # in order per sender
    with make_engine(pg_url).connect() as conn:
        statuses = set(conn.scalars(sa.select(InboxEvent.status)))
    assert statuses == {"done"}


async def test_a_leased_sender_is_left_to_the_lease_holder(pg_url: str) -> None:
    engine = make_engine(pg_url)
    processed: list[str] = []

    async def handle(row: InboxRow) -> None:
        processed.append(row.sender_key)

    worker = InboxWorker(
        make_session_factory(engine),
        {"line": handle},
        now=lambda: NOW,
        ingest_yield=0,
        rescan_interval=0.2,
    )
    holder = engine.connect()  # another worker, busy with line:U0
    try:
        holder.begin()
        assert holder.execute(
            sa.text("SELECT pg_try_advisory_xact_lock(:c, hashtext('line:U0'))"),
            {"c": LEASE_LOCK_CLASS},
        ).scalar()
        await worker.start()
        await worker.store(_events(senders=2, per_sender=2))
        for _ in range(200):
            if processed.count("line:U1") == 2:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # several lease retries happen meanwhile
        assert processed == ["line:U1", "line:U1"]
        holder.rollback()  # the other worker is done (without processing anything)
        assert await worker.idle(timeout=60)
        assert processed == ["line:U1", "line:U1", "line:U0", "line:U0"]
    finally:
        holder.close()
        await worker.stop()
        engine.dispose()
