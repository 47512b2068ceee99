"""Word cues (``actions/answers/cues.yml``) that steer an answer: follow-up, days left, tax, venue …

:func:`cues_in` returns the names of the cues whose patterns match the text (NFKC-normalised,
Simplified read as Traditional, case-insensitive). The file is loaded and compiled once; a bad
pattern fails at load naming it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import yaml

from actions._hant import to_traditional

CUES_PATH = Path(__file__).with_name("cues.yml")


@cache
def _patterns() -> dict[str, list[re.Pattern[str]]]:
    data = yaml.load(CUES_PATH.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}
    compiled: dict[str, list[re.Pattern[str]]] = {}
    for name, patterns in data.items():
        try:
            compiled[str(name)] = [re.compile(str(p), re.IGNORECASE) for p in patterns]
        except re.error as exc:
            raise ValueError(f"{CUES_PATH}: cue {name!r}: bad pattern: {exc}") from exc
    return compiled


def cues_in(text: str) -> frozenset[str]:
    """The names of the cues found in ``text`` (empty for a button payload ``/intent{…}``)."""
    if text.lstrip().startswith("/"):
        return frozenset()
    normal = to_traditional(unicodedata.normalize("NFKC", text))
    return frozenset(
        name for name, patterns in _patterns().items() if any(p.search(normal) for p in patterns)
    )
