"""Security headers, the per-IP limit on public pages, and CSRF checks.

- :class:`SecurityHeadersMiddleware` sets CSP (scripts and styles from this origin only; LINE's
  LIFF SDK origins are added when ``LINE_LIFF_ID`` is set), ``X-Frame-Options: DENY`` and
  ``frame-ancestors 'none'`` (LINE opens LIFF pages in its in-app browser, not in a frame, so no
  framing is needed), ``Referrer-Policy: no-referrer`` (link tokens never leak to other sites),
  ``nosniff``, ``no-store`` on pages, and HSTS in production.
- :class:`IPLimitMiddleware` answers 429 when one client address sends more than ``limit``
  requests per ``window`` seconds (static files are not counted).
- :func:`csrf_token` / :func:`check_csrf` / :func:`csrf_ok`: one random token per session, sent
  back by every form (hidden ``_csrf`` field) and every ``fetch`` (``X-CSRF-Token`` header).
"""

from __future__ import annotations

import secrets
import time

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.channels.ratelimit import SlidingWindowLimiter, Verdict
from bot.web.inputs import form
from bot.web.signing import same_text

LIFF_ORIGINS = "https://static.line-scdn.net https://*.line-scdn.net https://*.line.me"
CSRF_FIELD = "_csrf"
CSRF_HEADER = "x-csrf-token"


def content_security_policy(liff: bool) -> str:
    """The CSP of every page (LINE's origins only when the pages run as a LIFF app)."""
    extra = f" {LIFF_ORIGINS}" if liff else ""
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self'{extra}",
            "style-src 'self'",
            "img-src 'self' data:" + (" https://*.line-scdn.net" if liff else ""),
            f"connect-src 'self'{extra}",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "object-src 'none'",
        )
    )


class SecurityHeadersMiddleware:
    """Add the security headers to every response of the web pages."""

    def __init__(self, app: ASGIApp, *, liff: bool, production: bool) -> None:
        self.app = app
        self.headers = {
            "Content-Security-Policy": content_security_policy(liff),
            "X-Frame-Options": "DENY",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
        }
        if production:
            self.headers["Strict-Transport-Security"] = "max-age=31536000"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
                if not static:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class IPLimitMiddleware:
    """429 for a client address over ``limit`` requests per ``window`` seconds."""

    def __init__(self, app: ASGIApp, *, limit: int = 300, window: float = 60.0) -> None:
        self.app = app
        self.limiter = SlidingWindowLimiter(limit=limit, window=window)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        client = scope.get("client") or ("unknown", 0)
        if self.limiter.check(str(client[0]), time.monotonic()) is not Verdict.ALLOW:
            response = PlainTextResponse(
                "Too many requests, please wait a minute. 請求太頻繁，請稍候一分鐘再試。",
                status_code=429,
                headers={"Retry-After": str(int(self.limiter.window))},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def csrf_token(request: Request) -> str:
    """This session's CSRF token (created on first use)."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: str | None) -> bool:
    """True when ``submitted`` (form field or header) is this session's CSRF token."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or not submitted:
        return False
    return same_text(submitted, token)


async def csrf_ok(request: Request) -> bool:
    """True when the request carries this session's CSRF token (header, or form field on POST)."""
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None and request.method == "POST":
        submitted = str((await form(request)).get(CSRF_FIELD) or "")
    return check_csrf(request, submitted)
