"""Other competitions are out of scope (QA #23: 「我想參加經濟部的智慧城市競賽」 started the AIGO
registration and asked for personal data).

:func:`other_competition` finds a competition named in a message that is not this programme,
from the word lists of ``elsewhere.yml``: a competition noun (競賽, 比賽, contest, hackathon…)
whose name in front is not one of ours once our own words are stripped from its ends
(「經濟部的智慧城市競賽」 → 「智慧城市競賽」; 「這個比賽」, 「解題競賽」, "the AI competition" are
this programme), or a noun that never means it (黑客松, "AI CUP"). A message that names this
programme or compares it with others (``about_us``) is about this programme. The dialogue policy
then runs :class:`ActionAnswerElsewhere` instead of the intent's rule, whatever the NLU guessed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions._forms import lang_of, latest_text
from actions._hant import to_traditional
from actions._texts import Texts
from actions._words import fold

_TEXTS = Texts(Path(__file__).with_name("elsewhere.yml"))
_CUT = re.compile(r"[的之，,。.！!？?、：:；;「」『』()（）\s]")
_LATIN_RUN = re.compile(r"[a-z0-9][a-z0-9'\- ]*$")
_CJK_NAME = 20  # characters in front of a Chinese noun that can name a competition
_LATIN_NAME = 2  # words in front of an English noun that can name a competition
MIN_CJK_NAME = 2  # characters of a Chinese name of a competition


@cache
def _nouns() -> re.Pattern[str]:
    words = sorted(map(fold, _TEXTS.data["nouns"]), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words))


@cache
def _own() -> tuple[str, ...]:
    return tuple(sorted({fold(str(w)) for w in _TEXTS.data["own"]}, key=len, reverse=True))


def _strip_own(name: str) -> str:
    """``name`` without our own words at either end (「參加經濟部智慧城市」 → 「智慧城市」,
    「這隊想參加」 → 「隊」), or empty when less than two characters are left."""
    changed = True
    while name and changed:
        changed = False
        for word in (w for w in _own() if not w.isascii()):
            if name.startswith(word) or name.endswith(word):
                name = name.removeprefix(word) if name.startswith(word) else name[: -len(word)]
                changed = True
                break
    return name if len(name) >= MIN_CJK_NAME else ""


def _latin_name(before: str, always: bool) -> str:
    """The English words naming a competition in front of its noun ("Kaggle", "smart city");
    empty when the word right in front is ours ("this competition", "the AI competition"). A
    noun that never means this programme keeps the capitalised words in front ("AI CUP")."""
    run = _LATIN_RUN.search(before.lower())
    words = before[run.start() :].split() if run else []
    name: list[str] = []
    for word in reversed(words[-_LATIN_NAME:]):
        ours = word.lower() in _own()
        if (always and word.islower()) or (not always and ours):
            break
        name.insert(0, word)
    return " ".join(name)


def _name_in_front(base: str, start: int, always: bool) -> str:
    """The name right in front of a noun at ``start`` of ``base``: Latin words or a Chinese run
    (after the last punctuation or verb of taking part: 「跟朋友參加智慧城市競賽」 → 智慧城市)."""
    before = base[:start].rstrip()
    if before[-1:].isascii():
        return _latin_name(before, always)
    run = _CUT.split(before[-_CJK_NAME:])[-1]
    return _strip_own(re.split(_TEXTS.data["take_part"], run.lower())[-1])


def other_competition(text: str) -> str | None:
    """The other competition ``text`` names (as the text writes it), or None."""
    base = to_traditional(unicodedata.normalize("NFKC", text))
    low = base.lower()  # same length as base: positions carry over
    if re.search(_TEXTS.data["about_us"], low):  # 「AIGO跟一般的黑客松有什麼不一樣」
        return None
    always = {fold(w) for w in _TEXTS.data["always_other"]}
    for match in _nouns().finditer(low):
        noun = match.group(0)
        name = _name_in_front(base, match.start(), noun in always)
        if not (name or noun in always):
            continue
        begin = low.rfind(name.lower(), 0, match.start()) if name else match.start()
        return base[begin : match.end()].strip()
    return None


def takes_part(text: str) -> bool:
    """True when ``text`` asks to take part in something (「報名」, "join")."""
    return bool(re.search(_TEXTS.data["take_part"], fold(text)))


class ActionAnswerElsewhere(Action):
    """Say that the competition named is not this programme (no form starts, nothing stored)."""

    def name(self) -> str:
        """``action_answer_elsewhere``."""
        return "action_answer_elsewhere"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Utter the out-of-scope reply naming the other competition."""
        lang, text = lang_of(tracker), latest_text(tracker)
        name = other_competition(text) or text
        buttons = [
            {"title": _TEXTS.say(lang, "button_programme"), "payload": "/ask_programme"},
            {"title": _TEXTS.say(lang, "button_eligibility"), "payload": "/ask_eligibility"},
        ]
        dispatcher.utter_message(text=_TEXTS.say(lang, "elsewhere", name=name), buttons=buttons)
        return []
