"""Plain text tables for the terminal, padded by display width (``wcwidth``)."""

from __future__ import annotations

from collections.abc import Sequence

from wcwidth import wcswidth


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal: CJK and emoji count 2, combining marks 0."""
    measured = wcswidth(text)
    return measured if measured >= 0 else len(text)  # control characters: count as one each


def table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> str:
    """A text table: columns separated by two spaces, padded to the widest cell."""
    all_rows = [list(headers), *[list(r) for r in rows]]
    widths = [max(width(r[i]) for r in all_rows) for i in range(len(headers))]
    return "\n".join(
        "  ".join(
            cell + " " * (w - width(cell)) for cell, w in zip(r, widths, strict=True)
        ).rstrip()
        for r in all_rows
    )
