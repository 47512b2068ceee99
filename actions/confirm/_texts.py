"""The data of ``texts.yml``: wording, intent labels and the clarification settings."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

TEXTS_PATH = Path(__file__).with_name("texts.yml")


@cache
def data() -> dict[str, Any]:
    """``texts.yml`` as loaded."""
    loaded: dict[str, Any] = yaml.safe_load(TEXTS_PATH.read_text(encoding="utf-8"))
    return loaded


def say(lang: str, key: str, **values: Any) -> str:
    """The text ``key`` in ``lang`` (``zh-TW`` or ``en``) with ``values`` filled in."""
    return str(data()["en" if lang == "en" else "zh-TW"][key]).format(**values)


def intent_label(lang: str, intent: str) -> str | None:
    """The button title for ``intent``, or None when the intent has no label."""
    labels: dict[str, str] = data()["intent_labels"]["en" if lang == "en" else "zh-TW"]
    return labels.get(intent)
