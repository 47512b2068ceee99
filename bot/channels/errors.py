"""The errors a platform sender raises, shared by LINE and Telegram.

Every SDK error is mapped to exactly one class of this tree (``LineSender`` and
``TelegramSender`` do the mapping), so callers such as the reminder dispatcher decide what to do
without knowing either SDK::

    SendError                    channel, status, detail; .retryable
    ├── RateLimited              429; retry_after: float | None (seconds; Telegram gives it,
    │                            LINE does not) — wait, then retry
    ├── RecipientUnreachable     Telegram 403 (bot blocked / can't initiate), LINE 403 —
    │                            mark the user inactive, never retry
    ├── InvalidRequest           400/404/413/415 and other 4xx — a bug or bad data, never retry
    │   └── ReplyTokenInvalid    LINE reply token expired or already used — push instead
    ├── AuthenticationFailed     401 (LINE access token / Telegram bot token wrong) — config error
    └── TransientError           5xx, timeouts, connection errors — retry with backoff

A LINE 409 (``X-Line-Retry-Key`` already accepted) is *not* an error: the senders report it as a
success with ``duplicate=True``. :func:`with_retries` retries the retryable ones in-process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


class SendError(Exception):
    """A platform refused or failed a send; ``str()`` never contains a secret."""

    retryable = False

    def __init__(self, channel: str, status: int | None, detail: str) -> None:
        super().__init__(f"{channel} send failed ({status}): {detail}")
        self.channel = channel
        self.status = status
        self.detail = detail


class RateLimited(SendError):
    """429: too many requests; ``retry_after`` seconds when the platform said so."""

    retryable = True

    def __init__(
        self, channel: str, status: int | None, detail: str, retry_after: float | None = None
    ) -> None:
        super().__init__(channel, status, detail)
        self.retry_after = retry_after


class RecipientUnreachable(SendError):
    """403: the user blocked the bot (or may not be messaged); mark them inactive."""


class InvalidRequest(SendError):
    """A 4xx other than 401/403/409/429: the request itself is wrong; do not retry."""


class ReplyTokenInvalid(InvalidRequest):
    """LINE: the reply token expired or was used already; send with push instead."""


class AuthenticationFailed(SendError):
    """401 (or Telegram 404 on the token path): the configured token is wrong."""


class TransientError(SendError):
    """5xx, timeout or a connection problem: retry later with backoff."""

    retryable = True


class OutcomeUnknown(SendError):
    """Telegram: the request timed out after it was sent, so the message may have arrived.

    Telegram has no idempotency key, so it is not retried (that could deliver it twice); callers
    record the outcome as unknown.
    """


def error_for_status(
    channel: str, status: int | None, detail: str, retry_after: float | None = None
) -> SendError:
    """Return the error class instance for an HTTP ``status`` (``None``: no response at all)."""
    if status is None or status >= 500:
        return TransientError(channel, status, detail)
    if status == 429:
        return RateLimited(channel, status, detail, retry_after)
    if status == 401:
        return AuthenticationFailed(channel, status, detail)
    if status == 403:
        return RecipientUnreachable(channel, status, detail)
    return InvalidRequest(channel, status, detail)


async def with_retries(
    send: Callable[[], Awaitable[T]], attempts: int = 4, base_delay: float = 0.5
) -> T:
    """Call ``send`` until it succeeds, retrying retryable errors (honouring ``retry_after``).

    Waits ``retry_after`` (capped at 30 s) after a 429, else ``base_delay * 2**n``; re-raises the
    last error after ``attempts`` tries and any non-retryable error at once.
    """
    for attempt in range(attempts):
        try:
            return await send()
        except SendError as exc:
            if not exc.retryable or attempt == attempts - 1:
                raise
            wait = getattr(exc, "retry_after", None) or base_delay * 2**attempt
            log.warning("%s; retrying in %.1f s", exc, wait)
            await asyncio.sleep(min(wait, 30.0))
    raise AssertionError("unreachable")  # pragma: no cover
