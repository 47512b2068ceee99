"""Wiring from :class:`~bot.config.Settings`: the SMTP sender and the dispatcher loop in the app.

Without ``AIGO_SMTP_HOST`` there is no sender: messages stay ``pending`` in the outbox and go out
once SMTP is configured (like reminder rows of an unconfigured platform).
"""

from __future__ import annotations

import asyncio

from sqlalchemy.orm import Session, sessionmaker

from bot.clock import clock_for
from bot.config import Settings
from bot.mail.dispatcher import MailDispatcher
from bot.mail.smtp import SmtpConfig, SmtpSender
from bot.reminders.pacing import dispatch_clock


def sender_for(settings: Settings) -> SmtpSender | None:
    """The SMTP sender of ``settings``, or None when no host is set."""
    if not settings.smtp_host:
        return None
    config = SmtpConfig(
        host=settings.smtp_host, port=settings.smtp_port, user=settings.smtp_user,
        password=settings.smtp_password, sender=settings.smtp_from,
        starttls=settings.smtp_starttls,
    )  # fmt: skip
    return SmtpSender(config)


def dispatcher_for(settings: Settings, sessions: sessionmaker[Session]) -> MailDispatcher | None:
    """A mail dispatcher on ``sessions`` with the configured sender, or None without SMTP."""
    sender = sender_for(settings)
    if sender is None:
        return None
    return MailDispatcher(sessions, sender, now=dispatch_clock(clock_for(settings.now)))


class MailService:
    """Runs :meth:`MailDispatcher.run_forever` as a task between :meth:`start` and :meth:`stop`."""

    def __init__(self, dispatcher: MailDispatcher) -> None:
        self.dispatcher = dispatcher
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start the loop (inside the running event loop)."""
        self._task = asyncio.create_task(self.dispatcher.run_forever(self._stop))

    async def stop(self) -> None:
        """Let the message in flight finish, then stop."""
        self._stop.set()
        if self._task is not None:
            await self._task


def mail_service(settings: Settings, sessions: sessionmaker[Session]) -> MailService | None:
    """The app's mail service, or None without ``AIGO_SMTP_HOST``."""
    dispatcher = dispatcher_for(settings, sessions)
    return MailService(dispatcher) if dispatcher is not None else None
