"""``aigo telegram setup`` and ``aigo telegram poll``.

- ``setup --url URL``: ``setWebhook`` to ``URL`` (``/webhooks/telegram/webhook`` added when missing)
  with ``TELEGRAM_WEBHOOK_SECRET`` as the secret token, and ``setMyCommands`` with the command list
  of ``bot/channels/messages.yml`` (zh-TW by default, en for English clients).
- ``poll``: long polling for development without a public URL. It removes the webhook (Telegram
  refuses ``getUpdates`` while one is set), runs the same inbox and worker as the service, and only
  advances the offset after the updates are stored, so nothing is lost on a crash (duplicates are
  ignored by ``update_id``). ``--once`` stops when no update is waiting (tests, scripts).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit

from bot.config import ConfigError, Settings

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/telegram/webhook"
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]


def register(subparsers: Any) -> None:
    """Add ``telegram setup`` and ``telegram poll`` to the ``aigo`` parser."""
    telegram = subparsers.add_parser("telegram", help="Telegram channel tools")
    sub = telegram.add_subparsers(dest="telegram_command", metavar="COMMAND", required=True)
    setup = sub.add_parser("setup", help="set the webhook (with secret) and the command list")
    setup.add_argument("--url", required=True, help="public https base or full webhook URL")
    setup.set_defaults(handler=run_setup)
    poll = sub.add_parser("poll", help="long polling for development (no public URL needed)")
    poll.add_argument("--once", action="store_true", help="exit when no update is waiting")
    poll.add_argument("--timeout", type=int, default=30, help="long-poll timeout in seconds")
    poll.set_defaults(handler=run_poll)


def webhook_url(url: str) -> str:
    """The full webhook URL for ``url``; raises :class:`ConfigError` for a non-https URL."""
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.netloc:
        raise ConfigError(f"--url {url!r} must be an https:// URL (Telegram only calls https)")
    path = parts.path.rstrip("/")
    if not path.endswith(WEBHOOK_PATH):
        path += WEBHOOK_PATH
    return f"https://{parts.netloc}{path}"


def _require_token(settings: Settings) -> None:
    if not settings.telegram_bot_token:
        raise ConfigError("TELEGRAM_BOT_TOKEN must be set")


def run_setup(args: argparse.Namespace, settings: Settings) -> int:
    """Set the webhook and the command menu."""
    _require_token(settings)
    if not settings.telegram_webhook_secret:
        raise ConfigError("TELEGRAM_WEBHOOK_SECRET must be set (1-256 of A-Z a-z 0-9 _ -)")
    url = webhook_url(args.url)
    asyncio.run(_setup(settings, url))
    print(f"Telegram webhook set: {url} (secret token configured)")
    return 0


async def _setup(settings: Settings, url: str) -> None:
    from telegram import BotCommand
    from telegram.error import TelegramError

    from bot.channels.telegram_sender import TelegramSender
    from bot.channels.texts import telegram_commands

    sender = TelegramSender(
        token=settings.telegram_bot_token.get(), base_url=settings.telegram_api_base_url
    )
    bot = sender.bot
    try:
        await bot.set_webhook(
            url,
            secret_token=settings.telegram_webhook_secret.get(),
            allowed_updates=ALLOWED_UPDATES,
        )
        commands = telegram_commands()
        await bot.set_my_commands([BotCommand(c["command"], c["zh-TW"]) for c in commands])
        await bot.set_my_commands(
            [BotCommand(c["command"], c["en"]) for c in commands], language_code="en"
        )
    except TelegramError as exc:
        raise ConfigError(f"Telegram refused the setup: {exc.message}") from None
    finally:
        await sender.close()


def run_poll(args: argparse.Namespace, settings: Settings) -> int:
    """Poll ``getUpdates`` into the inbox and answer them until interrupted (or ``--once``)."""
    _require_token(settings)
    return asyncio.run(_poll(settings, once=args.once, timeout=args.timeout))


async def _poll(settings: Settings, *, once: bool, timeout: int) -> int:
    from telegram.error import TelegramError

    from bot.channels.runtime import Channels, turn_handler
    from bot.services import build_services

    services = build_services(settings)
    channels = Channels(
        settings, services.session_factory, services.clock.now, turn_handler(services.engine)
    )
    assert channels.telegram is not None
    await channels.start()
    bot = channels.telegram.sender.bot
    offset = 0
    try:
        await bot.delete_webhook(drop_pending_updates=False)
        print("polling Telegram (Ctrl-C to stop)")
        while True:
            try:
                updates = await bot.get_updates(
                    offset=offset,
                    timeout=0 if once else timeout,
                    allowed_updates=ALLOWED_UPDATES,
                )
            except TelegramError as exc:
                log.warning("getUpdates failed: %s; retrying", exc.message)
                await asyncio.sleep(2)
                continue
            events = [channels.telegram.new_event(u.to_dict()) for u in updates]
            await channels.inbox.store([e for e in events if e is not None])
            if updates:
                offset = updates[-1].update_id + 1
            elif once:
                break
        await channels.inbox.idle(timeout=60)
    finally:
        await channels.stop()
        services.close()
    return 0
