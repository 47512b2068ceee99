"""What the pages read from a request, with text normalised as the channels normalise it.

A browser sends UTF-8, but a client can send anything: ``%00`` in a path or query, a multipart
form whose ``charset`` (``unicode_escape``) decodes to NUL or a lone surrogate, JSON nested
thousands deep. Text with NUL is refused by PostgreSQL and a lone surrogate by every encoder, so
neither may reach a handler (:func:`bot.channels.safejson.clean_text`: surrogates become U+FFFD,
NUL is removed):

- :class:`CleanInputMiddleware` answers a path with NUL (``%00``) with the polite 404 page (no
  page or record has one in its name) and removes NUL from the query string, before routing.
  Nothing else can be in them: both are percent-decoded as UTF-8 with replacement.
- :func:`form` is the posted form (``request.form()``) with every field name and text value
  cleaned; file parts are passed as they are.
- :func:`json_body` is a JSON body parsed by :func:`bot.channels.safejson.loads` (depth, number
  and size limits, text cleaned), or None when it is not acceptable.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.channels import safejson
from bot.channels.safejson import clean_text

__all__ = ["CleanInputMiddleware", "clean_form", "form", "json_body"]


class CleanInputMiddleware:
    """No NUL in the path (404) or the query string (removed): see the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if "\x00" in scope["path"]:
                from bot.web.render import error_page  # render -> security -> this module

                await error_page(Request(scope, receive), 404, "not_found")(scope, receive, send)
                return
            query: bytes = scope.get("query_string", b"")
            if b"\x00" in query or b"%00" in query:
                scope["query_string"] = _clean_query(query)
        await self.app(scope, receive, send)


def _clean_query(query: bytes) -> bytes:
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    return urlencode([(clean_text(k), clean_text(v)) for k, v in pairs]).encode()


def clean_form(posted: FormData) -> FormData:
    """``posted`` with every field name and text value cleaned (files as they are)."""
    return FormData(
        [
            (clean_text(name), clean_text(value) if isinstance(value, str) else value)
            for name, value in posted.multi_items()
        ]
    )


async def form(request: Request) -> FormData:
    """The posted form, cleaned (an unreadable form body is Starlette's 400)."""
    return clean_form(await request.form())


async def json_body(request: Request, limit: int) -> Any | None:
    """The JSON body (at most ``limit`` bytes), cleaned; None when it is too long or not
    acceptable JSON (:func:`bot.channels.safejson.loads`)."""
    body = await request.body()
    if len(body) > limit:
        return None
    try:
        return safejson.loads(body)
    except safejson.BadJSON:
        return None
