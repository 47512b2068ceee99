"""Uploaded files: what they are (by their bytes), their safe names, the capped body read.

- :func:`sniff` recognises a presentation by its content (PDF, PPTX, ODP), never by its name or
  the browser's content type.
- :func:`read_capped` reads a request body in chunks and gives up once it passes the cap (the
  service-wide 1 MB cap does not apply to :data:`UPLOAD_PATHS`: their handlers cap themselves).
- :func:`limits` is the size limit (``AIGO_UPLOAD_MAX_MB``) as the page states it.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import AsyncGenerator, Mapping
from typing import Any

from sqlalchemy.orm import Session
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from actions.challenge.form import DRAFT_SLOT
from bot.channels._http import declared_over
from db import challenge_files
from db.models import ChallengeFile

UPLOAD_PATH = "/challenge/presentation"
UPLOAD_PATHS = frozenset({UPLOAD_PATH})
MULTIPART_SLACK = 64 * 1024  # the form's other parts and boundaries around the file
DRAIN_FACTOR = 4  # a body this many times over the limit is not read to its end
ODP_MIMETYPE = b"application/vnd.oasis.opendocument.presentation"
TYPES = {  # kind -> (media type, file name extension)
    "pdf": ("application/pdf", ".pdf"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
    "odp": ("application/vnd.oasis.opendocument.presentation", ".odp"),
}
MAX_NAME = 120


def sniff(data: bytes) -> str | None:
    """``pdf``, ``pptx`` or ``odp`` when the bytes are one (by their content), else None.

    PDF starts ``%PDF-``; PPTX is a zip with ``[Content_Types].xml`` and a ``ppt/`` folder; ODP
    is a zip whose ``mimetype`` member says ``application/vnd.oasis.opendocument.presentation``.
    """
    if data.startswith(b"%PDF-"):
        return "pdf"
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names and any(n.startswith("ppt/") for n in names):
                return "pptx"
            if "mimetype" in names and archive.getinfo("mimetype").file_size <= 100:
                return "odp" if archive.read("mimetype").strip() == ODP_MIMETYPE else None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, OSError):
        return None
    return None


def safe_filename(name: str, kind: str) -> str:
    """The uploaded file's name without folders or control characters, ending in ``kind``'s
    extension (``slides`` → ``slides.pdf``)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip(" .")
    extension = TYPES[kind][1]
    stem = base[: -len(extension)] if base.lower().endswith(extension) else base
    return (stem[: MAX_NAME - len(extension)] or "presentation") + extension


def limits(request: Request) -> dict[str, Any]:
    """What the page says about uploads: the size limit in MB and in bytes."""
    limit = int(request.app.state.settings.upload_max_bytes)
    return {"max_bytes": limit, "max_mb": f"{limit / 1024 / 1024:g}"}


def presentation_of(session: Session, values: Mapping[str, Any]) -> ChallengeFile | None:
    """The presentation stored with the draft ``values`` names, if any."""
    draft_id = values.get(DRAFT_SLOT)
    if not draft_id:
        return None
    return challenge_files.file_of(session=session, challenge_id=int(draft_id))


async def read_capped(request: Request, cap: int) -> bytes | None:
    """The body, or None once it passes ``cap`` (read on, discarding, so the browser gets the
    answer rather than a broken connection, up to :data:`DRAIN_FACTOR` times ``cap``). A body
    declared longer than that (``Content-Length``) is not read at all."""
    if declared_over(request.headers.get("content-length", ""), cap * DRAIN_FACTOR):
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap * DRAIN_FACTOR:
            break
        if size <= cap:
            chunks.append(chunk)
    return b"".join(chunks) if size <= cap else None


async def parse_multipart(request: Request, body: bytes) -> Any:
    """The multipart form in ``body``; :class:`MultiPartException` when it is not one (no
    ``Content-Type``, no boundary, broken parts)."""

    async def once() -> AsyncGenerator[bytes, None]:
        yield body

    if "content-type" not in request.headers:
        raise MultiPartException("no Content-Type: not a multipart form")
    parser = MultiPartParser(request.headers, once(), max_files=1, max_fields=5)
    return await parser.parse()
