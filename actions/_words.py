"""Word lists of the forms (``form_data.yml``) and the folding every comparison uses."""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from actions._hant import to_traditional

HERE = Path(__file__).resolve().parent


@cache
def data() -> dict[str, Any]:
    """``form_data.yml`` (aliases and command words)."""
    loaded: dict[str, Any] = yaml.load(
        (HERE / "form_data.yml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader
    )
    return loaded


def fold(text: str) -> str:
    """Comparable form of an answer: NFKC, Traditional, lower case, inner whitespace collapsed."""
    return " ".join(to_traditional(unicodedata.normalize("NFKC", text)).lower().split())
