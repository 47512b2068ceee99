"""Wiring from :class:`~bot.config.Settings`: database, senders, dispatcher, service, run-due.

Senders exist only for configured platforms (``LINE_CHANNEL_ACCESS_TOKEN``,
``TELEGRAM_BOT_TOKEN``); rows of an unconfigured channel simply stay pending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

import knowledge
from bot.channels.line_sender import LineSender
from bot.channels.telegram_sender import TelegramSender
from bot.clock import clock_for
from bot.config import Settings
from bot.reminders import planner, scheduler
from bot.reminders.dispatcher import Dispatcher, Stats
from bot.reminders.pacing import dispatch_clock
from bot.reminders.service import ReminderService
from db.session import make_engine, make_session_factory, upgrade


def open_db(settings: Settings, *, migrate: bool = True) -> tuple[Engine, sessionmaker[Session]]:
    """Migrate (idempotent) and open the database of ``settings``."""
    if migrate:
        upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    return engine, make_session_factory(engine)


def senders_for(settings: Settings) -> tuple[LineSender | None, TelegramSender | None]:
    """The platform senders that have credentials in ``settings``."""
    line = (
        LineSender(
            access_token=settings.line_channel_access_token.get(),
            base_url=settings.line_api_base_url,
        )
        if settings.line_channel_access_token
        else None
    )
    telegram = (
        TelegramSender(
            token=settings.telegram_bot_token.get(), base_url=settings.telegram_api_base_url
        )
        if settings.telegram_bot_token
        else None
    )
    return line, telegram


def dispatcher_for(
    settings: Settings, sessions: sessionmaker[Session], **options: Any
) -> tuple[Dispatcher, tuple[Any, ...]]:
    """A dispatcher on ``sessions`` with the configured senders (not yet started)."""
    line, telegram = senders_for(settings)
    clock = clock_for(settings.now)
    dispatcher = Dispatcher(
        sessions, now=dispatch_clock(clock), line=line, telegram=telegram, **options
    )
    return dispatcher, tuple(s for s in (line, telegram) if s is not None)


def service_for(
    settings: Settings,
    engine: Engine,
    sessions: sessionmaker[Session],
    platforms: dict[str, str] | None = None,
) -> ReminderService | None:
    """The long-running service on the app's database, or None when no platform is configured."""
    dispatcher, senders = dispatcher_for(settings, sessions)
    if not senders:
        return None
    return ReminderService(
        engine=engine, sessions=sessions, programme=knowledge.load(),
        clock=clock_for(settings.now), dispatcher=dispatcher, senders=senders,
        platforms=platforms, inbox_retention=timedelta(days=settings.inbox_retention_days),
    )  # fmt: skip


@dataclass
class RunDueReport:
    """What ``aigo reminders run-due`` did."""

    fired: list[str]
    missed: list[str]
    enqueued: int
    stats: Stats


async def run_due(settings: Settings, **options: Any) -> RunDueReport:
    """Re-plan, fire what is due at the clock's now, drain the outbox, and return a report.

    Idempotent: fired reminders are not fired again and sent rows are not sent again.
    """
    engine, sessions = open_db(settings)
    try:
        programme = knowledge.load()
        with sessions.begin() as session:
            scheduler.sync_plan(session=session, reminders=planner.plan(programme))
        now = clock_for(settings.now).now()
        fired = scheduler.fire_due(sessions, programme, now)
        stats = await drain_now(settings, sessions, **options)
        return RunDueReport(fired.fired, fired.missed, fired.deliveries, stats)
    finally:
        engine.dispose()


async def drain_now(settings: Settings, sessions: sessionmaker[Session], **options: Any) -> Stats:
    """Send what the outbox holds now with the configured senders (started and closed here)."""
    dispatcher, senders = dispatcher_for(settings, sessions, **options)
    for sender in senders:
        await sender.start()
    try:
        return await dispatcher.drain()
    finally:
        for sender in senders:
            await sender.close()


def reminder_service(settings: Settings, services: Any) -> ReminderService | None:
    """:func:`service_for` on a :class:`bot.services.Services` (its engine and sessions)."""
    return service_for(settings, services.db_engine, services.session_factory, services.platforms)
