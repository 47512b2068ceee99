"""Secrets never reach a log line: a redaction hook applied to every log record.

:func:`install` replaces the logging record factory, so every record of every logger (ours, the
SDKs', uvicorn's, and handlers added later such as a JSON formatter) is redacted once, when it is
created: its message is formatted and cleaned, and its traceback text pre-rendered and cleaned.
Redacted: the configured secret values, Telegram ``bot<token>`` URL segments, and bearer tokens.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

__all__ = ["MASK", "install", "redact"]

MASK = "[REDACTED]"
_PATTERNS = (
    re.compile(r"(?<=/bot)\d+:[A-Za-z0-9_-]+"),  # https://api.telegram.org/bot123:ABC/getMe
    re.compile(r"(?i)(?<=bearer )[A-Za-z0-9._~+/=-]{8,}"),  # Authorization: Bearer …
)
_lock = threading.Lock()
_secrets: set[str] = set()
_installed = False


def redact(text: str) -> str:
    """``text`` with every known secret and token pattern replaced by :data:`MASK`."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    return text


def install(secrets: Iterable[str] = ()) -> None:
    """Redact ``secrets`` (and the token patterns) in every log record from now on."""
    global _installed
    with _lock:
        _secrets.update(s for s in secrets if len(s) >= 4)
        if _installed:
            return
        _installed = True
        make_record = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = make_record(*args, **kwargs)
            _clean(record)
            return record

        logging.setLogRecordFactory(factory)


def _clean(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: leave it to the handler to report
        return
    record.msg, record.args = redact(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
