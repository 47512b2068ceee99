"""The reply an answer action builds: texts with buttons, and the slots to remember."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from knowledge import Lang
from knowledge._format import t


@dataclass
class Answer:
    """Replies (``text``/``buttons``/``custom`` dicts) and the slots to remember."""

    replies: list[dict[str, Any]] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)

    def say(self, text: str, buttons: list[dict[str, str]] | None = None) -> None:
        """Add a text reply (with buttons when given)."""
        reply: dict[str, Any] = {"text": text}
        if buttons:
            reply["buttons"] = buttons
        self.replies.append(reply)


def button(title: str, intent: str, **entities: str) -> dict[str, str]:
    """A button whose payload is Rasa's ``/intent{"entity": "value"}``."""
    payload = f"/{intent}" + (json.dumps(entities, ensure_ascii=False) if entities else "")
    return {"title": title, "payload": payload}


def answer_text(lang: Lang, key: str) -> str:
    """The wording ``answers.<key>`` of ``templates.yml`` in ``lang``."""
    return str(t(lang, f"answers.{key}"))
