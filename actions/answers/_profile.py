"""Whose facts a question states, and the profile facts the NLU leaves in the words.

The engine stores every ``age`` / ``nationality`` / ``expertise`` entity in the user's profile
slots before an answer runs. Only some of them are the user's own:

- ``own``: "我22歲台灣人可以參加嗎", "I'm a foreigner" — a first-person subject states the fact;
- ``other``: "那我朋友19歲呢", "那我日本同學呢", "他們可以當隊員嗎" — another person is named;
- ``general``: "外國人可以參加嗎", "外國人可以加入我們隊嗎" — nobody in particular.

:func:`read` also finds what the NLU does not extract: a birth date ("我2000年6月生的",
"I was born in June 2000", "88年次") turned into the age on ``now``; an age about to change
("我明年就20了": under 20 now); a birthday not yet reached ("我20歲了但還沒生日": ambiguous,
asked back); a country named before a person ("日本同學": a foreign national).

:func:`previous_slots` gives the values the profile slots had before this message, so an answer
can put back what a fact about someone else overwrote. Word lists: ``people.yml``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

from actions._hant import to_traditional

PEOPLE_PATH = Path(__file__).with_name("people.yml")
PROFILE_SLOTS = ("age", "nationality", "expertise")
Kind = Literal["own", "other", "general"]

_FIRST_PERSON = re.compile(
    r"我|(?<![日])本人|咱|俺|\b(i|i'm|im|i've|i'll|my|me|mine|myself|we|we're|us)\b", re.I
)
_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
_MONTH_NAME = "|".join(sorted(_MONTHS, key=len, reverse=True))
_YEAR = r"(?P<y>(?:民國|民国)?\s*\d{2,4})"
# Birth dates: a year (4 digits, or an ROC year of 2-3), month and day when given, and a word
# that says it is a birth date (生, 出生, born, 年次 …) before or after it.
_BIRTH_ZH = re.compile(
    _YEAR
    + r"\s*(?:年|[/.\-])\s*(?:(?P<m>\d{1,2})\s*(?:月|[/.\-])?\s*(?:(?P<d>\d{1,2})\s*[日號号]?)?)?"
)
_BIRTH_CUE_AFTER = re.compile(r"\s*(?:的)?\s*(?:出生|生|年次)")
_BIRTH_CUE_BEFORE = re.compile(r"(出生|生日|生於|born|birthday|dob|date of birth)[^\d]{0,8}$", re.I)
_BIRTH_EN = re.compile(
    rf"\bborn\b\D{{0,12}}?(?:(?:on|in)\s+)?(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+)?"
    rf"(?:(?P<mon>{_MONTH_NAME})\.?\s+)?(?:(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+)?(?P<y>\d{{4}})",
    re.I,
)
_ROC_COHORT = re.compile(r"(?P<y>\d{2,3})\s*年次")
# "我明年就20了", "下個月就滿20歲", "I'll be 20 next year", "turning 20 next month".
_TURNING_ZH = re.compile(
    r"(明年|下個?月|下禮拜|下星期|下週|下周|年底|過幾天|再過.{1,4}|再.{1,3}(天|週|個月|月))"
    r"\s*(就|才|會|要)?\s*(滿)?\s*(?P<n>\d{1,2})\s*(歲)?"
)
_TURNING_EN = re.compile(
    r"\b(?:turn(?:ing|s)?|be(?:come)?|will be|i'll be)\s+(?P<n>\d{1,2})\b(?:\s+years?\s+old)?"
    r"\s+(?:next|in|this coming|later)\b",
    re.I,
)
# "my friend is 19": an age the NLU reads only with 歲 / "years old".
_AGE_EN = re.compile(
    r"\b(?:i'm|i am|he's|she's|he is|she is|they're|they are|we're|we are|aged"
    r"|(?:friend|classmate|roommate|brother|sister|son|daughter|colleague|teammate|cousin)s?"
    r" (?:is|are))\s+(?P<n>\d{1,2})\b(?!\s*(?:%|percent|[a-z]{3,}))"
    r"|\b(?P<m>\d{1,2})\s*(?:years? old|yrs? old|y/?o)\b",
    re.I,
)
# "我20歲了但還沒生日": whether the 20th birthday has passed is unclear.
_BIRTHDAY_UNCLEAR = re.compile(
    r"還沒(過)?(到)?生日|生日還沒(到|過)|未過生日|還沒滿|沒過生日|今年(才|會|要|就)?滿"
    r"|(haven't|have not|hasn't|has not|not) (had|reached|passed)?\s*(my )?birthday"
    r"|birthday (hasn't|has not|isn't|is not|not) (come|passed|here)|before my birthday",
    re.I,
)


@cache
def _people() -> dict[str, Any]:
    data: dict[str, Any] = yaml.load(
        PEOPLE_PATH.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader
    )
    return data


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    d = _people()
    zh_others = sorted(d["others"]["zh-TW"], key=len, reverse=True)
    en_others = sorted(d["others"]["en"], key=len, reverse=True)
    countries = sorted(d["countries_foreign"] + d["countries_roc"], key=len, reverse=True)
    return {
        "other_zh": re.compile("(?<!其)(" + "|".join(map(re.escape, zh_others)) + ")"),
        "other_en": re.compile(r"\b(" + "|".join(map(re.escape, en_others)) + r")\b", re.I),
        "country": re.compile(
            "(" + "|".join(map(re.escape, countries)) + r")\s*(?:的)?\s*(" + d["person_nouns"] + ")"
        ),
        "not_subject": re.compile("|".join(d["not_subject"]), re.I),
        "object": re.compile(d["object_markers"], re.I),
        "own_copula": re.compile(d["own_copula"], re.I),
    }


def normal(text: str) -> str:
    """The text as the word lists are written: NFKC, Traditional, lower case."""
    return to_traditional(unicodedata.normalize("NFKC", text)).lower()


@dataclass(frozen=True)
class Subject:
    """Who the question is about; ``who`` names another person as the user did ("朋友")."""

    kind: Kind
    who: str | None = None
    mine: bool = False  # "我朋友", "my friend": the user's friend
    pronoun: bool = False  # "他們", "they": the person asked about before


@dataclass(frozen=True)
class Birth:
    """A birth date in the message: the possible ages on ``now`` (two when the day is unknown
    and the birthday may or may not have passed) and the date as written."""

    ages: tuple[int, ...]
    stated: str


@dataclass(frozen=True)
class MessagePeople:
    """What :func:`read` found in one message."""

    subject: Subject
    facts: dict[str, Any] = field(default_factory=dict)
    birth: Birth | None = None
    turning: int | None = None  # "明年就20了": the age about to be reached
    birthday_unclear: bool = False  # "20歲了但還沒生日"

    @property
    def own(self) -> bool:
        """True when the facts are the user's own."""
        return self.subject.kind == "own"


