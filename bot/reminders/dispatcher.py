"""The dispatcher: drains the outbox through the channel senders, within the platforms' limits.

- LINE: one multicast per batch (≤ 500 user ids) with the batch's ``X-Line-Retry-Key``; a 409
  (already accepted) counts as sent. Requests are spaced to ``line_rate`` per second (LINE allows
  200 multicast requests/s) by several concurrent workers.
- Telegram: one message per chat, spaced to ``telegram_rate`` per second overall (default 25,
  under the ~30/s bulk limit) and at most one per second per chat.
- Outcomes: sent → ``sent``; 429 → retry after the platform's wait (Telegram ``retry_after``,
  which also pauses all Telegram sends; LINE gives none: backoff); 5xx/timeout → retry with
  exponential backoff and jitter; after ``max_attempts`` → ``dead`` with the reason; 403 (bot
  blocked) → the user is marked inactive and their rows skipped; other 4xx/401 → ``dead``.
- Just before sending, rows whose user became inactive or unsubscribed are ``skipped``.
- A crash leaves claimed rows in ``sending``; after ``stale_after`` they are recovered
  (:func:`bot.reminders.outbox.recover`). LINE batches go again with the SAME retry key, so LINE
  answers 409 and nobody gets a second copy. Telegram has no idempotency key: the rows that were
  in flight when the process died (at most ``telegram_batch`` per dispatcher, default 25) may be
  delivered once more — the documented at-most-one-extra window; a row stuck twice is dead.

Time comes from ``now`` (a callable); it must advance (see :func:`advancing`), or retries never
come due. Database work runs in threads; sessions are short and committed per step.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from bot.channels.errors import RateLimited, RecipientUnreachable, SendError
from bot.reminders import outbox
from bot.reminders.outbox import Claimed

log = logging.getLogger(__name__)
Now = Callable[[], datetime]


class LinePort(Protocol):
    async def multicast(
        self, to: list[str], messages: list[dict[str, str]], *, retry_key: str | None
    ) -> object: ...


class TelegramPort(Protocol):
    async def send_message(self, chat_id: int | str, text: str) -> int: ...


def advancing(base: datetime) -> Now:
    """A clock that starts at ``base`` and advances with real (monotonic) time."""
    start = time.monotonic()
    return lambda: base + timedelta(seconds=time.monotonic() - start)


class Pacer:
    """Spaces calls evenly: at most ``rate`` per second, no bursts; :meth:`pause` delays all."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = time.monotonic()
            slot = max(self._next, now)
            self._next = slot + self.interval
        await asyncio.sleep(max(slot - now, 0.0))

    def pause(self, seconds: float) -> None:
        self._next = max(self._next, time.monotonic() + seconds)


@dataclass
class Stats:
    """Running totals of one dispatcher (rows, not requests; ``requests`` counts LINE calls)."""

    sent: int = 0
    skipped: int = 0
    retried: int = 0
    dead: int = 0
    deactivated: int = 0
    duplicates: int = 0
    requests: int = 0


def _flat(groups: list[list[Claimed]]) -> list[Claimed]:
    return [row for group in groups for row in group]


