"""Split long text into chunks under a platform limit, at paragraph, line or word boundaries."""

from __future__ import annotations

from collections.abc import Callable


def utf16_units(text: str) -> int:
    """Length in UTF-16 code units (how LINE counts text; an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """Return ``text`` cut into pieces each ``measure(piece) <= limit``; never empty pieces.

    Cuts at the last blank line, else newline, else space, else hard at the limit; the
    whitespace at a cut is dropped. ``"".join`` of the pieces equals ``text`` minus cut whitespace.
    """
    pieces: list[str] = []
    rest = text.strip()
    while rest:
        if measure(rest) <= limit:
            pieces.append(rest)
            break
        head = _prefix(rest, limit, measure)
        cut = _boundary(head)
        piece, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if piece:
            pieces.append(piece)
    return pieces


def _prefix(text: str, limit: int, measure: Callable[[str], int]) -> str:
    """The longest prefix of ``text`` within ``limit`` (binary search; measure is monotonic)."""
    lo, hi = 1, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if measure(text[:mid]) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo]


def _boundary(head: str) -> int:
    """Where to cut ``head``: after a paragraph/line/word break in its second half, else its end."""
    for sep in ("\n\n", "\n", " ", "。", "，"):
        at = head.rfind(sep)
        if at >= len(head) // 2:
            return at + len(sep)
    return len(head)
