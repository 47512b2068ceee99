"""Entity extraction by rules (``RegexEntityExtractor``) and lookup tables
(``LookupEntityExtractor``) over normalised text, reported with offsets into the original text.

Entity names and values follow docs/CONTRACTS.md: ``email`` (as typed), ``phone`` (digits, ``+886``
→ ``0``, extension as ``#ext``), ``invite_code`` (upper-case, dashes removed; alphabet
:data:`INVITE_ALPHABET`), ``date`` (ISO), ``amount`` (int NTD), ``age`` (int), ``round`` (108-1 /
108-2), ``challenge_ref`` (``AIGO-108-0004``), and the lookup entities ``milestone``,
``prize_stage``, ``award_tier``, ``nationality``, ``expertise``, ``language`` (canonical values
from the data files' synonyms). Regex matches win over
lookup matches; among lookups the leftmost-longest match wins; spans never overlap; at most
:data:`MAX_ENTITIES` per message. All patterns run in linear time (no nested quantifiers).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email

from nlu.dates import find_dates
from nlu.normalize import Normalized, to_traditional
from nlu.numbers import parse_number

__all__ = ["INVITE_ALPHABET", "EntityExtractor"]

INVITE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
MAX_ENTITIES = 50  # per message; more is not a message a person wrote
REGEX = "RegexEntityExtractor"
LOOKUP = "LookupEntityExtractor"

_CODE_CHAR = "[" + INVITE_ALPHABET.lower() + "]"
_NUM_CHARS = r"\d,.零〇一二兩三四五六七八九十百千萬億"
# A number starts where no number character precedes it; possessive, so no backtracking (linear).
_NUM = rf"(?<![{_NUM_CHARS}])[\d零〇一二兩三四五六七八九十][{_NUM_CHARS}]*+"
_EXT = r"(?:\s*(?:轉|#|ext\.?|分機|x)\s*(\d{1,6}))?"

_EMAIL = re.compile(r"(?<![a-z0-9._%+\-])[a-z0-9._%+\-]++@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}")
_PHONES = [
    re.compile(r"(?<![\d+])(?:\+886[\s-]?|0)9\d{2}[\s-]?\d{3}[\s-]?\d{3}(?!\d)" + _EXT),
    re.compile(
        r"(?<![\d+])(?:\+886[\s-]?\(?0?|\(0|0)\d{1,2}\)?[\s-]?\d{3,4}[\s-]?\d{4}(?!\d)" + _EXT
    ),
    re.compile(r"(?<![\d/\-])\d{4}-\d{4}(?![\d/\-])" + _EXT),
]
_INVITE = re.compile(rf"(?<![a-z0-9]){_CODE_CHAR}{{4}}-?{_CODE_CHAR}{{4,8}}(?![a-z0-9])")
_INVITE_CUE = re.compile(r"(邀請碼|邀請|invite|code|代碼|序號|碼)\W{0,3}$")
_INVITE_CUE_AFTER = re.compile(r"^\W{0,3}(邀請碼|這個碼|代碼|code)")
_AMOUNT = re.compile(
    rf"(?:(nt\$|ntd|\$|新台幣|新臺幣)\s*)?({_NUM})(?:\s*(元|塊錢|塊|ntd|dollars))?"
)
_AMOUNT_K = re.compile(r"(?<![\w.$])(?:(?:nt\$|ntd|\$)\s*)?(\d{1,4}(?:\.\d{1,2})?)k(?![a-z0-9])")
_EN_NUMBERS = {
    w: n
    for n, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_EN_NUMBERS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70})
_AGE = [
    re.compile(rf"({_NUM})(?:\s*|-)(?:足?歲|years?[\s-]old|yrs?(?:[\s-]old)?\b|y/?o\b)"),
    re.compile(r"(?:\bage|\baged|\bi['’]?m|\bi am)\s*(\d{1,3})(?![\d萬]|[,.]\d)"),
    re.compile(rf"(?:年滿|滿)\s*({_NUM})(?![\d萬億千百]|[,.]\d)"),
    re.compile(
        r"(?:我|本人)今年\s*(\d{1,2}|[一二三四五六七八九十]{1,3})(?![\d年月日號萬千百十/.\-])"
    ),
    re.compile(r"(?:\bage|\baged|\bi['’]?m|\bi am)\s+(" + "|".join(_EN_NUMBERS) + r")\b"),
]
# "未滿20歲", "不到20歲", "under 20 years old": an age below the number (taken as one less).
_UNDER_BEFORE = re.compile(
    r"(?:未|不|沒|還沒|尚未|未達|under|below|younger than|less than|not yet)\s*(?:滿|到)?\s*$",
    re.IGNORECASE,
)
_ROUND = re.compile(r"(?<!\d)108\s*-\s*([12])(?!\d)")
# "醫療背景", "金融業經驗": a field of work followed by background/experience words → domain.
_DOMAIN = re.compile(
    r"(?:醫療|醫學|醫院|金融|銀行|製造|工廠|法律|農業|零售|物流|交通|能源|教育|電商|行銷|"
    r"半導體|生技|保險|營建|觀光|產業|領域|業界)業?(?:背景|專業|經驗|專長|出身)"
)
# Short answers to "AI or domain background?" that are expertise only as a whole message
# ("AI" in "AI 競賽有哪些" is not a background; "都有" alone answers the question).
_BARE_EXPERTISE = {
    "ai": "ai",
    "ai的": "ai",
    "資料科學": "ai",
    "技術": "ai",
    "產業": "domain",
    "領域": "domain",
    "domain": "domain",
    "industry": "domain",
    "both": "both",
    "都有": "both",
    "都會": "both",
    "兩個都是": "both",
    "兩者皆是": "both",
}
_BARE_STRIP = re.compile(
    r"^[\W_]*(?:我是|我|i'm|im|i am)?\s*|(?:啊|吧|喔|哦|啦|耶|欸|吧|唷)?[\W_]*$"
)


def _entity(name: str, value: Any, start: int, end: int, extractor: str) -> dict[str, Any]:
    return {"entity": name, "start": start, "end": end, "value": value, "extractor": extractor}


def _valid_email(candidate: str) -> str | None:
    """The candidate checked by ``email-validator`` (the forms use it too), normalised; or None."""
    try:
        return str(validate_email(candidate, check_deliverability=False).normalized)
    except EmailNotValidError:
        return None


def _phone_value(match: re.Match[str]) -> str:
    ext = match.group(1)
    body = match.group(0)[: match.start(1) - match.start(0)] if ext else match.group(0)
    digits = re.sub(r"\D", "", body)
    if digits.startswith("886"):
        digits = "0" + digits[3:].lstrip("0")
    return digits + (f"#{ext}" if ext else "")


# Not \b: Chinese runs right up to the id (「申請AIGO-108-0018」, 「AIGO-108-0004的標題」).
_CHALLENGE_REF = re.compile(
    r"(?<![a-z0-9])AIGO\s*[-_ ]?\s*(\d{3})\s*[-_ ]?\s*(\d{4})(?!\d)", re.IGNORECASE
)


def _regex_matches(text: str, now: datetime) -> Iterator[tuple[int, int, str, Any]]:
    """Yield ``(start, end, entity, value)`` candidates in priority order."""
    for m in _CHALLENGE_REF.finditer(text):
        yield m.start(), m.end(), "challenge_ref", f"AIGO-{m.group(1)}-{m.group(2)}"
    for m in _EMAIL.finditer(text):
        address = _valid_email(m.group(0))
        if address is not None:
            yield m.start(), m.end(), "email", address
    for pattern in _PHONES:
        for m in pattern.finditer(text):
            yield m.start(), m.end(), "phone", _phone_value(m)
    for m in _INVITE.finditer(text):
        code = m.group(0).replace("-", "")
        has_cue = bool(
            _INVITE_CUE.search(text[max(0, m.start() - 12) : m.start()])
            or _INVITE_CUE_AFTER.search(text[m.end() : m.end() + 8])
        )
        has_letter = any(c.isalpha() for c in code)
        if has_letter and (has_cue or any(c.isdigit() for c in code)):
            yield m.start(), m.end(), "invite_code", code.upper()
    for start, end, iso in find_dates(text, now):
        yield start, end, "date", iso
    for pattern in _AGE:
        for m in pattern.finditer(text):
            age = _EN_NUMBERS.get(m.group(1)) or parse_number(m.group(1))
            if age is not None and 0 < age < 130:
                under = _UNDER_BEFORE.search(text[max(0, m.start() - 14) : m.start()])
                yield m.start(), m.end(), "age", age - 1 if under else age
    for m in _AMOUNT.finditer(text):
        number = m.group(2).rstrip(",.")
        if not (m.group(1) or m.group(3) or "萬" in number or "億" in number):
            continue
        value = parse_number(number)
        if value:
            yield m.start(), m.end(), "amount", value
    for m in _AMOUNT_K.finditer(text):  # 250k, NT$30k
        yield m.start(), m.end(), "amount", round(float(m.group(1)) * 1000)
    for m in _ROUND.finditer(text):
        yield m.start(), m.end(), "round", f"108-{m.group(1)}"
    for m in _DOMAIN.finditer(text):
        yield m.start(), m.end(), "expertise", "domain"
    bare = _BARE_STRIP.sub("", text)
    if bare in _BARE_EXPERTISE:
        start = text.index(bare)
        yield start, start + len(bare), "expertise", _BARE_EXPERTISE[bare]


class EntityExtractor:
    """Regex rules plus lookup tables; build once, then call :meth:`extract` per message."""

    def __init__(self, lookups: Mapping[str, Sequence[str]], synonyms: Mapping[str, str]) -> None:
        canonical = {to_traditional(k): v for k, v in synonyms.items()}
        self._values: dict[str, tuple[str, str]] = {}
        for entity, elements in sorted(lookups.items()):
            for element in elements:
                key = to_traditional(element)
                if key:
                    self._values.setdefault(key, (entity, canonical.get(key, element)))
        alternatives = []
        for key in sorted(self._values, key=lambda k: (-len(k), k)):
            left = r"(?<![a-z0-9])" if key[0].isascii() and key[0].isalnum() else ""
            right = r"(?![a-z0-9])" if key[-1].isascii() and key[-1].isalnum() else ""
            alternatives.append(left + re.escape(key) + right)
        self._lookup = re.compile("|".join(alternatives)) if alternatives else None

    def extract(self, norm: Normalized, now: datetime) -> list[dict[str, Any]]:
        """Entities of ``norm`` (sorted by start), offsets into ``norm.original``."""
        text = norm.text
        taken: list[tuple[int, int]] = []
        found: list[dict[str, Any]] = []

        def take(start: int, end: int, name: str, value: Any, extractor: str) -> None:
            if len(found) >= MAX_ENTITIES:
                return
            if end > start and not any(s < end and start < e for s, e in taken):
                taken.append((start, end))
                o_start, o_end = norm.span(start, end)
                found.append(_entity(name, value, o_start, o_end, extractor))

        for start, end, name, value in _regex_matches(text, now):
            if name == "email":
                value = norm.original[slice(*norm.span(start, end))].strip()
            take(start, end, name, value, REGEX)
        if self._lookup is not None:
            for m in self._lookup.finditer(text):
                entity, value = self._values[m.group(0)]
                take(m.start(), m.end(), entity, value, LOOKUP)
        return sorted(found, key=lambda e: (e["start"], e["end"]))