def _other(text: str) -> tuple[str, int, bool] | None:
    """(the other person as named, where, is a pronoun) or None."""
    p, d = _patterns(), _people()
    country = p["country"].search(text)
    if country and country.group(2) not in ("人", "籍"):
        return country.group(0), country.start(), False
    pronouns = set(d["pronouns"]["zh-TW"]) | set(d["pronouns"]["en"])
    found = [m for key in ("other_zh", "other_en") for m in p[key].finditer(text)]
    if not found:
        return None
    best = max(found, key=lambda m: (m.group(0).lower() not in pronouns, len(m.group(0))))
    return best.group(0), best.start(), best.group(0).lower() in pronouns


def subject(text: str, fact_at: int | None) -> Subject:
    """Who ``text`` (normalised) is about; ``fact_at`` is where its first profile fact starts."""
    other = _other(text)
    if other is not None:
        who, at, pronoun = other
        if _patterns()["own_copula"].search(text[:at]):  # 「我是大陸來的交換生」: the user
            return Subject("own")
        mine = bool(re.search(r"(我|my)\s*(的)?\s*$", text[:at], re.I))
        return Subject("other", who, mine, pronoun)
    stripped = _patterns()["not_subject"].sub(lambda m: " " * len(m.group(0)), text)
    first = _FIRST_PERSON.search(stripped)
    if first is None:
        return Subject("general")
    if fact_at is not None and first.start() < fact_at:
        between = stripped[first.end() : fact_at]
        if _patterns()["object"].search(between):
            return Subject("general")  # "我想找外國人組隊": the foreigner is someone else
    return Subject("own")


def _ages(born_year: int, month: int | None, day: int | None, today: date) -> tuple[int, ...]:
    base = today.year - born_year
    if month is None:
        return (base - 1, base)
    if day is None:
        if month == today.month:
            return (base - 1, base)
        return (base - 1,) if month > today.month else (base,)
    try:
        born = date(born_year, month, day)
    except ValueError:
        return ()
    return (base - ((today.month, today.day) < (born.month, born.day)),)


