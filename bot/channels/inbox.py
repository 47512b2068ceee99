"""The durable webhook inbox and the worker that processes it.

Contract:
- A webhook handler calls :meth:`InboxWorker.store` with the parsed events; it returns only after
  the rows are committed to ``inbox_events`` (unique on ``(channel, event_id)``: a redelivered
  event is ignored, never stored twice). Only then does the handler answer 200.
- The worker processes rows *after* the ack, one at a time per ``sender_key`` in ``id`` order, and
  up to ``concurrency`` senders in parallel. A row whose handler succeeds becomes ``done``; a
  handler exception is logged with its traceback and the row retried with backoff (later rows of
  that sender wait) until ``max_attempts``, then it becomes ``failed``.
- On start the worker picks up every row still ``pending`` (e.g. left by a crash after the ack), so
  an acknowledged event is always answered. The window between a handler's side effects and the
  ``done`` commit is at-least-once: a crash exactly there processes the event again. So ``done``
  is committed without waiting for the disk (:func:`db.defer_flush`): a database crash can only
  widen that window, and handlers are idempotent on it (they replay recorded output).
- Several workers (processes) may drain one PostgreSQL inbox: a worker processes a sender's row only
  while it holds that sender's lease (``pg_try_advisory_xact_lock(class, hashtext(sender_key))`` in
  a transaction kept open from reading the oldest pending row until that row is recorded), so one
  sender's rows are processed one at a time, in order, each once; a worker that finds the lease
  taken leaves the sender to its holder and looks again shortly. SQLite: one worker per database
  (a single writer; the lease is a no-op).
- Acks come first: concurrent :meth:`InboxWorker.store` calls are group-committed by one writer
  thread, and while webhooks keep arriving the worker pauses between rows (``ingest_yield``), so
  a burst is acknowledged quickly and answered as fast as the turns allow (LINE: by push once the
  reply token is too old).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.inbox_rows import (
    InboxRow,
    NewEvent,
    next_pending,
    pending_senders,
    store_events,
)
from db import defer_flush
from db.models import InboxEvent

__all__ = ["LEASE_LOCK_CLASS", "InboxRow", "InboxWorker", "NewEvent", "StoreFailed"]

log = logging.getLogger(__name__)


Handler = Callable[[InboxRow], Awaitable[None]]

# First key of the two-key advisory locks that lease a sender (second key: hashtext(sender_key)).
# Two-key locks live apart from one-bigint-key locks such as the migration lock.
LEASE_LOCK_CLASS = 0x41494758  # "AIGX"
_TRY_LEASE = sa.text("SELECT pg_try_advisory_xact_lock(:cls, hashtext(:key))")
LEASE_RETRY = 0.2  # seconds before looking again at a sender leased by another worker


class _Taken:
    """Marker: another worker holds the sender's lease."""


TAKEN = _Taken()


