"""Which Chinese script a reply is written in (issue 11).

Replies are Traditional Chinese (Taiwan) by default, also to a question typed in Simplified.
With ``AIGO_REPLY_SCRIPT=follow`` a Simplified question is answered in Simplified; a user can
also ask for it (「用简体」) or back (「用繁體」), remembered in the slot ``reply_script``
(``hans`` / ``hant``). A Simplified question answered in Traditional offers 「用简体」 once
(:func:`offers_simplified`). Conversion is OpenCC's ``tw2s`` on the reply texts, button titles
and schedule labels; payloads are never touched.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import opencc

from actions._hant import to_traditional

_ASK_HANS = re.compile(
    r"(用|说|講|讲|改成|換成|换成|切換|切换)\s*(简体|簡體)|简体中文|簡體中文|simplified chinese",
    re.I,
)
_ASK_HANT = re.compile(
    r"(用|說|说|講|讲|改成|換成|换成|切換|切换)\s*(繁體|繁体)|繁(體|体)中文|traditional chinese",
    re.I,
)
# What may surround the request in a message that is nothing else ("请用简体中文回答").
_FILLER = re.compile(
    r"please|reply|answer|respond|write|talk|speak|\bin\b|\bto\b|\bme\b|can you|could you|"
    r"中文|請|请|回答|回覆|回复|以後|以后|之後|之后|以|可以|嗎|吗|好|謝謝|谢谢|我|[\s,，。.!！?？~～]",
    re.I,
)


def requested(text: str) -> str | None:
    """``hans`` / ``hant`` when the message asks for that script, else None."""
    if _ASK_HANS.search(text):
        return "hans"
    if _ASK_HANT.search(text):
        return "hant"
    return None


def only_request(text: str) -> bool:
    """True when the message does nothing but ask for a script (no question besides it)."""
    rest = _ASK_HANT.sub("", _ASK_HANS.sub("", text))
    return requested(text) is not None and not _FILLER.sub("", rest)


def is_simplified(text: str) -> bool:
    """True when ``text`` has characters that differ in Traditional (it was typed Simplified)."""
    return not text.isascii() and to_traditional(text) != text


def reply_script(slot: Any, policy: str, text: str) -> str:
    """The script of this turn's replies: the user's choice, else (``follow``) the question's."""
    if slot in ("hans", "hant"):
        return str(slot)
    return "hans" if policy == "follow" and is_simplified(text) else "hant"


def offers_simplified(slot: Any, text: str, offered: bool) -> bool:
    """True when a reply in Traditional to this Simplified message should offer 「用简体」: the
    user has not chosen a script and has not been offered it before (QA #35)."""
    return slot not in ("hans", "hant") and not offered and is_simplified(text)


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("tw2s")


def _hans(text: str) -> str:
    return str(_converter().convert(text))


def to_simplified(replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``replies`` with their visible texts in Simplified Chinese (payloads unchanged)."""
    out = []
    for reply in replies:
        new = dict(reply)
        if isinstance(reply.get("text"), str):
            new["text"] = _hans(reply["text"])
        if reply.get("buttons"):
            new["buttons"] = [
                {**b, "title": _hans(str(b.get("title", "")))} for b in reply["buttons"]
            ]
        custom = reply.get("custom")
        if isinstance(custom, dict) and custom.get("type") == "schedule":
            items = [
                {**i, **{k: _hans(str(i[k])) for k in ("label", "date", "detail") if i.get(k)}}
                for i in custom.get("items", [])
            ]
            titles = {k: _hans(str(custom[k])) for k in ("title", "note") if custom.get(k)}
            new["custom"] = {**custom, **titles, "items": items}
        out.append(new)
    return out
