"""``TelegramSender``: send messages through python-telegram-bot's ``Bot``.

The API base comes from settings (``TELEGRAM_API_BASE_URL``; the bot uses ``{base}/bot<token>``),
so tests and proxies can stand in for ``api.telegram.org``. Text is sent as plain text (no
``parse_mode``), so nothing needs Markdown escaping; callers that want MarkdownV2 pass
``parse_mode="MarkdownV2"`` with text escaped by ``telegram.helpers.escape_markdown(version=2)``.

Errors: every PTB error raises a :class:`bot.channels.errors.SendError` subclass —
``RetryAfter`` → :class:`RateLimited` (``retry_after`` seconds), ``Forbidden`` (bot blocked) →
:class:`RecipientUnreachable`, ``InvalidToken`` → :class:`AuthenticationFailed`, ``BadRequest`` /
``ChatMigrated`` → :class:`InvalidRequest`, ``TimedOut`` / ``NetworkError`` (incl. 5xx) →
:class:`TransientError`.

The ``httpx`` logger is capped at WARNING here: at INFO it logs request URLs, which contain the
bot token.
"""

from __future__ import annotations

import logging
import warnings
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from bot.channels.errors import (
    AuthenticationFailed,
    InvalidRequest,
    OutcomeUnknown,
    RateLimited,
    RecipientUnreachable,
    SendError,
    TransientError,
)

logging.getLogger("httpx").setLevel(logging.WARNING)

MAX_TEXT = 4096


class TelegramSender:
    """The Telegram Bot API client used for replies and reminder messages."""

    def __init__(self, *, token: str, base_url: str, pool_size: int = 64) -> None:
        request = HTTPXRequest(connection_pool_size=pool_size, read_timeout=10.0)
        self.bot = Bot(token, base_url=f"{base_url.rstrip('/')}/bot", request=request)
        self._started = False

    async def start(self) -> None:
        """Initialise the bot (calls ``getMe``); raises :class:`SendError` when that fails."""
        if not self._started:
            try:
                await self.bot.initialize()
            except TelegramError as exc:
                raise to_send_error(exc) from None
            self._started = True

    async def close(self) -> None:
        """Close the HTTP connections."""
        if self._started:
            await self.bot.shutdown()
            self._started = False

    async def send_message(
        self,
        chat_id: int | str,
        text: str,
        *,
        reply_markup: InlineKeyboardMarkup | None = None,
        parse_mode: str | None = None,
    ) -> int:
        """Send one message (≤ 4,096 characters); return Telegram's ``message_id``."""
        if not 1 <= len(text) <= MAX_TEXT:
            raise ValueError(f"Telegram text must be 1-{MAX_TEXT} characters, got {len(text)}")
        try:
            message: Message = await self.bot.send_message(
                chat_id, text, reply_markup=reply_markup, parse_mode=parse_mode
            )
        except TelegramError as exc:
            raise to_send_error(exc) from None
        return message.message_id

    async def answer_callback_query(self, callback_query_id: str) -> None:
        """Stop the button's loading spinner (errors are reported, never fatal to a turn)."""
        try:
            await self.bot.answer_callback_query(callback_query_id)
        except TelegramError as exc:
            raise to_send_error(exc) from None


def to_send_error(exc: TelegramError) -> SendError:
    """Map a PTB error to the shared :mod:`bot.channels.errors` tree."""
    detail = exc.message
    if isinstance(exc, RetryAfter):
        return RateLimited("telegram", 429, detail, _seconds(exc))
    if isinstance(exc, Forbidden):
        return RecipientUnreachable("telegram", 403, detail)
    if isinstance(exc, InvalidToken):
        return AuthenticationFailed("telegram", 401, "invalid bot token")
    if isinstance(exc, BadRequest | ChatMigrated):
        return InvalidRequest("telegram", 400, detail)
    if isinstance(exc, TimedOut):
        return OutcomeUnknown("telegram", None, detail or "timed out")
    if isinstance(exc, NetworkError):
        return TransientError("telegram", None, detail)
    return TransientError("telegram", None, detail)


def _seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB warns that the int form is deprecated
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
