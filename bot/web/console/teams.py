"""``/console/teams``: teams with their members (foreign nationals flagged to confirm) and the
challenges each applied to."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.web.console import downloads
from bot.web.console._guard import in_session, organiser_page
from bot.web.console._lists import PAGE_SIZE, filters, pager
from bot.web.console._render import page
from db.listing import team_page


@organiser_page()
async def team_list(request: Request) -> Response:
    """One page of teams (optionally whose name contains ``text``)."""
    text = filters(request, ("text",)).get("text")
    offset = pager(request, 0).offset
    teams = await in_session(
        request,
        lambda session: team_page(session=session, text=text, limit=PAGE_SIZE + 1, offset=offset),
    )
    return page(
        request,
        "teams.html",
        teams=teams[:PAGE_SIZE],
        pager=pager(request, len(teams)),
        text=text,
        downloads=downloads.links("teams", request),
    )


def routes() -> list[Route]:
    """The teams page."""
    return [Route("/console/teams", team_list, methods=["GET"])]
