"""Channel-level user texts (welcome, rate-limit notice …) from ``messages.yml``, zh-TW and en.

:func:`text` returns one language; :func:`bilingual` joins zh-TW and en for messages sent before
the user's language is known. A missing key or language fails at load, naming the file.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

MESSAGES_FILE = Path(__file__).with_name("messages.yml")
LANGUAGES = ("zh-TW", "en")
_REQUIRED = ("rate_limited", "unsupported", "choose", "sorry", "expired_button")


@cache
def messages() -> dict[str, Any]:
    """The parsed ``messages.yml`` (validated once)."""
    try:
        data = yaml.load(MESSAGES_FILE.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except yaml.YAMLError as exc:
        raise ValueError(f"{MESSAGES_FILE}: invalid YAML: {exc}") from exc
    for key in (*_REQUIRED, "welcome"):
        entry = data.get(key, {})
        entry = entry.get("text", {}) if key == "welcome" else entry
        missing = [lang for lang in LANGUAGES if not entry.get(lang)]
        if missing:
            raise ValueError(f"{MESSAGES_FILE}: {key!r} lacks {', '.join(missing)}")
    return dict(data)


def text(key: str, language: str | None = None) -> str:
    """The text ``key`` in ``language`` (zh-TW when unknown)."""
    entry: dict[str, str] = messages()[key]
    return entry.get(language or "zh-TW") or entry["zh-TW"]


def bilingual(key: str) -> str:
    """The text ``key`` in zh-TW, a blank line, then en."""
    return f"{text(key, 'zh-TW')}\n\n{text(key, 'en')}"


def schedule_text(key: str, language: str | None = None) -> str:
    """A label of the schedule timeline (``title``, ``next``, ``more``)."""
    entry: dict[str, str] = messages()["schedule"][key]
    return entry.get(language or "zh-TW") or entry["zh-TW"]


def welcome() -> dict[str, Any]:
    """The welcome as a Rasa-style response: ``{"text", "buttons"}`` (both languages)."""
    data = messages()["welcome"]
    body = f"{data['text']['zh-TW']}\n\n{data['text']['en']}"
    return {"text": body, "buttons": [dict(b) for b in data["buttons"]]}


def telegram_commands() -> list[dict[str, str]]:
    """The Telegram commands: ``command``, ``payload``, ``zh-TW`` and ``en`` descriptions."""
    return [dict(c) for c in messages()["telegram_commands"]]
