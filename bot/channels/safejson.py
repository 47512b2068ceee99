"""JSON from the outside world, parsed with limits and normalised text.

Every endpoint that reads a JSON body (REST, ``/model/parse``, the LINE and Telegram webhooks)
parses it with :func:`loads`:

- the body must be UTF-8; nesting deeper than :data:`MAX_DEPTH`, an integer longer than
  :data:`MAX_INT_DIGITS` digits and a non-finite number (``NaN``, ``1e999``) are refused;
- every string (keys included) is normalised: a lone UTF-16 surrogate (``"\\ud83d"``) becomes
  U+FFFD and NUL characters are removed, so no text that a database or encoder rejects gets past
  the channel boundary.

Anything refused raises :class:`BadJSON` (a ``ValueError``) with a one-line message for a 400.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

__all__ = ["MAX_DEPTH", "MAX_INT_DIGITS", "BadJSON", "clean_text", "loads"]

MAX_DEPTH = 32
MAX_INT_DIGITS = 40
_SURROGATE = re.compile("[\ud800-\udfff]")


class BadJSON(ValueError):
    """The body is not acceptable JSON; ``str()`` is a one-line message for the caller."""


def clean_text(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD and NUL characters removed."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    return _SURROGATE.sub("\ufffd", text)


def _int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise BadJSON(f"numbers may have at most {MAX_INT_DIGITS} digits")
    return int(digits)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadJSON("numbers must be finite")
    return value


def _constant(name: str) -> Any:
    raise BadJSON(f"{name} is not allowed in JSON")


def _clean(value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise BadJSON(f"JSON nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {clean_text(k): _clean(v, depth + 1) for k, v in value.items()}
    return value


def loads(body: bytes | str) -> Any:
    """Parse ``body`` under the limits of the module docstring; raise :class:`BadJSON`."""
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            raise BadJSON("request body must be UTF-8 JSON") from None
    try:
        value = json.loads(body, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except BadJSON:
        raise
    except RecursionError:
        raise BadJSON(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except ValueError:
        raise BadJSON("request body must be JSON") from None
    return _clean(value, 0)