def _year(raw: str) -> int | None:
    digits = re.sub(r"\D", "", raw)
    if not digits:
        return None
    year = int(digits)
    if len(digits) == 4:
        return year if 1900 <= year <= 2100 else None
    return year + 1911 if 1 <= year <= 150 else None  # an ROC year (民國88年 = 1999)


def birth(text: str, now: datetime) -> Birth | None:
    """A birth date stated in ``text`` (normalised), with the possible ages on ``now``."""
    today = now.date()
    cohort = _ROC_COHORT.search(text)
    if cohort:
        year = _year(cohort.group("y"))
        return Birth(_ages(year, None, None, today), cohort.group(0)) if year else None
    english = _BIRTH_EN.search(text)
    if english:
        year = _year(english.group("y"))
        mon = english.group("mon")
        day = english.group("d1") or english.group("d2")
        if year:
            month = _MONTHS[mon.lower()] if mon else None
            ages = _ages(year, month, int(day) if day and month else None, today)
            stated = re.sub(r"^born\W*(on|in)?\s*", "", english.group(0)).title()
            return Birth(ages, stated) if ages else None
    for m in _BIRTH_ZH.finditer(text):
        cue = _BIRTH_CUE_AFTER.match(text, m.end()) or _BIRTH_CUE_BEFORE.search(text[: m.start()])
        year = _year(m.group("y"))
        if not cue or year is None or (m.group("m") is None and "年" not in m.group(0)):
            continue
        month = int(m.group("m")) if m.group("m") else None
        day = int(m.group("d")) if m.group("d") and month else None
        if month is not None and not 1 <= month <= 12:
            continue
        ages = _ages(year, month, day, today)
        if ages:
            return Birth(ages, m.group(0).strip())
    return None


def turning(text: str) -> int | None:
    """The age the person is about to reach ("明年就20了" → 20), or None."""
    m = _TURNING_ZH.search(text) or _TURNING_EN.search(text)
    return int(m.group("n")) if m else None


def _country_nationality(text: str) -> str | None:
    m = _patterns()["country"].search(text)
    if m is None:
        return None
    return "ROC" if m.group(1) in _people()["countries_roc"] else "foreign"


def read(text: str, entities: Sequence[Mapping[str, Any]], now: datetime) -> MessagePeople:
    """Who ``text`` is about and the profile facts it states (see the module docstring)."""
    norm = normal(text)
    spans = [e for e in entities if e.get("entity") in PROFILE_SLOTS and e.get("value") is not None]
    facts: dict[str, Any] = {}
    for e in spans:
        facts.setdefault(str(e["entity"]), e["value"])
    starts = [int(e["start"]) for e in spans if isinstance(e.get("start"), int)]
    born = birth(norm, now)
    soon = turning(norm)
    unclear = bool(_BIRTHDAY_UNCLEAR.search(norm)) and born is None
    if born is not None and len(set(born.ages)) == 1:
        facts["age"] = born.ages[0]
    elif born is not None:
        facts.pop("age", None)  # "2000年生的": one of two ages, decided by the answer
    age_en = _AGE_EN.search(norm)
    years = int(age_en.group("n") or age_en.group("m")) if age_en else 0
    if "age" not in facts and born is None and 10 <= years <= 99:
        facts["age"] = years
    if soon is not None:
        facts["age"] = soon - 1
    if unclear:
        facts.pop("age", None)
    if "nationality" not in facts:
        country = _country_nationality(norm)
        if country is not None:
            facts["nationality"] = country
    at = min(starts) if starts and len(norm) == len(text) else None
    who = subject(norm, at)
    if born is not None and who.kind == "general":
        who = Subject("own")  # "2000年6月生的可以嗎": a birth date is the asker's own
    return MessagePeople(who, facts, born, soon, unclear)


def previous_slots(events: Iterable[Mapping[str, Any]], names: Iterable[str]) -> dict[str, Any]:
    """The values ``names`` had before the latest user message, from the tracker's events (a slot
    set before the window of recent events reads as None)."""
    events = list(events)
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    values: dict[str, Any] = dict.fromkeys(names)
    for event in events[: max(last_user, 0)]:
        if event.get("event") == "slot" and event.get("name") in values:
            values[str(event["name"])] = event.get("value")
        elif event.get("event") in ("restart", "reset_slots"):
            values = dict.fromkeys(values)
    return values
