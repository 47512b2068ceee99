"""ASGI middleware: a request id for every request, one access-log line, request counts.

The id is the caller's ``X-Request-ID`` (if it is a short token) or a new one; it is echoed in the
response's ``X-Request-ID`` and set in :data:`bot.logs.request_id` for every log line of the
request. The access line (logger ``aigo.access``, INFO) has method, path, status and duration; it
never has the query string, headers or body (tokens and personal data stay out of the logs).
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot import logs

log = logging.getLogger("aigo.access")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_LONG_SEGMENT = re.compile(r"[^/]{24,}")  # signed links and other tokens in a path


def safe_path(path: str) -> str:
    """``path`` with long segments (tokens, signed links) replaced by ``…``."""
    return _LONG_SEGMENT.sub("…", path)


class AccessLog:
    """Wraps the app; the app's ``state.metrics`` (if any) counts the requests."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _VALID_ID.match(given) else secrets.token_hex(8)
        token = logs.request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, status, time.perf_counter() - started)
            logs.request_id.reset(token)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        method, path = scope["method"], safe_path(scope["path"])
        metrics: Any = getattr(getattr(scope.get("app"), "state", None), "metrics", None)
        if metrics is not None:
            metrics.requests.labels(method, path if status != 404 else "unmatched", status).inc()
        if log.isEnabledFor(logging.INFO):
            log.info(
                "%s %s %d %.1fms", method, path, status, seconds * 1000,
                extra={"method": method, "path": path, "status": status,
                       "duration_ms": round(seconds * 1000, 1)},
            )  # fmt: skip
