"""Wiring of the LINE and Telegram channels into the ASGI app.

:func:`routes` are added to the app at build time; :class:`Channels` is built and started in the
app's lifespan (it needs the session factory, the clock and the engine) and stored as
``app.state.channels``. A channel whose secret is not configured answers its webhook with 404 and
a JSON ``{"error": "... not configured"}``.

Start-up cost: the platform SDKs (line-bot-sdk, python-telegram-bot; about 1 s of imports) are
imported only when that platform is configured, so a REST-only service never loads them.

The inbox worker starts with the app: it first answers events left pending by a previous run.
How many senders it answers at once: on SQLite one (a single writer: the inbox writes and the
turns take turns through one gate, see ``InboxWorker.exclusive``); on PostgreSQL
:data:`POSTGRES_CONCURRENCY`. An event's processing is mostly waiting (a commit's WAL flush, a
platform API call) and its turn runs in the engine's worker threads, so one sender at a time
would leave the process idle between round trips (bench/scale_out.py: 14 events/s at a quarter
of a core); several at once overlap those waits and PostgreSQL flushes their commits together.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.channels._http import error
from bot.channels.context import ChannelContext, TurnHandler
from bot.channels.inbox import InboxRow, InboxWorker
from bot.channels.startup import SenderStarter
from bot.config import Settings

if TYPE_CHECKING:  # the SDK-backed modules are imported only for a configured platform
    from bot.channels.line import LineChannel
    from bot.channels.telegram import TelegramChannel

log = logging.getLogger(__name__)

# Equal to ``line.WEBHOOK_PATH`` / ``telegram.WEBHOOK_PATH`` (tests check), kept here so that
# building the routes imports no SDK.
LINE_WEBHOOK_PATH = "/webhooks/line/webhook"
TELEGRAM_WEBHOOK_PATH = "/webhooks/telegram/webhook"
POSTGRES_CONCURRENCY = 8  # senders answered at once per process on PostgreSQL (see the module)


Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]


class Channels:
    """The configured platform channels, their senders and the shared inbox worker."""

    def __init__(
        self,
        settings: Settings,
        session_factory: sessionmaker[Session],
        now: Callable[[], datetime],
        turn: TurnHandler,
        *,
        concurrency: int | None = None,
        platforms: dict[str, str] | None = None,
    ) -> None:
        handlers: dict[str, Callable[[InboxRow], Awaitable[None]]] = {}
        self.starter = SenderStarter({} if platforms is None else platforms)
        single_writer = session_factory.kw["bind"].dialect.name == "sqlite"
        if concurrency is None:
            concurrency = 1 if single_writer else POSTGRES_CONCURRENCY
        self.inbox = InboxWorker(
            session_factory,
            handlers,
            now=now,
            concurrency=concurrency,
            single_writer=single_writer,
        )

        async def gated_turn(
            sender_key: str, text: str, channel: str, metadata: dict[str, Any]
        ) -> list[dict[str, Any]]:
            async with self.inbox.exclusive():
                return await turn(sender_key, text, channel, metadata)

        self.ctx = ChannelContext(session_factory=session_factory, now=now, turn=gated_turn)
        self.line: LineChannel | None = None
        self.telegram: TelegramChannel | None = None
        if settings.line_channel_secret and settings.line_channel_access_token:
            from bot.channels import line
            from bot.channels.line_sender import LineSender

            sender = LineSender(
                access_token=settings.line_channel_access_token.get(),
                base_url=settings.line_api_base_url,
            )
            self.line = line.LineChannel(
                channel_secret=settings.line_channel_secret.get(),
                sender=sender,
                inbox=self.inbox,
                ctx=self.ctx,
            )
            handlers[line.CHANNEL] = self.line.process
        if settings.telegram_bot_token:
            from bot.channels import telegram
            from bot.channels.telegram_sender import TelegramSender

            tg_sender = TelegramSender(
                token=settings.telegram_bot_token.get(), base_url=settings.telegram_api_base_url
            )
            self.telegram = telegram.TelegramChannel(
                webhook_secret=settings.telegram_webhook_secret.get(),
                sender=tg_sender,
                inbox=self.inbox,
                ctx=self.ctx,
            )
            handlers[telegram.CHANNEL] = self.telegram.process

    async def start(self) -> None:
        """Open the senders and start the inbox worker."""
        # Turns run in worker threads and are CPU-bound (NLU); a shorter GIL switch interval
        # (default 5 ms) lets the event loop answer webhooks between their time slices.
        sys.setswitchinterval(min(sys.getswitchinterval(), 0.001))
        if self.line is not None:
            await self.starter.start("line", self.line.sender)
        if self.telegram is not None:  # when down, webhooks are still stored; sends retry later
            await self.starter.start("telegram", self.telegram.sender)
        await self.inbox.start()

    async def stop(self) -> None:
        """Stop the worker, then close the senders."""
        await self.starter.stop()
        await self.inbox.stop()
        if self.line is not None:
            await self.line.sender.close()
        if self.telegram is not None:
            await self.telegram.sender.close()


async def _line_webhook(request: Request) -> Response:
    channels: Channels | None = getattr(request.app.state, "channels", None)
    if channels is None or channels.line is None:
        return error(404, "LINE channel not configured")
    return await channels.line.webhook(request)


async def _telegram_webhook(request: Request) -> Response:
    channels: Channels | None = getattr(request.app.state, "channels", None)
    if channels is None or channels.telegram is None:
        return error(404, "Telegram channel not configured")
    return await channels.telegram.webhook(request)


def routes() -> list[Route]:
    """The webhook routes of the platform channels."""
    return [
        Route(LINE_WEBHOOK_PATH, _line_webhook, methods=["POST"]),
        Route(TELEGRAM_WEBHOOK_PATH, _telegram_webhook, methods=["POST"]),
    ]


def turn_handler(engine: Any) -> TurnHandler:
    """Adapt ``engine.handle(UserMessage)`` to the channels' ``turn(...)`` signature."""
    from bot.dialogue import UserMessage

    async def turn(
        sender_key: str, text: str, channel: str, metadata: dict[str, Any]
    ) -> list[dict[str, Any]]:
        responses: list[dict[str, Any]] = await engine.handle(
            UserMessage(sender_key, text, channel, metadata)
        )
        return responses

    return turn


def with_channels(inner: Lifespan) -> Lifespan:
    """Wrap the app's lifespan: after ``inner`` has set ``app.state.services``, run the channels.

    Channels are started only when LINE or Telegram is configured in the settings.
    """

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with inner(app):
            services = app.state.services
            channels = Channels(
                services.settings,
                services.session_factory,
                services.clock.now,
                turn_handler(services.engine),
                platforms=services.platforms,
            )
            if channels.line is None and channels.telegram is None:
                yield
                return
            await channels.start()
            app.state.channels = channels
            try:
                yield
            finally:
                await channels.stop()

    return lifespan
