"""LIFF sign-in: inside LINE the pages obtain LINE's ID token and trade it for a cookie session.

When ``LINE_LIFF_ID`` is set, every page loads the LIFF SDK (the CSP allows LINE's origins,
:mod:`bot.web.security`). A page that has no session for its user (``need_link``) calls
``liff.getIDToken()`` and posts it to ``POST /liff/session`` (JSON ``{"id_token"}``, CSRF header).
The server never trusts the token itself: it asks LINE's verify endpoint
(``POST {LINE_API_BASE_URL}/oauth2/v2.1/verify``, form fields ``id_token`` and ``client_id`` = the
LIFF app's LINE Login channel id, the part of the LIFF ID before ``-``), checks the answer's
``aud``, and opens the session for the LINE sender ``line:<sub>`` on every page.

Errors::

    LiffError (reason)
     ├── LiffRefused      LINE said the token is not valid (expired, forged, other channel)
     └── LiffUnavailable  LINE could not be asked (network, 5xx)
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.config import Settings
from bot.web.identity import PAGES, grant
from bot.web.inputs import json_body
from bot.web.render import language, text
from bot.web.security import CSRF_HEADER, check_csrf

log = logging.getLogger(__name__)

VERIFY_PATH = "/oauth2/v2.1/verify"
MAX_BODY_BYTES = 8_000
TIMEOUT_SECONDS = 10


class LiffError(Exception):
    """An ID token that did not open a session; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"LIFF sign-in failed: {reason}")
        self.reason = reason


class LiffRefused(LiffError):
    """LINE's verify endpoint refused the token."""


class LiffUnavailable(LiffError):
    """LINE's verify endpoint could not be reached or failed."""


def channel_id(liff_id: str) -> str:
    """The LINE Login channel id of a LIFF app (``1234567890-AbcdEfgh`` → ``1234567890``)."""
    return liff_id.split("-", 1)[0]


async def verify_id_token(settings: Settings, id_token: str) -> str:
    """The LINE user id (``sub``) of a valid ``id_token``; :class:`LiffError` otherwise."""
    import aiohttp  # only on a sign-in: importing it costs 0.1 s of every start-up

    client_id = channel_id(settings.line_liff_id)
    url = settings.line_api_base_url.rstrip("/") + VERIFY_PATH
    form = {"id_token": id_token, "client_id": client_id}
    try:
        timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
        async with (
            aiohttp.ClientSession(timeout=timeout) as http,
            http.post(url, data=form) as response,
        ):
            status, body = response.status, await response.text()
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise LiffUnavailable(type(exc).__name__) from exc
    if status >= 500:
        raise LiffUnavailable(f"HTTP {status}")
    claims = _json(body)
    if status != 200:
        raise LiffRefused(str(claims.get("error_description") or f"HTTP {status}"))
    sub = claims.get("sub")
    if str(claims.get("aud")) != client_id or not isinstance(sub, str) or not sub:
        raise LiffRefused("not for this LIFF app")
    return sub


def _json(body: str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


async def _id_token(request: Request) -> str | None:
    data = await json_body(request, MAX_BODY_BYTES)
    token = data.get("id_token") if isinstance(data, dict) else None
    return token if isinstance(token, str) and token else None


async def open_session(request: Request) -> Response:
    """``POST /liff/session``: verify the ID token, then open the session (see the module)."""
    settings: Settings = request.app.state.settings
    lang = language(request)
    if not settings.line_liff_id:
        return JSONResponse({"error": text("not_found", lang)}, status_code=404)
    if not check_csrf(request, request.headers.get(CSRF_HEADER)):  # the header: the body is JSON
        return JSONResponse({"error": text("chat_session_expired", lang)}, status_code=403)
    token = await _id_token(request)
    if token is None:
        return JSONResponse({"error": text("liff_failed", lang)}, status_code=400)
    try:
        sub = await verify_id_token(settings, token)
    except LiffUnavailable as exc:
        log.warning("LINE ID token verification unavailable: %s", exc.reason)
        return JSONResponse({"error": text("server_error", lang)}, status_code=503)
    except LiffRefused as exc:
        log.info("LINE ID token refused: %s", exc.reason)
        return JSONResponse({"error": text("liff_failed", lang)}, status_code=401)
    for purpose in PAGES:
        grant(request, f"line:{sub}", purpose)
    return JSONResponse({"ok": True})


def routes() -> list[Route]:
    """The LIFF sign-in route."""
    return [Route("/liff/session", open_session, methods=["POST"])]