class Dispatcher:
    """Drains the outbox; see the module docstring. Build one per process."""

    def __init__(
        self, sessions: sessionmaker[Session], *, now: Now, line: LinePort | None = None,
        telegram: TelegramPort | None = None, line_rate: float = 190.0,
        telegram_rate: float = 25.0, per_chat_interval: float = 1.0, line_workers: int = 6,
        telegram_batch: int = 25, line_batches_per_claim: int = 8, max_attempts: int = 5,
        backoff: float = 1.0,
        max_backoff: float = 300.0, stale_after: timedelta = timedelta(seconds=60),
        on_progress: Callable[[Stats], None] | None = None,
    ) -> None:  # fmt: skip
        self.sessions, self.now, self.line, self.telegram = sessions, now, line, telegram
        self.line_pacer, self.telegram_pacer = Pacer(line_rate), Pacer(telegram_rate)
        self.per_chat_interval, self.line_workers = per_chat_interval, line_workers
        self.telegram_batch, self.max_attempts = telegram_batch, max_attempts
        self.line_batches_per_claim = line_batches_per_claim
        self.backoff, self.max_backoff, self.stale_after = backoff, max_backoff, stale_after
        self.on_progress = on_progress
        self.stats = Stats()
        self._chat_next: dict[str, float] = {}

    # --- database steps (run in threads) ------------------------------------------------------

    def _claim(self, channel: str) -> tuple[bool, list[list[Claimed]]]:
        """Claim work: LINE ``line_batches_per_claim`` whole batches, or one Telegram batch.

        Returns ``(anything claimed, the batches still eligible)``.
        """
        with self.sessions.begin() as session:
            if channel == "line":
                groups = outbox.claim_line_batches(
                    session=session, now=self.now(), batches=self.line_batches_per_claim
                )
            else:
                groups = [
                    outbox.claim_telegram(
                        session=session, now=self.now(), limit=self.telegram_batch
                    )
                ]
            groups = [g for g in groups if g]
            eligible = {r.id for r in outbox.drop_ineligible(session=session, rows=_flat(groups))}
        keep = [[r for r in g if r.id in eligible] for g in groups]
        self.stats.skipped += sum(map(len, groups)) - len(eligible)
        return bool(groups), [k for k in keep if k]

    def _delay(self, attempts: int) -> float:
        base: float = min(self.backoff * 2 ** max(attempts - 1, 0), self.max_backoff)
        return base * random.uniform(0.5, 1.5)

    def _record(self, outcomes: list[tuple[list[Claimed], SendError | None]]) -> None:
        """Write the outcomes of sends in one transaction (each entry: rows with one outcome)."""
        now = self.now()
        sent = _flat([rows for rows, exc in outcomes if exc is None])
        with self.sessions.begin() as session:
            if sent:
                self._outcome(session, sent, None, now)
            for rows, exc in outcomes:
                if exc is not None:
                    self._outcome(session, rows, exc, now)
        if self.on_progress is not None:
            self.on_progress(self.stats)

    def _outcome(
        self, session: Session, rows: list[Claimed], exc: SendError | None, now: datetime
    ) -> None:
        if exc is None:
            outbox.mark_sent(session=session, ids=[r.id for r in rows], now=now)
            self.stats.sent += len(rows)
        elif isinstance(exc, RecipientUnreachable) and len(rows) == 1:
            outbox.mark_dead(session=session, ids=[rows[0].id], reason=str(exc))
            outbox.deactivate(session=session, user_id=rows[0].user_id)
            self.stats.deactivated += 1
            self.stats.dead += 1
        elif exc.retryable:
            wait = exc.retry_after if isinstance(exc, RateLimited) else None
            delay = wait if wait is not None else self._delay(rows[0].attempts)
            dead = outbox.mark_retry(
                session=session, rows=rows, at=now + timedelta(seconds=delay), reason=str(exc),
                max_attempts=self.max_attempts,
            )  # fmt: skip
            self.stats.dead += dead
            self.stats.retried += len(rows) - dead
        else:
            outbox.mark_dead(session=session, ids=[r.id for r in rows], reason=str(exc))
            self.stats.dead += len(rows)

    # --- LINE ---------------------------------------------------------------------------------

    async def _send_batch(self, rows: list[Claimed]) -> tuple[list[Claimed], SendError | None]:
        assert self.line is not None
        await self.line_pacer.wait()
        self.stats.requests += 1
        try:
            result = await self.line.multicast(
                [r.external_id for r in rows],
                [{"type": "text", "text": str(rows[0].payload["text"])}],
                retry_key=rows[0].retry_key,
            )
        except SendError as exc:
            log.warning("LINE batch %s: %s", rows[0].retry_key, exc)
            return rows, exc
        if getattr(result, "duplicate", False):
            self.stats.duplicates += len(rows)
        return rows, None

    async def _line_worker(self) -> None:
        while True:
            claimed, batches = await asyncio.to_thread(self._claim, "line")
            if not claimed:
                return
            outcomes = await asyncio.gather(*(self._send_batch(b) for b in batches))
            if outcomes:
                await asyncio.to_thread(self._record, list(outcomes))

    # --- Telegram -----------------------------------------------------------------------------

    async def _send_one(self, row: Claimed) -> tuple[Claimed, SendError | None]:
        assert self.telegram is not None
        now = time.monotonic()
        chat_at = self._chat_next.get(row.external_id, 0.0)
        self._chat_next[row.external_id] = max(chat_at, now) + self.per_chat_interval
        if chat_at > now:
            await asyncio.sleep(chat_at - now)
        await self.telegram_pacer.wait()
        try:
            await self.telegram.send_message(row.external_id, str(row.payload["text"]))
        except RateLimited as exc:
            self.telegram_pacer.pause(exc.retry_after or 1.0)
            return row, exc
        except SendError as exc:
            return row, exc
        return row, None

    async def _telegram_worker(self) -> None:
        while True:
            claimed, batches = await asyncio.to_thread(self._claim, "telegram")
            if not claimed:
                return
            rows = [row for batch in batches for row in batch]
            results = await asyncio.gather(*(self._send_one(r) for r in rows))
            ok = [row for row, exc in results if exc is None]
            outcomes: list[tuple[list[Claimed], SendError | None]] = [(ok, None)] if ok else []
            outcomes += [([row], exc) for row, exc in results if exc is not None]
            await asyncio.to_thread(self._record, outcomes)

    # --- loops --------------------------------------------------------------------------------

    def _recover(self) -> None:
        with self.sessions.begin() as session:
            back, dead = outbox.recover(
                session=session, now=self.now(), stale_after=self.stale_after
            )
        if back or dead:
            log.warning("recovered %d stuck deliveries (%d dead after a second crash)", back, dead)
            self.stats.dead += dead

    async def run_once(self) -> None:
        """Recover stale claims, then send everything due now (returns when nothing is due)."""
        await asyncio.to_thread(self._recover)
        tasks = []
        if self.line is not None:
            tasks += [self._line_worker() for _ in range(self.line_workers)]
        if self.telegram is not None:
            tasks.append(self._telegram_worker())
        await asyncio.gather(*tasks)

    def _outlook(self) -> tuple[datetime | None, int]:
        channels = [c for c, s in (("line", self.line), ("telegram", self.telegram)) if s]
        with self.sessions() as session:
            return outbox.has_work(session=session, channels=channels)

    async def drain(self, horizon: timedelta = timedelta(minutes=2), poll: float = 0.2) -> Stats:
        """Send until nothing is due, in flight, or scheduled within ``horizon``; return stats.

        Rows postponed further (quiet hours, long backoff) stay pending for a later run.
        """
        while True:
            await self.run_once()
            earliest, sending = await asyncio.to_thread(self._outlook)
            now = self.now()
            if sending == 0 and (earliest is None or earliest > now + horizon):
                return self.stats
            wait = poll if earliest is None else (earliest - now).total_seconds()
            await asyncio.sleep(min(max(wait, 0.05), 1.0))

    async def run_forever(self, stop: asyncio.Event, poll: float = 1.0) -> None:
        """Keep draining until ``stop`` is set (errors are logged, never fatal)."""
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:
                log.exception("dispatcher pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=poll)
