"""Typed answers to a list of choices: 「小美」 for the button 「陳小美」.

When an action offers choices as buttons (who gets the leadership, which member to remove, which
application to withdraw), :func:`offered` records them in the ``pending_choice`` slot for one turn.
If the next message is not a button press, the engine asks :func:`pick` whether the text names
one of them: the whole title, a unique part of it (two characters at least: 「小美」), a title
inside the text (「給陳小美」), or its number (「2」, 「第二個」, "the second"). The message is then
handled as that button (QA #26: a partial name dropped the user out of the flow). Anything else
is handled as usual, and the offer lapses.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk.events import SlotSet

from actions._words import fold

CHOICE_SLOT = "pending_choice"
MIN_PART = 2  # characters of a title that can name it on their own
_ORDINALS = {
    "一": 1, "二": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
}  # fmt: skip
_NUMBER = re.compile(
    r"^(?:第\s*)?(\d{1,2}|[一二兩三四五六七八九])\s*(?:個|位|項|號|題)?$"
    r"|^(?:the\s+)?(\d{1,2}|first|second|third|fourth|fifth)(?:\s+one)?$"
)


def offered(buttons: list[dict[str, str]]) -> SlotSet:
    """The event that records ``buttons`` as the choices the next message may name."""
    options = [{"title": b["title"], "payload": b["payload"]} for b in buttons]
    return SlotSet(CHOICE_SLOT, {"options": options})


def _number(text: str) -> int | None:
    found = _NUMBER.match(text)
    if not found:
        return None
    word = found.group(1) or found.group(2)
    return int(word) if word.isdigit() else _ORDINALS.get(word)


def pick(waiting: Any, text: str) -> str | None:
    """The payload of the choice ``text`` names, or None (none, or more than one)."""
    options = waiting.get("options") if isinstance(waiting, dict) else None
    if not options or text.startswith("/"):
        return None
    said = fold(text).strip(" .!！。~～?？,，")
    number = _number(said)
    if number is not None:
        return str(options[number - 1]["payload"]) if 1 <= number <= len(options) else None
    titles = [fold(str(o["title"])) for o in options]
    for wanted in (
        lambda t: t == said,
        lambda t: len(said) >= MIN_PART and said in t,
        lambda t: len(t) >= MIN_PART and t in said,
    ):
        hits = [i for i, title in enumerate(titles) if wanted(title)]
        if len(hits) == 1:
            return str(options[hits[0]]["payload"])
        if hits:
            return None  # names more than one: not a choice
    return None
