"""Rasa's REST channel: ``POST /webhooks/rest/webhook``.

Request: ``{"sender": str, "message": str, "metadata"?: object}``. Response: a JSON list of the
engine's replies, each with ``recipient_id`` (the caller's ``sender``) and the non-empty keys of
``text``, ``buttons``, ``image``, ``custom``, ``attachment`` (like Rasa's collecting channel).
The engine's sender key is ``rest:<sender>``, so a REST caller can never act as a LINE or Telegram
user. Malformed JSON, a missing/empty ``sender`` or a non-string ``message`` gets 400 with
``{"error": …}`` (the body is parsed by :mod:`bot.channels.safejson`: depth and number limits,
surrogates and NUL normalised); a body over 1 MB gets 413 (:class:`bot.channels._http.BodyLimit`).
Over-long and empty messages are answered politely by the engine without any state change.
"""

from __future__ import annotations

import asyncio
import hmac
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.channels import safejson
from bot.clock import Clock
from bot.dialogue import UserMessage
from db import ratelimits

MAX_SENDER_CHARS = 200
CHANNEL = "rest"
RATE_WINDOW = timedelta(minutes=1)


def _error(message: str, status: int = 400) -> Response:
    return JSONResponse({"error": message}, status_code=status)


def _parse(body: bytes) -> tuple[str, str, dict[str, Any]] | str:
    """Return (sender, message, metadata), or an error description for the caller."""
    try:
        data = safejson.loads(body)
    except safejson.BadJSON as exc:
        return str(exc)
    if not isinstance(data, dict):
        return "request body must be a JSON object"
    sender, message = data.get("sender"), data.get("message")
    if isinstance(sender, int) and not isinstance(sender, bool):
        sender = str(sender)
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        return f"'sender' must be a non-empty string of at most {MAX_SENDER_CHARS} characters"
    if not isinstance(message, str):
        return "'message' must be a string"
    metadata = data.get("metadata")
    metadata = {} if metadata is None else metadata
    if not isinstance(metadata, dict):
        return "'metadata' must be a JSON object"
    return sender, message, metadata


async def webhook(request: Request) -> Response:
    """Handle one REST message and return the replies (see the module docstring)."""
    refused = await _refused(request)
    if refused is not None:
        return refused
    parsed = _parse(await request.body())
    if isinstance(parsed, str):
        return _error(parsed)
    sender, text, metadata = parsed
    engine = request.app.state.services.engine
    replies = await engine.handle(UserMessage(f"{CHANNEL}:{sender}", text, CHANNEL, metadata))
    return JSONResponse([{"recipient_id": sender, **reply} for reply in replies])


async def _refused(request: Request) -> Response | None:
    """429 past the per-IP limit (counted in the database, shared by every worker), then 401
    without the bearer token when ``AIGO_REST_TOKEN`` is set; None when the request may go on."""
    settings = request.app.state.settings
    if settings.rest_rate_limit > 0:
        ip = request.client.host if request.client is not None else "unknown"
        hits = await asyncio.to_thread(_hit, request.app.state.services, f"rest-ip:{ip}")
        if hits > settings.rest_rate_limit:
            response = _error("too many requests from this address; try again in a minute", 429)
            response.headers["retry-after"] = str(int(RATE_WINDOW.total_seconds()))
            return response
    token = settings.rest_token.get()
    given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if token and not hmac.compare_digest(given.encode(), token.encode()):
        return _error(
            "missing or wrong bearer token (Authorization: Bearer <AIGO_REST_TOKEN>)", 401
        )
    return None


def _hit(services: Any, key: str) -> int:
    now = Clock().now()  # real time even when AIGO_NOW freezes the service clock
    with services.session_factory.begin() as session:
        return ratelimits.hit(session=session, key=key, now=now, window=RATE_WINDOW)


async def health(request: Request) -> Response:
    """``GET /webhooks/rest/`` as in Rasa: the channel is up."""
    return JSONResponse({"status": "ok"})


def routes() -> list[Route]:
    """The REST channel's routes."""
    return [
        Route("/webhooks/rest/webhook", webhook, methods=["POST"]),
        Route("/webhooks/rest/", health, methods=["GET"]),
    ]
