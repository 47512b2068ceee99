"""The mail dispatcher: drains ``email_outbox`` through a :class:`~bot.mail.smtp.MailSender`.

- One message at a time per dispatcher (codes are few; several dispatchers may run: a row is
  claimed by one of them only, see :mod:`db.email_outbox`).
- While a message is being sent its claim time is refreshed every ``heartbeat`` seconds, so only
  a dispatcher that died leaves a claim older than ``stale_after``; the next pass of any
  dispatcher settles it (:func:`db.email_outbox.recover`: back to pending if the data had not
  started, else ``unknown``). No fixed wait after a crash beyond ``stale_after``.
- Outcomes: accepted → ``sent``; :class:`MailTransient` → retry with exponential backoff and
  jitter, ``dead`` after ``max_attempts``; :class:`MailRefused` → ``dead``;
  :class:`MailOutcomeUnknown` → ``unknown`` (never a second copy). Dead and unknown messages are
  logged at ERROR once per pass that adds some.

Time comes from ``now`` (a callable that advances); sessions are short and committed per step.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.mail.smtp import MailError, MailOutcomeUnknown, MailSender, MailTransient
from db import email_outbox as outbox
from db.email_outbox import Outgoing
from db.org_access import mask_email

__all__ = ["MailDispatcher", "MailStats"]
log = logging.getLogger(__name__)


@dataclass
class MailStats:
    """Running totals of one dispatcher."""

    sent: int = 0
    retried: int = 0
    dead: int = 0
    unknown: int = 0


class MailDispatcher:
    """Sends due e-mails; see the module docstring. Build one per process."""

    def __init__(
        self, sessions: sessionmaker[Session], sender: MailSender, *, now: Callable[[], datetime],
        max_attempts: int = 5, backoff: float = 30.0, max_backoff: float = 3600.0,
        stale_after: timedelta = timedelta(seconds=30), heartbeat: float = 5.0,
    ) -> None:  # fmt: skip
        self.sessions, self.sender, self.now = sessions, sender, now
        self.max_attempts, self.backoff, self.max_backoff = max_attempts, backoff, max_backoff
        self.stale_after, self.heartbeat = stale_after, heartbeat
        self.stats = MailStats()
        self._alerted = 0

    # --- database steps (in threads) ----------------------------------------------------------

    def _recover(self) -> None:
        with self.sessions.begin() as session:
            back, unknown = outbox.recover(
                session=session, now=self.now(), stale_after=self.stale_after
            )
        if back or unknown:
            log.warning("settled e-mails of a stopped dispatcher: %d to send again, %d outcome "
                        "unknown", back, unknown)  # fmt: skip
            self.stats.unknown += unknown

    def _claim(self) -> Outgoing | None:
        with self.sessions.begin() as session:
            found = outbox.claim(session=session, now=self.now(), limit=1)
        return found[0] if found else None

    def _handing_over(self, id: int) -> None:
        with self.sessions.begin() as session:
            outbox.mark_handing_over(session=session, id=id)

    def _beat(self, id: int) -> None:
        with self.sessions.begin() as session:
            outbox.heartbeat(session=session, ids=[id], now=self.now())

    def _record(self, message: Outgoing, exc: MailError | None) -> None:
        now = self.now()
        with self.sessions.begin() as session:
            if exc is None:
                outbox.mark_sent(session=session, id=message.id, now=now)
                self.stats.sent += 1
            elif isinstance(exc, MailOutcomeUnknown):
                outbox.mark_unknown(session=session, id=message.id, reason=str(exc))
                self.stats.unknown += 1
            elif exc.retryable:
                delay = min(self.backoff * 2 ** (message.attempts - 1), self.max_backoff)
                at = now + timedelta(seconds=delay * random.uniform(0.5, 1.5))
                dead = outbox.mark_retry(
                    session=session, id=message.id, attempts=message.attempts, at=at,
                    reason=str(exc), max_attempts=self.max_attempts,
                )  # fmt: skip
                self.stats.dead += dead
                self.stats.retried += not dead
            else:
                outbox.mark_dead(session=session, id=message.id, reason=str(exc))
                self.stats.dead += 1

    # --- sending ------------------------------------------------------------------------------

    def _send(self, message: Outgoing) -> MailError | None:
        try:
            self.sender.send(message, lambda: self._handing_over(message.id))
        except MailError as exc:
            log.warning("e-mail %d to %s: %s", message.id, mask_email(message.to_address), exc)
            return exc
        except Exception as exc:  # a bug or an unexpected failure: retry, then dead-letter
            log.exception("e-mail %d failed", message.id)
            return MailTransient(type(exc).__name__)
        return None

    async def _send_held(self, message: Outgoing) -> MailError | None:
        """Send in a thread while refreshing the claim every ``heartbeat`` seconds."""
        task = asyncio.create_task(asyncio.to_thread(self._send, message))
        while True:
            done, _ = await asyncio.wait({task}, timeout=self.heartbeat)
            if done:
                return task.result()
            await asyncio.to_thread(self._beat, message.id)

    async def run_once(self) -> int:
        """Settle stale claims, then send every message due now; return how many were tried."""
        await asyncio.to_thread(self._recover)
        tried = 0
        while True:
            message = await asyncio.to_thread(self._claim)
            if message is None:
                return tried
            tried += 1
            exc = await self._send_held(message)
            await asyncio.to_thread(self._record, message, exc)

    def alert(self) -> None:
        """Log at ERROR (once per call that finds new ones) the dead and unknown e-mails."""
        lost = self.stats.dead + self.stats.unknown
        if lost > self._alerted:
            log.error("e-mails not delivered: %d dead, %d outcome unknown", self.stats.dead,
                      self.stats.unknown)  # fmt: skip
            self._alerted = lost

    async def drain(self, horizon: timedelta = timedelta(0)) -> MailStats:
        """Send until nothing is due within ``horizon``; return the stats."""
        while True:
            await self.run_once()
            with self.sessions() as session:
                due = outbox.next_due(session=session)
            if due is None or due > self.now() + horizon:
                self.alert()
                return self.stats
            await asyncio.sleep(min(max((due - self.now()).total_seconds(), 0.01), 1.0))

    async def run_forever(self, stop: asyncio.Event, poll: float = 2.0) -> None:
        """Keep sending until ``stop`` is set (errors are logged, never fatal)."""
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:
                log.exception("mail dispatcher pass failed")
            self.alert()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=poll)
