"""Small HTTP helpers shared by the webhook endpoints: a size-capped body read, JSON errors."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

MAX_BODY = 1_000_000  # bytes; larger webhook bodies are refused with 413


class BodyTooLarge(Exception):
    """The request body exceeds the limit."""


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The raw body, at most ``limit`` bytes; raises :class:`BodyTooLarge` past it."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def error(status: int, message: str) -> JSONResponse:
    """A JSON error body ``{"error": message}`` (never a traceback, never a secret)."""
    return JSONResponse({"error": message}, status_code=status)
