"""Simplified → Traditional (Taiwan) for matching what users type against zh-TW word lists.

Cue patterns (``cues.yml``) and form word lists (``form_data.yml``) are written in Traditional
Chinese; a Simplified message ("还有几天", "最多能出几题") is converted with OpenCC's ``s2tw``
before matching. Only used for comparisons: what the user typed is stored as typed.
"""

from __future__ import annotations

from functools import cache, lru_cache

import opencc


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("s2tw")


@lru_cache(maxsize=4096)
def to_traditional(text: str) -> str:
    """``text`` with Simplified characters in their Taiwan Traditional form (others unchanged)."""
    if text.isascii():
        return text
    return str(_converter().convert(text))
