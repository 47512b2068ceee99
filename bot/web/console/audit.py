"""``/console/audit``: every change organisers made (who, what, when), newest first."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.web.console._guard import in_session, organiser_page
from bot.web.console._lists import PAGE_SIZE, page_number, pager
from bot.web.console._render import page
from bot.web.console.downloads import links
from db.organisers import audit_entries


@organiser_page()
async def audit_log(request: Request) -> Response:
    """One page of the audit log."""
    offset = (page_number(request) - 1) * PAGE_SIZE
    entries = await in_session(
        request,
        lambda session: list(audit_entries(session=session, limit=PAGE_SIZE + 1, offset=offset)),
    )
    return page(
        request,
        "audit.html",
        entries=entries[:PAGE_SIZE],
        pager=pager(request, len(entries)),
        downloads=links("audit", request),
    )


def routes() -> list[Route]:
    """The audit log page."""
    return [Route("/console/audit", audit_log, methods=["GET"])]
