"""Pure helpers for one incoming text: button payloads, language detection, blank messages.

- :func:`parse_payload` reads Rasa's button syntax ``/intent{"slot": "value"}`` (or ``/intent``)
  into a parse dict with confidence 1.0, so button presses never go through the NLU. A value the
  programme does not know for an enumerated entity (``/ask_bonus{"award_tier": "x"}``) or a
  non-scalar value is dropped, as the NLU would never produce it.
- :func:`detect_language` says ``zh-TW`` when the text has a CJK ideograph, ``en`` when it has no
  CJK and at least :data:`MIN_ENGLISH_WORDS` real English words (from ``english_words.txt``;
  e-mail addresses, URLs, codes and short all-caps acronyms such as "AI" or "OK" do not count),
  else None: gibberish ("asdfghjkl"), emoji, a bare number/code/e-mail or a single English word
  show no language, and the caller keeps the current one.
- :func:`is_blank` is True for text with no letter or digit (whitespace, emoji, punctuation).
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import knowledge

_PAYLOAD = re.compile(r"^/([A-Za-z_][\w-]*)(\{.*\})?\s*$", re.DOTALL)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
_NOT_LANGUAGE = re.compile(r"\S+@\S+|https?://\S+|\b[A-Z0-9]{6,}\b|\b\w*\d\w*\b")
_ACRONYM = re.compile(r"[A-Z]{2,4}")  # "AI", "OK", "LINE": not evidence of English on their own
WORDS_PATH = Path(__file__).with_name("english_words.txt")
MIN_ENGLISH_WORDS = 2


def parse_payload(text: str) -> dict[str, Any] | None:
    """Return a Rasa parse dict for a ``/intent{json}`` payload, or None if ``text`` is not one.

    Entities come from the JSON object (one entity per key; a list value gives one entity per item).
    Malformed JSON makes the text "not a payload", so it goes to the NLU like any other text.
    """
    match = _PAYLOAD.match(text.strip())
    if not match:
        return None
    intent, raw = match.group(1), match.group(2)
    entities: list[dict[str, Any]] = []
    if raw:
        try:
            data = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        for name, value in data.items():
            for item in value if isinstance(value, list) else [value]:
                if not _known(name, item):
                    continue
                entities.append(
                    {"entity": name, "value": item, "start": 0, "end": 0, "extractor": "payload"}
                )
    return {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities,
        "intent_ranking": [{"name": intent, "confidence": 1.0}],
    }


_FIXED_VALUES = {
    "nationality": frozenset({"ROC", "foreign"}),
    "expertise": frozenset({"ai", "domain", "both"}),
    "language": frozenset({"zh-TW", "en"}),
}


@cache
def enumerated_values() -> dict[str, frozenset[str]]:
    """The allowed values of the entities with a closed vocabulary (ids from the programme)."""
    p = knowledge.load()
    return {
        **_FIXED_VALUES,
        "round": frozenset(r.id for r in p.rounds),
        "milestone": frozenset(m.id for m in p.schedule.milestones),
        "prize_stage": frozenset(s.id for s in p.prizes.stages),
        "award_tier": frozenset(t.id for t in p.stage("proof").tiers),
    }


def _known(name: str, value: Any) -> bool:
    if isinstance(value, dict | list):
        return False
    allowed = enumerated_values().get(name)
    return allowed is None or value in allowed


@cache
def english_words() -> frozenset[str]:
    """The common English words of ``english_words.txt`` (lower case, apostrophes removed)."""
    text = re.sub(r"#.*", "", WORDS_PATH.read_text(encoding="utf-8"))
    return frozenset(text.split())


def english_word_count(text: str) -> int:
    """How many tokens of ``text`` are real English words (see the module docstring)."""
    vocabulary = english_words()
    count = 0
    for token in _LATIN_WORD.findall(_NOT_LANGUAGE.sub(" ", text)):
        if _ACRONYM.fullmatch(token):
            continue
        if re.sub(r"['’]", "", token).lower() in vocabulary:
            count += 1
    return count


def detect_language(text: str, *, min_words: int = MIN_ENGLISH_WORDS) -> str | None:
    """Return ``"zh-TW"``, ``"en"`` or None (no clear language) for ``text``; ``min_words``
    English words make it English (1 for a conversation's first words: "hello")."""
    if _CJK.search(text):
        return "zh-TW"
    count = english_word_count(text)
    # "deadlin when", "prize mony": a typo next to a real English word is still English
    words = [w for w in _LATIN_WORD.findall(_NOT_LANGUAGE.sub(" ", text)) if len(w) > 2]
    return "en" if count >= min_words or (count and len(words) >= 2) else None


def is_blank(text: str) -> bool:
    """True when ``text`` has no letter or digit (empty, whitespace, emoji or punctuation only)."""
    return not any(unicodedata.category(ch)[0] in "LN" for ch in text)
