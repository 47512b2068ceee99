"""``LineSender``: reply, push and multicast through line-bot-sdk's async Messaging API client.

Messages are plain LINE message objects as dicts (``{"type": "text", "text": ...}``, Flex, with
``quickReply``), as produced by :mod:`bot.channels.render_line`; the SDK validates them
(``Message.from_dict``) before sending. The host comes from settings (``LINE_API_BASE_URL``), so
tests and proxies can stand in for ``api.line.me``.

Errors: every failure raises a :class:`bot.channels.errors.SendError` subclass (tree in that
module). A 400 on ``reply`` raises :class:`ReplyTokenInvalid` so the caller can push instead.
``push``/``multicast`` take an ``X-Line-Retry-Key``; a 409 (key already accepted) is returned as
``SendResult(duplicate=True)``, never raised.

Usage::

    sender = LineSender(access_token=token, base_url="https://api.line.me")
    await sender.start()           # inside the running event loop (aiohttp session)
    await sender.multicast(["U1", "U2"], [{"type": "text", "text": "hi"}], retry_key=str(uuid4()))
    await sender.close()
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from linebot.v3.messaging import (
    ApiException,
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    Message,
    MulticastRequest,
    PushMessageRequest,
    ReplyMessageRequest,
)

from bot.channels.errors import ReplyTokenInvalid, SendError, TransientError, error_for_status

MAX_MESSAGES = 5
MAX_MULTICAST = 500


@dataclass(frozen=True)
class SendResult:
    """What LINE answered: its request id, and whether the retry key had been accepted before."""

    request_id: str | None = None
    duplicate: bool = False


class LineSender:
    """The LINE Messaging API client used for replies, pushes and reminder multicasts."""

    def __init__(self, *, access_token: str, base_url: str, timeout: float = 10.0) -> None:
        self._config = Configuration(host=base_url.rstrip("/"), access_token=access_token)
        self._config.connection_pool_maxsize = 64
        self.timeout = timeout
        self._client: AsyncApiClient | None = None
        self._api: AsyncMessagingApi | None = None

    async def start(self) -> None:
        """Open the HTTP session (must run inside the event loop that will use it)."""
        if self._client is None:
            self._client = AsyncApiClient(self._config)
            self._api = AsyncMessagingApi(self._client)

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._client is not None:
            await self._client.close()
            self._client = None
            self._api = None

    @property
    def api(self) -> AsyncMessagingApi:
        if self._api is None:
            raise RuntimeError("LineSender.start() was not awaited")
        return self._api

    async def reply(self, reply_token: str, messages: Sequence[dict[str, Any]]) -> SendResult:
        """Reply with 1–5 messages; raises :class:`ReplyTokenInvalid` on an unusable token."""
        request = ReplyMessageRequest(replyToken=reply_token, messages=_models(messages))
        try:
            return await self._call(self.api.reply_message_with_http_info, request)
        except SendError as exc:
            if exc.status == 400 and "reply token" in exc.detail.lower():
                raise ReplyTokenInvalid(exc.channel, exc.status, exc.detail) from exc
            raise

    async def push(
        self, to: str, messages: Sequence[dict[str, Any]], *, retry_key: str | None = None
    ) -> SendResult:
        """Push 1–5 messages to one user; ``retry_key`` makes a retry safe (409 → duplicate)."""
        request = PushMessageRequest(to=to, messages=_models(messages))
        return await self._call(self.api.push_message_with_http_info, request, retry_key)

    async def multicast(
        self, to: Sequence[str], messages: Sequence[dict[str, Any]], *, retry_key: str | None
    ) -> SendResult:
        """Send 1–5 messages to 1–500 user ids in one request (409 → ``duplicate=True``)."""
        if not 1 <= len(to) <= MAX_MULTICAST:
            raise ValueError(f"multicast takes 1-{MAX_MULTICAST} user ids, got {len(to)}")
        request = MulticastRequest(to=list(to), messages=_models(messages))
        return await self._call(self.api.multicast_with_http_info, request, retry_key)

    async def _call(
        self, method: Callable[..., Awaitable[Any]], request: Any, retry_key: str | None = None
    ) -> SendResult:
        args = (request, retry_key) if retry_key is not None else (request,)
        try:
            response = await method(*args, _request_timeout=self.timeout)
        except ApiException as exc:
            if exc.status == 409:
                headers = exc.headers or {}
                return SendResult(headers.get("x-line-accepted-request-id"), duplicate=True)
            raise _error(exc) from None
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise TransientError("line", None, type(exc).__name__) from None
        headers = getattr(response, "headers", None) or {}
        return SendResult(headers.get("x-line-request-id"))


def _models(messages: Sequence[dict[str, Any]]) -> list[Message]:
    if not 1 <= len(messages) <= MAX_MESSAGES:
        raise ValueError(f"LINE sends 1-{MAX_MESSAGES} messages per request, got {len(messages)}")
    return [Message.from_dict(m) for m in messages]


def _error(exc: ApiException) -> SendError:
    detail = _message(exc.body) or str(exc.reason or "")
    return error_for_status("line", exc.status or None, detail)


def _message(body: Any) -> str:
    """LINE's error ``message`` from a response body (bytes/str JSON), or ''."""
    import json

    try:
        data = json.loads(body) if body else {}
    except (TypeError, ValueError):
        return ""
    return str(data.get("message", "")) if isinstance(data, dict) else ""
