"""Calendar feeds over HTTP, and the 「加入行事曆」 link under schedule answers.

Routes (served by ``aigo serve``):

- ``GET /calendar/<round>.ics[?lang=en]``: every milestone of the round (public data).
- ``GET /calendar/my/<token>.ics``: the deadlines still ahead for one chat user, in the rounds
  their reminder subscription covers (every round without one), in their language. ``token`` is
  :func:`sign` of the sender key: only the chat that got the link can build it; a bad token is 404.

:func:`add_calendar_links` appends one text reply with both links after a reply carrying a
``custom`` schedule (the wording is ``calendar.add_link`` in ``knowledge/templates.yml``). Links
start at ``AIGO_PUBLIC_URL``; tokens are signed with a key derived from ``AIGO_SECRET_KEY``. They
do not expire (calendar apps poll a subscribed feed for months).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

import knowledge
from bot.config import Settings
from db.subscriptions import get_subscription
from db.users import get_or_create_user_for_sender
from knowledge import Lang
from knowledge.calendar import calendar_links_text, deadlines_calendar, round_calendar

MEDIA_TYPE = "text/calendar; charset=utf-8"


def link_secret(settings: Settings) -> bytes:
    """The key calendar links are signed with (derived from ``AIGO_SECRET_KEY``)."""
    key = settings.secret_key.get().encode()
    return hmac.new(key, b"aigo calendar feed", hashlib.sha256).digest()


def sign(sender_key: str, secret: bytes) -> str:
    """A URL-safe token naming ``sender_key``, verifiable with :func:`verify`."""
    body = base64.urlsafe_b64encode(sender_key.encode()).decode().rstrip("=")
    mac = hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()[:24]
    return f"{body}.{mac}"


def verify(token: str, secret: bytes) -> str | None:
    """The sender key in ``token``, or None when it was not signed with ``secret``."""
    body, _, mac = token.partition(".")
    signed = body.encode("utf-8", "surrogatepass")
    expected = hmac.new(secret, signed, hashlib.sha256).hexdigest()[:24].encode()
    if not mac or not hmac.compare_digest(mac.encode("utf-8", "surrogatepass"), expected):
        return None
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None


def add_calendar_links(
    replies: list[dict[str, Any]], sender_key: str, settings: Settings
) -> list[dict[str, Any]]:
    """``replies`` plus the calendar links after the first schedule reply (else unchanged)."""
    schedule = next((r["custom"] for r in replies if _is_schedule(r)), None)
    if schedule is None or not schedule.get("round"):
        return replies
    lang: Lang = "en" if schedule.get("language") == "en" else "zh-TW"
    base = settings.public_url
    token = sign(sender_key, link_secret(settings))
    text = calendar_links_text(
        lang,
        url=f"{base}/calendar/{schedule['round']}.ics?lang={lang}",
        personal_url=f"{base}/calendar/my/{token}.ics",
    )
    return [*replies, {"text": text}]


def _is_schedule(reply: dict[str, Any]) -> bool:
    custom = reply.get("custom")
    return isinstance(custom, dict) and custom.get("type") == "schedule"


async def round_feed(request: Request) -> Response:
    """``GET /calendar/<round>.ics``."""
    round_id = request.path_params["round_id"]
    lang: Lang = "en" if request.query_params.get("lang") == "en" else "zh-TW"
    services = request.app.state.services
    programme = knowledge.load()
    if round_id not in {r.id for r in programme.rounds}:
        return PlainTextResponse("unknown round\n", status_code=404)
    body = round_calendar(programme, round_id, lang, services.clock.now())
    return Response(body, media_type=MEDIA_TYPE, headers=_download(f"aigo-{round_id}.ics"))


async def personal_feed(request: Request) -> Response:
    """``GET /calendar/my/<token>.ics``."""
    services = request.app.state.services
    sender_key = verify(request.path_params["token"], link_secret(services.settings))
    if sender_key is None:
        return PlainTextResponse("not found\n", status_code=404)
    rounds, lang = await run_in_threadpool(_rounds_and_language, services, sender_key)
    body = deadlines_calendar(knowledge.load(), rounds, lang, services.clock.now())
    return Response(body, media_type=MEDIA_TYPE, headers=_download("aigo-my-deadlines.ics"))


def _rounds_and_language(services: Any, sender_key: str) -> tuple[list[str], Any]:
    every = [r.id for r in knowledge.load().rounds]
    with services.session_factory.begin() as session:
        user = get_or_create_user_for_sender(session=session, sender_key=sender_key)
        subscription = get_subscription(session=session, user_id=user.id)
        lang = "en" if (user.language or "").startswith("en") else "zh-TW"
    rounds = list(subscription.rounds) if subscription and subscription.rounds else every
    return rounds, lang


def _download(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'inline; filename="{name}"'}


def routes() -> list[Route]:
    """The calendar routes."""
    return [
        Route("/calendar/my/{token}.ics", personal_feed, methods=["GET"]),
        Route("/calendar/{round_id}.ics", round_feed, methods=["GET"]),
    ]