class InboxWorker:
    """Stores webhook events durably and drains them per sender in the background."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        handlers: Mapping[str, Handler],
        *,
        now: Callable[[], datetime],
        concurrency: int = 16,
        max_attempts: int = 3,
        retry_delay: float = 1.0,
        rescan_interval: float = 5.0,
        ingest_yield: float = 1.0,
        single_writer: bool = False,
    ) -> None:
        self._sessions = session_factory
        self._handlers = handlers  # looked up per row, so handlers may be added after init
        self._now = now
        self._slots = asyncio.Semaphore(concurrency)
        self._max_attempts = max_attempts
        self._retry_delay = retry_delay
        self._rescan_interval = rescan_interval
        self._dirty: set[str] = set()
        self._busy: dict[str, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None
        self._writes: list[tuple[list[NewEvent], asyncio.Future[int]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._write_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbox-writer")
        self._last_store = 0.0
        self._ingest_yield = ingest_yield
        self._gate = asyncio.Lock() if single_writer else None

    # --- storing --------------------------------------------------------------------------------

    async def store(self, events: list[NewEvent]) -> int:
        """Commit ``events`` (duplicates ignored) and schedule them; return how many were new.

        Concurrent calls are group-committed: one writer thread stores every batch waiting at
        that moment in one transaction, and each caller returns once that transaction committed.
        """
        if not events:
            return 0
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._writes.append((events, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_loop(), name="inbox-writer")
        stored = await future
        self._last_store = time.monotonic()
        self._dirty.update(e.sender_key for e in events)
        self._wake.set()
        return stored

    async def _write_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while self._writes:
            batch, self._writes = self._writes, []
            async with self.exclusive():
                outcomes = await loop.run_in_executor(
                    self._write_pool, self._store_group, [events for events, _ in batch]
                )
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if future.done():
                    continue
                if isinstance(outcome, Exception):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)

    def _store_group(self, batches: list[list[NewEvent]]) -> list[int | Exception]:
        """Store every batch in one transaction; if that fails, each event in its own.

        So an event that cannot be stored fails only the webhook that brought it: the others'
        events are stored one by one (and that webhook's good events too: its platform retries
        it, and those are then duplicates, ignored).
        """
        try:
            with self._sessions.begin() as session:
                now = self._now()
                return [store_events(session=session, events=b, now=now) for b in batches]
        except Exception:
            if len(batches) == 1 and len(batches[0]) == 1:
                log.exception("inbox: storing an event failed")
                return [_failed(batches[0][0])]
        return [self._store_each(events) for events in batches]

    def _store_each(self, events: list[NewEvent]) -> int | Exception:
        stored = 0
        failure: Exception | None = None
        for event in events:
            try:
                with self._sessions.begin() as session:
                    stored += store_events(session=session, events=[event], now=self._now())
            except Exception:
                log.exception("inbox: storing %s/%s failed", event.channel, event.event_id)
                failure = _failed(event)
        return stored if failure is None else failure

    # --- draining -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the background loop; it first picks up rows left pending by an earlier run."""
        if self._loop_task is None:
            self._loop_task = asyncio.create_task(self._run(), name="inbox-worker")

    async def stop(self) -> None:
        """Stop taking new rows, cancel the loop and wait for in-flight handlers (10 s max)."""
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
            self._loop_task = None
        tasks = list(self._busy.values())
        if tasks:
            await asyncio.wait(tasks, timeout=10)
            for task in tasks:
                task.cancel()
        self._write_pool.shutdown(wait=False)

    async def idle(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is pending in memory or in flight (tests, benchmarks)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (
                not self._dirty
                and not self._busy
                and not await asyncio.to_thread(self._pending_senders)
            ):
                return True
            await asyncio.sleep(0.02)
        return False

    def _pending_senders(self) -> list[str]:
        with self._sessions() as session:
            return pending_senders(session=session)

    async def _run(self) -> None:
        last_scan = 0.0
        while True:
            if time.monotonic() - last_scan >= self._rescan_interval:
                try:
                    self._dirty.update(await asyncio.to_thread(self._pending_senders))
                except Exception:
                    log.exception("inbox: scanning for pending events failed")
                last_scan = time.monotonic()
            for key in list(self._dirty):
                if key not in self._busy:
                    self._dirty.discard(key)
                    self._busy[key] = asyncio.create_task(self._drain(key))
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._rescan_interval)

    async def _drain(self, sender_key: str) -> None:
        """Process ``sender_key``'s pending rows in order; a slot is held per row, not per drain."""
        try:
            while True:
                async with self._slots:
                    lease, row = await asyncio.to_thread(self._claim, sender_key)
                    if row is TAKEN:
                        self._look_again_later(sender_key)
                        break
                    try:
                        if not isinstance(row, InboxRow):
                            break
                        started = time.monotonic()
                        finished = await self._process(row)
                        spent = time.monotonic() - started
                    finally:
                        if lease is not None:
                            await asyncio.to_thread(_release, lease)
                if not finished:  # back off; other senders go on meanwhile
                    await asyncio.sleep(self._retry_delay * 2**row.attempts)
                await self._yield_to_ingest(spent)
        except Exception:
            log.exception("inbox: draining %s failed", sender_key)
        finally:
            self._busy.pop(sender_key, None)
            if sender_key in self._dirty:
                self._wake.set()

    def _look_again_later(self, sender_key: str) -> None:
        """Another worker holds the lease: re-check the sender soon (it may stop before our row)."""

        def again() -> None:
            self._dirty.add(sender_key)
            self._wake.set()

        asyncio.get_running_loop().call_later(LEASE_RETRY, again)

    def exclusive(self) -> contextlib.AbstractAsyncContextManager[Any]:
        """Hold while writing to a single-writer database (SQLite); a no-op elsewhere.

        The inbox's own writes and the dialogue turns it runs take turns through this gate, so a
        turn running on the event loop never waits on SQLite's file lock (which would block the
        loop, and with it every webhook, for up to the busy timeout).
        """
        return self._gate if self._gate is not None else contextlib.nullcontext()

    async def _yield_to_ingest(self, spent: float) -> None:
        """While webhooks are arriving, pause ``spent * ingest_yield`` so acks stay fast.

        Turns are CPU-bound and share the event loop with the webhook endpoints; acknowledging
        quickly matters more than answering a moment sooner (LINE suspends slow webhooks).
        """
        if self._ingest_yield > 0 and time.monotonic() - self._last_store < 0.5:
            await asyncio.sleep(min(spent * self._ingest_yield, 0.5))

    def _claim(self, sender_key: str) -> tuple[Connection | None, InboxRow | _Taken | None]:
        """Lease ``sender_key`` (PostgreSQL) and read its oldest pending row.

        Returns ``(lease, row)``: ``lease`` is the connection whose open transaction holds the
        lease (None on SQLite, or when nothing was leased), to be passed to :func:`_release`
        after the row's outcome is committed; ``row`` is the row, None (nothing pending) or
        :data:`TAKEN` (another worker holds the lease).
        """
        engine = self._sessions.kw["bind"]
        if engine.dialect.name != "postgresql":
            with self._sessions() as session:
                return None, next_pending(session=session, sender_key=sender_key)
        lease = engine.connect()
        try:
            lease.begin()
            if not lease.execute(_TRY_LEASE, {"cls": LEASE_LOCK_CLASS, "key": sender_key}).scalar():
                _release(lease)
                return None, TAKEN
            with Session(bind=lease) as session:
                row = next_pending(session=session, sender_key=sender_key)
        except BaseException:
            _release(lease)
            raise
        if row is None:
            _release(lease)
            return None, None
        return lease, row

    async def _process(self, row: InboxRow) -> bool:
        """Run the handler for ``row`` and record the outcome; True when it is finished."""
        handler = self._handlers.get(row.channel)
        try:
            if handler is None:
                raise LookupError(f"no inbox handler for channel {row.channel!r}")
            await handler(row)
        except Exception as exc:
            log.exception("inbox: event %s/%s failed", row.channel, row.event_id)
            final = row.attempts + 1 >= self._max_attempts
            async with self.exclusive():
                await asyncio.to_thread(self._finish, row.id, exc, final)
            return final
        async with self.exclusive():
            await asyncio.to_thread(self._finish, row.id, None, True)
        return True

    def _finish(self, row_id: int, error: Exception | None, final: bool) -> None:
        values: dict[str, Any] = {"processed_at": self._now()}
        if error is None:
            values["status"] = "done"
        else:
            values["attempts"] = InboxEvent.attempts + 1
            values["last_error"] = f"{type(error).__name__}: {error}"[:2000]
            values["status"] = "failed" if final else "pending"
        with self._sessions.begin() as session:
            if error is None:  # a lost "done" only processes the row again: handlers replay
                defer_flush(session)
            session.execute(sa.update(InboxEvent).where(InboxEvent.id == row_id).values(**values))


class StoreFailed(Exception):
    """An event could not be stored (the traceback is in the log); its webhook answers 500."""


def _failed(event: NewEvent) -> StoreFailed:
    return StoreFailed(f"could not store {event.channel} event {event.event_id}")


def _release(lease: Connection) -> None:
    """End the lease's transaction (which frees the advisory lock) and return the connection."""
    try:
        lease.rollback()
    finally:
        lease.close()
