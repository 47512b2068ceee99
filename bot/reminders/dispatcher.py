"""The dispatcher: drains the outbox through the channel senders, within the platforms' limits.

- LINE: one multicast per batch (≤ 500 user ids) with the batch's ``X-Line-Retry-Key``; a 409
  (already accepted) counts as sent. A pipeline: one claimer takes ``line_batches_per_claim``
  batches per transaction and hands them to sender tasks (at most ``line_in_flight`` claimed
  batches outstanding), which start requests at ``line_rate`` per second (a token bucket with a
  burst of ``line_burst``; LINE allows 200 multicast requests/s); one recorder writes the outcomes
  of every finished batch so far in one transaction (one UPDATE per outcome class).
- Telegram: one message per chat, spaced to ``telegram_rate`` per second overall (default 25,
  under the ~30/s bulk limit) and at most one per second per chat.
- Outcomes: sent → ``sent``; 429 → retry after the platform's wait (Telegram ``retry_after``,
  which also pauses all Telegram sends; LINE gives none: backoff); 5xx/timeout → retry with
  exponential backoff and jitter; after ``max_attempts`` → ``dead`` with the reason; 403 (bot
  blocked) → the user is marked inactive and their rows skipped; other 4xx/401 → ``dead``.
- Just before sending, rows whose user became inactive or unsubscribed are ``skipped``.
- A crash leaves claimed rows in ``sending``. A live dispatcher refreshes the claim time of the
  rows it holds every ``heartbeat`` seconds, so rows whose claim is older than ``stale_after``
  (default 10 s, not a fixed minute) belong to a dead one and are settled by the next pass
  (:func:`bot.reminders.outcomes.recover`): LINE batches go again with the SAME retry key (LINE
  answers 409; nobody gets a second copy); Telegram rows whose request never started go again,
  and those whose request had started (marked just before it) become ``unknown``: Telegram has
  no idempotency key, so they are counted and reported rather than risked twice. A Telegram
  timeout is ``unknown`` too. Dead and unknown rows are logged at ERROR once per pass that adds
  some, and shown by ``aigo reminders status`` and ``/health``.

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

from bot.channels.errors import (
    InvalidRequest,
    OutcomeUnknown,
    RateLimited,
    RecipientUnreachable,
    SendError,
    TransientError,
)
from bot.reminders import claims, outcomes
from bot.reminders.claims import Claimed
from bot.reminders.pacing import Now, Pacer, advancing

__all__ = ["Dispatcher", "LinePort", "Now", "Stats", "TelegramPort", "advancing"]
log = logging.getLogger(__name__)
Outcome = tuple[list[Claimed], SendError | None]


class LinePort(Protocol):
    async def multicast(
        self, to: list[str], messages: list[dict[str, str]], *, retry_key: str | None
    ) -> object: ...


class TelegramPort(Protocol):
    async def send_message(self, chat_id: int | str, text: str) -> int: ...


@dataclass
class Stats:
    """Running totals of one dispatcher (rows, not requests; ``requests`` counts LINE calls)."""

    sent: int = 0
    skipped: int = 0
    retried: int = 0
    dead: int = 0
    unknown: int = 0
    deactivated: int = 0
    duplicates: int = 0
    requests: int = 0


def _flat(groups: list[list[Claimed]]) -> list[Claimed]:
    return [row for group in groups for row in group]


class Dispatcher:
    """Drains the outbox; see the module docstring. Build one per process."""

    def __init__(
        self, sessions: sessionmaker[Session], *, now: Now, line: LinePort | None = None,
        telegram: TelegramPort | None = None, line_rate: float = 190.0, line_burst: int = 2,
        line_in_flight: int = 48, line_batches_per_claim: int = 16, line_429_tries: int = 3,
        telegram_rate: float = 25.0, per_chat_interval: float = 1.0, telegram_batch: int = 25,
        max_attempts: int = 5, backoff: float = 1.0, max_backoff: float = 300.0,
        stale_after: timedelta = timedelta(seconds=10), heartbeat: float = 2.0,
        record_every: float = 0.05,
        on_progress: Callable[[Stats], None] | None = None,
    ) -> None:  # fmt: skip
        self.sessions, self.now, self.line, self.telegram = sessions, now, line, telegram
        self.line_pacer = Pacer(line_rate, burst=line_burst)
        self.telegram_pacer = Pacer(telegram_rate)
        self.line_in_flight, self.line_batches_per_claim = line_in_flight, line_batches_per_claim
        self.line_429_tries = max(line_429_tries, 1)
        self.per_chat_interval, self.telegram_batch = per_chat_interval, telegram_batch
        self.max_attempts, self.record_every = max_attempts, record_every
        self.backoff, self.max_backoff, self.stale_after = backoff, max_backoff, stale_after
        self.on_progress = on_progress
        self.stats = Stats()
        self.heartbeat = heartbeat
        self._chat_next: dict[str, float] = {}
        self._held: set[int] = set()  # ids this dispatcher holds in ``sending``
        self._alerted = 0

    # --- database steps (run in threads) ------------------------------------------------------

    def _claim(self, channel: str) -> tuple[bool, list[list[Claimed]]]:
        """Claim work: LINE ``line_batches_per_claim`` whole batches, or one Telegram batch.

        Returns ``(anything claimed, the batches still eligible)``.
        """
        with self.sessions.begin() as session:
            if channel == "line":
                groups = claims.claim_line_batches(
                    session=session, now=self.now(), batches=self.line_batches_per_claim
                )
            else:
                found = claims.claim_telegram(
                    session=session, now=self.now(), limit=self.telegram_batch
                )
                groups = [found] if found else []
            rows = _flat(groups)
            kept = claims.drop_ineligible(session=session, rows=rows)
        self._held.update(r.id for r in kept)
        if len(kept) == len(rows):
            return bool(groups), groups
        self.stats.skipped += len(rows) - len(kept)
        eligible = {r.id for r in kept}
        keep = [[r for r in g if r.id in eligible] for g in groups]
        return True, [k for k in keep if k]

    def _delay(self, attempts: int) -> float:
        base: float = min(self.backoff * 2 ** max(attempts - 1, 0), self.max_backoff)
        return base * random.uniform(0.5, 1.5)

    def _record(self, results: list[Outcome]) -> None:
        """Write the outcomes of sends in one transaction: all sent rows in one statement, then
        each failure (each entry: rows with one outcome)."""
        now = self.now()
        sent = _flat([rows for rows, exc in results if exc is None])
        self._held.difference_update(r.id for rows, _ in results for r in rows)
        with self.sessions.begin() as session:
            if sent:
                self._outcome(session, sent, None, now)
            for rows, exc in results:
                if exc is not None:
                    self._outcome(session, rows, exc, now)
        if self.on_progress is not None:
            self.on_progress(self.stats)

    def _outcome(
        self, session: Session, rows: list[Claimed], exc: SendError | None, now: datetime
    ) -> None:
        if exc is None:
            outcomes.mark_sent(session=session, ids=[r.id for r in rows], now=now)
            self.stats.sent += len(rows)
        elif isinstance(exc, OutcomeUnknown):
            outcomes.mark_unknown(session=session, ids=[r.id for r in rows], reason=str(exc))
            self.stats.unknown += len(rows)
        elif isinstance(exc, RecipientUnreachable) and len(rows) == 1:
            outcomes.mark_dead(session=session, ids=[rows[0].id], reason=str(exc))
            outcomes.deactivate(session=session, user_id=rows[0].user_id)
            self.stats.deactivated += 1
            self.stats.dead += 1
        elif exc.retryable:
            wait = exc.retry_after if isinstance(exc, RateLimited) else None
            delay = wait if wait is not None else self._delay(rows[0].attempts)
            dead = outcomes.mark_retry(
                session=session, rows=rows, at=now + timedelta(seconds=delay), reason=str(exc),
                max_attempts=self.max_attempts,
            )  # fmt: skip
            self.stats.dead += dead
            self.stats.retried += len(rows) - dead
        else:
            outcomes.mark_dead(session=session, ids=[r.id for r in rows], reason=str(exc))
            self.stats.dead += len(rows)

    # --- LINE ---------------------------------------------------------------------------------

    async def _send_batch(self, rows: list[Claimed]) -> SendError | None:
        """Send one batch: a 429 (LINE names no wait) goes back into the pacer's queue up to
        ``line_429_tries`` times before it is recorded for a later retry."""
        for attempt in range(1, self.line_429_tries + 1):
            await self.line_pacer.wait()
            exc = await self._multicast(rows)
            if not isinstance(exc, RateLimited) or attempt == self.line_429_tries:
                return exc
            self.line_pacer.pause(self.line_pacer.interval * 4)  # let the platform's window slide
            self.stats.retried += len(rows)
        return None  # unreachable: the last attempt returns

    async def _multicast(self, rows: list[Claimed]) -> SendError | None:
        """One multicast with the batch's retry key (fixed at enqueue; a 409 counts as sent)."""
        assert self.line is not None
        self.stats.requests += 1
        try:
            result = await self.line.multicast(
                [r.external_id for r in rows],
                [{"type": "text", "text": str(rows[0].payload["text"])}],
                retry_key=rows[0].retry_key,
            )
        except SendError as exc:
            level = logging.INFO if isinstance(exc, RateLimited) else logging.WARNING
            log.log(level, "LINE batch %s: %s", rows[0].retry_key, exc)
            return exc
        except ValueError as exc:  # the message itself is invalid: retrying cannot help
            return InvalidRequest("line", None, str(exc))
        except Exception as exc:  # a bug or an unexpected failure: retry, then dead-letter
            log.exception("LINE batch %s failed", rows[0].retry_key)
            return TransientError("line", None, type(exc).__name__)
        if getattr(result, "duplicate", False):
            self.stats.duplicates += len(rows)
        return None

    async def _line_pass(self) -> None:
        """Claim, send and record LINE batches until none is due (see the module docstring)."""
        slots = asyncio.Semaphore(self.line_in_flight)
        done: list[Outcome] = []
        senders: set[asyncio.Task[None]] = set()
        claiming = asyncio.Event()  # cleared when the claimer has nothing more to hand out

        async def send(rows: list[Claimed]) -> None:
            try:
                done.append((rows, await self._send_batch(rows)))
            finally:
                slots.release()

        recorder = asyncio.create_task(self._line_recorder(done, claiming, senders))
        claiming.set()
        try:
            while not recorder.done():  # a failed recorder: stop claiming, re-raise below
                claimed, batches = await asyncio.to_thread(self._claim, "line")
                if not claimed:
                    break
                for rows in batches:
                    await slots.acquire()
                    task = asyncio.create_task(send(rows))
                    senders.add(task)
                    task.add_done_callback(senders.discard)
        finally:
            claiming.clear()
            await recorder

    async def _line_recorder(
        self, done: list[Outcome], claiming: asyncio.Event, senders: set[asyncio.Task[None]]
    ) -> None:
        """Record finished batches every ``record_every`` seconds until all are recorded."""
        while claiming.is_set() or senders or done:
            if not done:
                if not claiming.is_set() and senders:
                    await asyncio.wait(set(senders), timeout=self.record_every)
                else:
                    await asyncio.sleep(self.record_every)
                continue
            taken = done[:]
            del done[:]
            await asyncio.to_thread(self._record, taken)

    # --- Telegram -----------------------------------------------------------------------------

    async def _send_one(self, row: Claimed) -> tuple[Claimed, SendError | None]:
        assert self.telegram is not None
        now = time.monotonic()
        chat_at = self._chat_next.get(row.external_id, 0.0)
        self._chat_next[row.external_id] = max(chat_at, now) + self.per_chat_interval
        if chat_at > now:
            await asyncio.sleep(chat_at - now)
        await self.telegram_pacer.wait()
        await asyncio.to_thread(self._attempting, row.id)
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

    def _attempting(self, row_id: int) -> None:
        with self.sessions.begin() as session:
            outcomes.mark_attempting(session=session, ids=[row_id])

    def _recover(self) -> None:
        with self.sessions.begin() as session:
            back, unknown = outcomes.recover(
                session=session, now=self.now(), stale_after=self.stale_after
            )
        if back or unknown:
            log.warning("settled deliveries of a stopped dispatcher: %d to send again, "
                        "%d outcome unknown", back, unknown)  # fmt: skip
            self.stats.unknown += unknown

    async def _keep_claims(self) -> None:
        """Refresh the claim time of the rows held, every ``heartbeat`` seconds."""
        while True:
            await asyncio.sleep(self.heartbeat)
            if self._held:
                await asyncio.to_thread(self._beat, sorted(self._held))

    def _beat(self, ids: list[int]) -> None:
        with self.sessions.begin() as session:
            outcomes.heartbeat(session=session, ids=ids, now=self.now())

    def alert(self) -> None:
        """Log at ERROR (once per call that finds new ones) the dead and unknown deliveries."""
        lost = self.stats.dead + self.stats.unknown
        if lost > self._alerted:
            log.error("deliveries not delivered: %d dead, %d outcome unknown (see `aigo "
                      "reminders status`)", self.stats.dead, self.stats.unknown)  # fmt: skip
            self._alerted = lost

    async def run_once(self) -> None:
        """Recover stale claims, then send everything due now (returns when nothing is due)."""
        await asyncio.to_thread(self._recover)
        tasks = []
        if self.line is not None:
            tasks.append(self._line_pass())
        if self.telegram is not None:
            tasks.append(self._telegram_worker())
        beat = asyncio.create_task(self._keep_claims())
        try:
            await asyncio.gather(*tasks)
        finally:
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beat

    def _outlook(self) -> tuple[datetime | None, int]:
        channels = [c for c, s in (("line", self.line), ("telegram", self.telegram)) if s]
        with self.sessions() as session:
            return outcomes.has_work(session=session, channels=channels)

    async def drain(self, horizon: timedelta = timedelta(minutes=2), poll: float = 0.2) -> Stats:
        """Send until nothing is due, in flight, or scheduled within ``horizon``; return stats.

        Rows postponed further (quiet hours, long backoff) stay pending for a later run.
        """
        while True:
            await self.run_once()
            earliest, sending = await asyncio.to_thread(self._outlook)
            now = self.now()
            if sending == 0 and (earliest is None or earliest > now + horizon):
                self.alert()
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
            self.alert()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=poll)
