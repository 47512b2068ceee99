"""Small HTTP helpers shared by the endpoints: the body cap, a size-capped body read, JSON errors.

:class:`BodyLimit` is ASGI middleware wrapped around the whole app: every request body, declared
(``Content-Length``) or chunked, is read at most ``limit`` bytes into memory and refused with 413
as soon as it goes past, before any endpoint sees it.
"""

from __future__ import annotations

import logging
import time

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 1_000_000  # bytes; larger bodies are refused with 413 on every endpoint


class BodyTooLarge(Exception):
    """The request body exceeds the limit."""


def declared_over(declared: str, limit: int) -> bool:
    """True when a ``Content-Length`` value ``declared`` says more than ``limit`` bytes (a value
    that is not ASCII digits says nothing: the body is counted as it streams)."""
    if not (declared.isascii() and declared.isdigit()):
        return False
    return len(declared.lstrip("0")) > len(str(limit)) or int(declared) > limit


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The raw body, at most ``limit`` bytes; raises :class:`BodyTooLarge` past it."""
    if declared_over(request.headers.get("content-length", ""), limit):
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def error(status: int, message: str) -> JSONResponse:
    """A JSON error body ``{"error": message}`` (never a traceback, never a secret)."""
    return JSONResponse({"error": message}, status_code=status)


class ThrottledWarning:
    """A WARNING at most once per ``every`` seconds (with the count since), DEBUG otherwise.

    For refusals an outsider can trigger at will (wrong webhook secrets): the log stays readable
    and cannot be flooded.
    """

    def __init__(self, logger: logging.Logger, message: str, every: float = 60.0) -> None:
        self._log, self._message, self._every = logger, message, every
        self._last = -every
        self._count = 0

    def __call__(self) -> None:
        self._count += 1
        now = time.monotonic()
        if now - self._last < self._every:
            self._log.debug(self._message)
            return
        self._log.warning("%s (%d in the last %.0f s)", self._message, self._count, self._every)
        self._last, self._count = now, 0


class BodyLimit:
    """ASGI middleware: a request body over ``limit`` bytes gets 413 (see the module docstring).

    Paths in ``exempt`` (file uploads) pass untouched: their handlers cap the body themselves
    while they stream it, and answer in their own words.
    """

    def __init__(
        self, app: ASGIApp, limit: int = MAX_BODY, exempt: frozenset[str] = frozenset()
    ) -> None:
        self.app = app
        self.limit = limit
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.exempt:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"").decode("latin-1")
        if declared_over(declared, self.limit):
            await error(413, "request body too large")(scope, receive, send)
            return
        buffered = await self._buffer(receive)
        if buffered is None:
            await error(413, "request body too large")(scope, receive, send)
            return
        await self.app(scope, _replay(buffered, receive), send)

    async def _buffer(self, receive: Receive) -> list[Message] | None:
        """The body messages up to the end of the body, or None once past the limit."""
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return messages
            size += len(message.get("body", b""))
            if size > self.limit:
                return None
            if not message.get("more_body", False):
                return messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay
