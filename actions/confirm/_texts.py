"""The data of ``texts.yml``: wording, intent labels and the clarification settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from actions._texts import Texts

TEXTS_PATH = Path(__file__).with_name("texts.yml")

_TEXTS = Texts(TEXTS_PATH)
say = _TEXTS.say


def data() -> dict[str, Any]:
    """``texts.yml`` as loaded."""
    return _TEXTS.data


def intent_label(lang: str, intent: str) -> str | None:
    """The button title for ``intent``, or None when the intent has no label."""
    labels: dict[str, str] = data()["intent_labels"]["en" if lang == "en" else "zh-TW"]
    return labels.get(intent)
