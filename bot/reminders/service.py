"""The long-running reminder service: leader election, the APScheduler timer, the dispatcher.

- Every process runs a dispatcher (PostgreSQL: several share the outbox safely).
- Exactly one process leads (:class:`~bot.reminders.leader.LeaderLock`); standbys retry every
  ``standby_retry`` seconds and take over when the leader's database session ends.
- On becoming leader: re-plan (:func:`~bot.reminders.scheduler.sync_plan`), fire whatever is due
  (late reminders whose deadline is still ahead fire; others are missed), then add one APScheduler
  ``date`` job per pending reminder (id ``reminder:<key>``, ``replace_existing=True``, memory job
  store, ``misfire_grace_time=None``). The jobs only *wake* the service; what fires is decided
  from the rows, so nothing depends on pickled callables. The periodic leader job also calls
  :func:`~bot.reminders.scheduler.fire_due` as a safety net, and purges inbox rows older than
  ``inbox_retention`` (:func:`bot.channels.inbox_rows.purge`) at most every ``purge_every``.

The timer runs on real time; what is due is always judged by the service clock (``AIGO_NOW``
freezes it, and then the timer merely wakes the service early).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import inbox_rows
from bot.channels.startup import SenderStarter
from bot.clock import Clock
from bot.reminders import planner, scheduler
from bot.reminders.dispatcher import Dispatcher
from bot.reminders.leader import LeaderLock
from knowledge import TZ, Programme

log = logging.getLogger(__name__)


class ReminderService:
    """Start with :meth:`start` inside the running loop; stop with :meth:`stop`."""

    def __init__(
        self, *, engine: Engine, sessions: sessionmaker[Session], programme: Programme,
        clock: Clock, dispatcher: Dispatcher, standby_retry: float = 15.0,
        senders: tuple[Any, ...] = (), platforms: dict[str, str] | None = None,
        inbox_retention: timedelta = timedelta(days=30), purge_every: float = 3600.0,
    ) -> None:  # fmt: skip
        self.engine, self.sessions, self.programme, self.clock = engine, sessions, programme, clock
        self.dispatcher, self.standby_retry, self.senders = dispatcher, standby_retry, senders
        self.leader = LeaderLock(engine)
        self.starter = SenderStarter({} if platforms is None else platforms)
        self.inbox_retention, self.purge_every = inbox_retention, purge_every
        self._purged_at = -purge_every
        self.timer = AsyncIOScheduler(
            timezone=TZ, job_defaults={"misfire_grace_time": None, "coalesce": True}
        )
        self._stop = asyncio.Event()
        self._dispatch_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start senders (in the background while a platform is down), the timer (leader
        election job) and the dispatcher loop."""
        for sender in self.senders:
            await self.starter.start(type(sender).__name__.removesuffix("Sender").lower(), sender)
        self.timer.start()
        self.timer.add_job(
            self._elect, "interval", seconds=self.standby_retry, id="leader",
            replace_existing=True, next_run_time=datetime.now(TZ),  # the timer runs on real time
        )  # fmt: skip
        self._dispatch_task = asyncio.create_task(self.dispatcher.run_forever(self._stop))

    async def stop(self) -> None:
        """Stop the dispatcher and timer, release leadership, close senders."""
        self._stop.set()
        await self.starter.stop()
        if self._dispatch_task is not None:
            await self._dispatch_task
        self.timer.shutdown(wait=False)
        await asyncio.to_thread(self.leader.release)
        for sender in self.senders:
            await sender.close()

    async def _elect(self) -> None:
        try:
            if self.leader.held:
                if await asyncio.to_thread(self.leader.still_held):
                    await self._fire()
                    await self._purge()
                else:
                    self._drop_jobs()
            elif await asyncio.to_thread(self.leader.try_acquire):
                await self._lead()
                await self._purge()
        except Exception:
            log.exception("reminder leader job failed")

    async def _lead(self) -> None:
        reminders = planner.plan(self.programme)
        with self.sessions.begin() as session:
            result = scheduler.sync_plan(session=session, reminders=reminders)
        log.info("reminder plan synced: %s", result)
        await self._fire()
        for key, at in await asyncio.to_thread(scheduler.pending_times, self.sessions):
            self.timer.add_job(
                self._wake, "date", run_date=at, id=f"reminder:{key}", replace_existing=True
            )

    async def _wake(self) -> None:
        if self.leader.held:
            await self._fire()

    async def _fire(self) -> None:
        now = self.clock.now()
        result = await asyncio.to_thread(scheduler.fire_due, self.sessions, self.programme, now)
        if result.fired or result.missed:
            log.info("fired %s, missed %s", result.fired, result.missed)

    async def _purge(self) -> None:
        if time.monotonic() - self._purged_at < self.purge_every:
            return
        self._purged_at = time.monotonic()
        purged = await asyncio.to_thread(self._purge_sync)
        if purged:
            log.info("purged %d inbox events older than %s", purged, self.inbox_retention)

    def _purge_sync(self) -> int:
        with self.sessions.begin() as session:
            return inbox_rows.purge(
                session=session, now=self.clock.now(), retention=self.inbox_retention
            )

    def _drop_jobs(self) -> None:
        for job in self.timer.get_jobs():
            if job.id.startswith("reminder:"):
                job.remove()
