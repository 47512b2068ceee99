"""``GET /``: the landing page, linking to the web chat and the configured LINE / Telegram bots."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.config import Settings
from bot.web.render import render


def entry_points(settings: Settings) -> list[tuple[str, str]]:
    """``(text key, URL)`` of each configured chat entry point besides the web chat."""
    links = []
    if settings.line_bot_id:
        links.append(("line_entry", f"https://line.me/R/ti/p/{settings.line_bot_id}"))
    if settings.telegram_bot_username:
        links.append(("telegram_entry", f"https://t.me/{settings.telegram_bot_username}"))
    return links


async def landing(request: Request) -> Response:
    """The landing page."""
    return render(request, "landing.html", entries=entry_points(request.app.state.settings))


def routes() -> list[Route]:
    """The landing page's route."""
    return [Route("/", landing, methods=["GET"])]
