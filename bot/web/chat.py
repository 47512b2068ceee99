"""``/chat``: the web chat. The page posts each message (or button payload) as JSON to
``POST /chat/messages`` with the ``X-CSRF-Token`` header; the engine answers as for any channel
(sender :func:`bot.web.identity.chat_sender`, channel ``web``) and the replies come back as
``{"replies": [{"text", "buttons", "links"}]}``.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.dialogue import UserMessage
from bot.web.deps import services_of
from bot.web.identity import chat_sender
from bot.web.render import language, render, text
from bot.web.security import CSRF_HEADER, check_csrf

CHANNEL = "web"
MAX_BODY_BYTES = 20_000


async def page(request: Request) -> Response:
    """The chat page (the session gets its web sender on first visit)."""
    chat_sender(request)
    return render(request, "chat.html")


def _schedule_text(custom: dict[str, Any]) -> str:
    """A schedule timeline (``custom.type == "schedule"``) as lines of text."""
    lines = [str(custom.get("title", ""))]
    for item in custom.get("items", []):
        mark = "▶ " if item.get("state") == "next" else "・"
        detail = f"（{item['detail']}）" if item.get("detail") else ""
        lines.append(f"{mark}{item.get('date', '')} {item.get('label', '')}{detail}")
    if custom.get("note"):
        lines.append(str(custom["note"]))
    return "\n".join(line for line in lines if line)


def _reply(reply: dict[str, Any]) -> dict[str, Any]:
    """What the page draws of one engine reply: text (a schedule drawn as text), buttons, links."""
    shown = {key: reply[key] for key in ("text", "buttons", "links") if reply.get(key)}
    custom = reply.get("custom")
    if isinstance(custom, dict) and custom.get("type") == "schedule" and "text" not in shown:
        shown["text"] = _schedule_text(custom)
    return shown


async def post_message(request: Request) -> Response:
    """One message from the page; the engine's replies as JSON."""
    lang = language(request)
    if not check_csrf(request, request.headers.get(CSRF_HEADER)):
        return JSONResponse({"error": text("chat_session_expired", lang)}, status_code=403)
    body = await request.body()
    try:
        message = json.loads(body) if len(body) <= MAX_BODY_BYTES else None
    except ValueError:
        message = None
    if not isinstance(message, dict) or not isinstance(message.get("text"), str):
        return JSONResponse({"error": text("chat_error", lang)}, status_code=400)
    engine = services_of(request).engine
    sender = chat_sender(request)
    replies = await engine.handle(UserMessage(sender, message["text"], CHANNEL, {}))
    return JSONResponse({"replies": [_reply(r) for r in replies]})


def routes() -> list[Route]:
    """The web chat's routes."""
    return [
        Route("/chat", page, methods=["GET"]),
        Route("/chat/messages", post_message, methods=["POST"]),
    ]
