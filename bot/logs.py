"""Logging set-up: plain text or JSON lines, with the request id and a hash of the sender.

``AIGO_LOG_FORMAT=json`` writes one JSON object per line: ``time`` (UTC ISO 8601), ``level``,
``logger``, ``message``, plus ``request_id`` and ``sender`` when known, and ``exc`` for a
traceback. ``sender`` is :func:`sender_hash` of the sender key (12 hex characters: lines of one
user can be followed without naming them). Messages never include tokens, secrets or message
text; keep it that way when adding log lines.

:data:`request_id` and :data:`sender` are context variables: the access-log middleware sets the
request id, the dialogue engine the sender for the turn.
"""

from __future__ import annotations

import hashlib
import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

request_id: ContextVar[str | None] = ContextVar("aigo_request_id", default=None)
sender: ContextVar[str | None] = ContextVar("aigo_sender", default=None)
LOG_FORMATS = ("text", "json")
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
QUIET_LOGGERS = ("rasa_sdk.executor", "alembic.runtime")


def sender_hash(sender_key: str) -> str:
    """A stable, non-reversible short id for ``sender_key`` (12 hex characters)."""
    return hashlib.sha256(f"aigo:{sender_key}".encode()).hexdigest()[:12]


class JsonFormatter(logging.Formatter):
    """One JSON object per record (see the module docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, var in (("request_id", request_id), ("sender", sender)):
            value = var.get()
            if value:
                doc[key] = value
        for key in ("method", "path", "status", "duration_ms"):  # access-log fields
            if hasattr(record, key):
                doc[key] = getattr(record, key)
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False)


def configure(level: str, fmt: str = "text") -> None:
    """Set up the root logger once for the process (``aigo`` calls it after reading settings)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(_TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in QUIET_LOGGERS:  # per-action registration lines and migration chatter
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
