"""Cookie sessions: a signed cookie holding a small JSON dict (``request.session``).

Pure ASGI middleware in the manner of Starlette's ``SessionMiddleware`` (which needs
``itsdangerous``), signed with :mod:`bot.web.signing` under the ``session`` salt. The cookie is
``HttpOnly``, ``SameSite=Lax``, ``Secure`` in production, and lives :data:`SESSION_TTL` seconds
from its last change. A forged, expired, unreadable or malformed cookie (any bytes a client sends)
is an empty session.
"""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.web.signing import TokenError, sign, unsign

COOKIE = "aigo_session"
SESSION_TTL = 8 * 3600


class SessionMiddleware:
    """Load ``scope["session"]`` from the cookie; write it back when the handler changed it."""

    def __init__(self, app: ASGIApp, *, secret: str, secure: bool) -> None:
        self.app = app
        self.secret = secret
        self.secure = secure

    def _load(self, scope: Scope) -> dict[str, Any]:
        cookies: dict[str, str] = {}
        for name, value in scope.get("headers", []):
            if name == b"cookie":  # parsed as browsers do: a malformed pair never raises
                cookies.update(cookie_parser(value.decode("latin-1")))
        if COOKIE not in cookies:
            return {}
        try:
            data = unsign(self.secret, "session", cookies[COOKIE])
        except TokenError:
            return {}
        if not isinstance(data.get("_t"), int) or data["_t"] + SESSION_TTL < time.time():
            return {}
        return data

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session = self._load(scope)
        scope["session"] = session
        before = json.dumps(session, sort_keys=True)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                current: dict[str, Any] = scope["session"]
                if json.dumps(current, sort_keys=True) != before:
                    headers = MutableHeaders(scope=message)
                    headers.append("Set-Cookie", self._cookie(current))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _cookie(self, session: dict[str, Any]) -> str:
        session["_t"] = int(time.time())
        value = sign(self.secret, "session", session)
        flags = f"Path=/; Max-Age={SESSION_TTL}; HttpOnly; SameSite=Lax"
        return f"{COOKIE}={value}; {flags}" + ("; Secure" if self.secure else "")
