"""Numbers read from a request (path, query or form): database ids and page numbers.

A client can send any text where a number is expected: digits of other scripts (``²``, ``١٢``,
which ``str.isdigit`` accepts and ``int`` may refuse), thousands of digits (``int`` refuses over
4,300), or a number no database column holds. These functions answer ``None`` (or the default)
for all of them, so a handler never passes such a value on.
"""

from __future__ import annotations

MAX_ID = 2**31 - 1  # the largest id an INTEGER column holds on every engine (PostgreSQL int4)


def row_id(raw: object) -> int | None:
    """``raw`` as a database id (ASCII digits, 1 to :data:`MAX_ID`), else None."""
    text = str(raw if raw is not None else "")
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def bounded(raw: object, *, default: int, limit: int) -> int:
    """``raw`` as a number from 1 to ``limit - 1`` (ASCII digits), else ``default``."""
    found = row_id(raw)
    return found if found is not None and found < limit else default
