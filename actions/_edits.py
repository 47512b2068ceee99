"""Corrections typed in a form: which field they name and the new value, if one was given.

:func:`read_edit` reads a reply as a request to change a field (QA wave 6, items 1, 9, 16):

- a command: 「修改 聯繫窗口 李經理」「更改電話為0912-345-678」「我要改專長」
  "change the email to a@b.tw";
- a change: 「不對，聯繫窗口改成李經理」「其實分類改成推薦系統好了」「名字應該是王大同」
  "the phone should be …";
- a mistake: 「等等 電話打錯了」「我的名字打錯了 應該是王大同」"wrong email";
- the previous field: 「上一步」「上一題打錯了」「上一題改成 X」"back" (:data:`PREVIOUS`).

A field is named by its aliases (``field_aliases`` in ``form_data.yml``, longest first); the other
words are ``edit_grammar``. The reply must match whole (openers such as 「不對」「等等」「其實」
and endings such as 「好了」 aside), and a value after a bare command word needs a space or a
linking word (「修改 聯繫窗口 李經理」, 「修改電話為…」), so a description that merely contains
「修改」 or 「改成」 is no edit; nor is a question (「題目改成英文可以嗎」). The value is cut from
what was typed (NFKC), not from folded text. :func:`sounds_like_correction` spots a correction
that names no field (「我打錯了」「等等 不對」): never a field's value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from actions._hant import to_traditional
from actions._words import data

PREVIOUS = "<previous>"  # the field before the asked one (「上一步」, "back")
MAX_EDIT = 60  # characters: a longer reply is an answer, not an edit request
MAX_CORRECTION = 20  # characters: a longer reply with 「錯」 in it may well be an answer
_PUNCT = r"[\s,，、。.!！~～…]"


@dataclass(frozen=True)
class Edit:
    """A change request: the slot (or :data:`PREVIOUS`) and the new value (None: ask for it)."""

    slot: str
    value: str | None = None


def _key(word: str) -> str:
    return to_traditional(unicodedata.normalize("NFKC", word)).lower().strip()


def _alternation(words: Iterable[str]) -> str:
    """A regex alternative of ``words`` (longest first; English words end at a word boundary)."""

    def one(word: str) -> str:
        escaped = re.escape(word).replace(r"\ ", r"\s*")
        return escaped + (r"(?![a-z0-9])" if word[-1].isascii() and word[-1].isalnum() else "")

    unique = {_key(w) for w in words if _key(w)}
    return "|".join(one(w) for w in sorted(unique, key=len, reverse=True))


@cache
def _words() -> dict[str, str]:
    return {key: _alternation(values) for key, values in data()["edit_grammar"].items()}


@cache
def _patterns(aliases: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """The four shapes of an edit request, for a field named by one of ``aliases``."""
    w = _words()
    opener = rf"^(?:(?:{w['openers']}){_PUNCT}*)*"
    request = rf"(?:(?:{w['requests']})\s*)?(?:把\s*)?"
    owner = rf"(?:(?:{w['owners']})\s*)?"
    field = rf"(?P<field>{_alternation(aliases)})"
    value = r"(?P<value>.+?)"
    tail = rf"(?:\s*(?:{w['endings']}))*[\s.!！。~～]*$"
    after_verb = rf"(?:(?:\s*(?:{w['links']})\s*|\s+|[,，:：]\s*){value})?"
    change = rf"\s*(?:要|請|幫我)?\s*(?:{w['changes']})\s*{value}"
    wrong = rf"\s*(?:(?:{w['hedges']})\s*)?(?:{w['mistakes']})(?:了|啦)?"
    corrected = rf"(?:{_PUNCT}*(?:{w['corrected']})\s*{value})?"
    shapes = [
        rf"{request}(?:{w['verbs']})(?:一下)?\s*{owner}{field}{after_verb}",  # 修改 X 值
        rf"{request}{owner}{field}(?:的)?{change}",  # X 改成 值
        rf"{request}{owner}{field}{wrong}{corrected}",  # X 打錯了（應該是 值）
        rf"{request}(?:{w['wrong_before']})\s*{owner}{field}(?:了)?{corrected}",  # wrong X
    ]
    return tuple(re.compile(f"{opener}{shape}{tail}", re.IGNORECASE) for shape in shapes)


def _is_question(value: str) -> bool:
    return value.rstrip(" .!！。~～").endswith(("?", "？", *data()["question_endings"]))


def read_edit(text: str, slots: Iterable[str]) -> Edit | None:
    """The change ``text`` asks for among ``slots`` (see the module docstring), else None."""
    as_typed = unicodedata.normalize("NFKC", text).strip()
    typed = to_traditional(as_typed)  # matched; the value is cut from ``as_typed`` when it can be
    source = as_typed if len(as_typed) == len(typed) else typed
    if not typed or len(typed) > MAX_EDIT or typed.startswith("/"):
        return None
    names = data()["field_aliases"]
    slot_of = {_key(a): s for s in slots for a in names.get(s, [])}
    slot_of |= {_key(a): PREVIOUS for a in data()["back_words"]}
    for pattern in _patterns(tuple(slot_of)):
        found = pattern.match(typed)
        if found is None:
            continue
        slot = slot_of.get(re.sub(r"\s+", " ", found.group("field").lower()))
        value = source[found.start("value") : found.end("value")] if found.group("value") else ""
        value = value.strip(" \t,，、:：")
        if slot is None or _is_question(value):
            continue
        return Edit(slot, value or None)
    return Edit(PREVIOUS) if _only(typed, data()["back_words"]) else None


def _only(typed: str, words: Iterable[str]) -> bool:
    """``typed`` is one of ``words`` (openers and endings aside): 「上一步」「回上一題吧」."""
    w = _words()
    pattern = rf"(?:(?:{w['openers']}){_PUNCT}*)*(?:{_alternation(words)})"
    pattern += rf"(?:\s*(?:{w['endings']}))*[\s.!！。~～]*"
    return re.fullmatch(pattern, typed, re.IGNORECASE) is not None


@cache
def _correction_cues() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in data()["correction_cues"])


def sounds_like_correction(text: str) -> bool:
    """A short reply that corrects something without naming a field (「我打錯了」「等等 不對」
    "oops, wrong one"): ``correction_cues`` in ``form_data.yml``."""
    typed = _key(text)
    if not typed or len(typed) > MAX_CORRECTION:
        return False
    return any(p.search(typed) for p in _correction_cues())


__all__ = ["PREVIOUS", "Edit", "read_edit", "sounds_like_correction"]
