"""``/chat``: the web chat. The page posts each message (or button payload) as JSON to
``POST /chat/messages`` with the ``X-CSRF-Token`` header; the engine answers as for any channel
(sender :func:`bot.web.identity.chat_sender`, channel ``web``) and the replies come back as
``{"replies": [{"text", "buttons", "links"}]}``.

Notices for a user known only through the web chat (a challenge returned, a team changed: see
:mod:`db.notices`) wait in the outbox; they follow the replies of the user's next message (the page
sends one when it opens) and ``POST /chat/notices``, which the open page polls, returns them too.
Each is shown once.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.dialogue import UserMessage
from bot.web.deps import in_session, services_of
from bot.web.identity import chat_sender
from bot.web.inputs import json_body
from bot.web.render import language, render, text
from bot.web.security import CSRF_HEADER, check_csrf
from bot.web.team_view import user_id_of
from db.notices import take_web_notices

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
    message = await json_body(request, MAX_BODY_BYTES)
    if not isinstance(message, dict) or not isinstance(message.get("text"), str):
        return JSONResponse({"error": text("chat_error", lang)}, status_code=400)
    engine = services_of(request).engine
    sender = chat_sender(request)
    replies = await engine.handle(UserMessage(sender, message["text"], CHANNEL, {}))
    notices = await _notices(request, sender)
    return JSONResponse({"replies": [_reply(r) for r in replies] + notices})


async def _notices(request: Request, sender: str) -> list[dict[str, Any]]:
    """The sender's waiting notices as replies (marked ``notice``), now marked delivered."""
    now = services_of(request).clock.now()

    def take(session: Any) -> list[str]:
        uid = user_id_of(session, sender)
        return take_web_notices(session=session, user_id=uid, now=now) if uid else []

    return [{"text": notice, "notice": True} for notice in await in_session(request, take)]


async def poll_notices(request: Request) -> Response:
    """``POST /chat/notices``: the waiting notices of this browser's chat user (none: ``[]``)."""
    if not check_csrf(request, request.headers.get(CSRF_HEADER)):
        lang = language(request)
        return JSONResponse({"error": text("chat_session_expired", lang)}, status_code=403)
    sender = chat_sender(request)
    return JSONResponse({"replies": await _notices(request, sender)})


def routes() -> list[Route]:
    """The web chat's routes."""
    return [
        Route("/chat", page, methods=["GET"]),
        Route("/chat/messages", post_message, methods=["POST"]),
        Route("/chat/notices", poll_notices, methods=["POST"]),
    ]
