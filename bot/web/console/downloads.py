"""``/console/download/{sheet}.{fmt}``: the console's lists as files, through :mod:`bot.exports`
(the same code and columns as ``aigo challenges export`` / ``aigo teams export``): CSV for Excel
(UTF-8 BOM, CRLF), XLSX or JSON, headers in the page's language, times in Asia/Taipei.

``challenges`` takes the list's ``status`` and ``organisation`` (exact name) filters; ``audit`` is
the whole audit log (as ``aigo admin audit``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot import exports
from bot.web.console._guard import in_session, organiser_page
from bot.web.console._render import message
from bot.web.deps import services_of
from bot.web.render import language
from db import challenge_rows
from db.organisers import audit_rows
from db.teams import member_rows

Rows = list[dict[str, Any]]


def _challenges(session: Session, query: Mapping[str, str]) -> Rows:
    found = challenge_rows.rows(session=session, status=query.get("status") or None,
                                organisation=query.get("organisation") or None)  # fmt: skip
    return [row.as_dict() for row in found]


def _teams(session: Session, query: Mapping[str, str]) -> Rows:
    return list(member_rows(session=session))


def _audit(session: Session, query: Mapping[str, str]) -> Rows:
    return audit_rows(session=session)


SHEETS: dict[str, Callable[[Session, Mapping[str, str]], Rows]] = {
    "challenges": _challenges,
    "teams": _teams,
    "audit": _audit,
}


def links(sheet: str, request: Request, keep: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """``(format, URL)`` for each download of ``sheet`` with the page's ``keep`` filters."""
    params = {k: v for k in keep if (v := request.query_params.get(k))}
    query = f"?{urlencode(params)}" if params else ""
    return [(fmt, f"/console/download/{sheet}.{fmt}{query}") for fmt in ("csv", "xlsx")]


@organiser_page()
async def download(request: Request) -> Response:
    """The file of one sheet."""
    sheet, fmt = request.path_params["sheet"], request.path_params["fmt"]
    if sheet not in SHEETS or fmt not in exports.FORMATS:
        return message(request, 404, "not_found")
    query = dict(request.query_params)
    rows = await in_session(request, lambda session: SHEETS[sheet](session, query))
    table = exports.Sheet(sheet, rows)
    headers: exports.Headers = "en" if language(request) == "en" else "zh"
    body = exports.to_bytes(table, fmt, headers)
    name = exports.filename(table, fmt, services_of(request).clock.now())
    return Response(body, media_type=exports.MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


def routes() -> list[Route]:
    """The download route."""
    return [Route("/console/download/{sheet}.{fmt}", download, methods=["GET"])]
