"""Paging and filters shared by the console's lists."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.requests import Request

from bot.web.params import bounded

PAGE_SIZE = 50
MAX_FILTER = 200
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Pager:
    """Page ``number`` (1-based) of a list; ``prev`` / ``next`` are links or None."""

    number: int
    offset: int
    prev: str | None
    next: str | None


def filters(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    """The non-empty query parameters among ``names``, trimmed and bounded."""
    found = {name: request.query_params.get(name, "").strip()[:MAX_FILTER] for name in names}
    return {name: value for name, value in found.items() if value}


def page_number(request: Request) -> int:
    """The ``page`` query parameter (1 when missing or not a positive number)."""
    return bounded(request.query_params.get("page"), default=1, limit=MAX_PAGE)


def pager(request: Request, shown: int, size: int = PAGE_SIZE) -> Pager:
    """Links to the neighbouring pages; ``shown`` is how many rows this page got (size + 1 means
    there is a next page)."""
    number = page_number(request)
    params = {k: v for k, v in request.query_params.items() if k != "page"}

    def link(n: int) -> str:
        return f"{request.url.path}?{urlencode({**params, 'page': n})}"

    return Pager(
        number,
        (number - 1) * size,
        link(number - 1) if number > 1 else None,
        link(number + 1) if shown > size else None,
    )
