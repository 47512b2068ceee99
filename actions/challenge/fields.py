"""Pure checks and parsers for the challenge form's answers (no I/O, no tracker).

Each ``parse_*`` returns the value to store, or raises :class:`Invalid` whose ``key`` names the
re-ask text in ``form_texts.yml`` and whose ``values`` fill it. :func:`parse_field` is the one
check of a form field's answer, shared by the chat form and the web form.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import knowledge
from actions._forms import match_choice, name_problem, say
from actions._words import data, fold
from actions.contact import email_address, mobile_digits, phone_e164

MIN_DESCRIPTION = 15
MAX_ANSWER = 1000

_VOLUME = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(?:[A-Za-z]+|[\u4e00-\u9fff])")
_YEARS = re.compile(
    r"^\s*(?:民國)?\s*(\d{2,4})\s*年?\s*(?:[-~～–—至到]|to|through)\s*(?:民國)?\s*(\d{2,4})\s*年?"
    r"\s*(?:間|之間)?\s*$",
    re.IGNORECASE,
)
_UNTIL_NOW = re.compile(
    r"\s*(?:[-~～–—至到]|to|until|till)?\s*(?:至今|迄今|現在|目前|今|now|date|present|today)\s*$",
    re.IGNORECASE,
)
_ONE_YEAR = re.compile(r"^\s*(?:民國)?\s*(\d{2,4})\s*年?\s*(?:全年|整年)?\s*$")
# an amount ("職缺3人", "5萬元"): never the name of an industry or a delivery method
_AMOUNT = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(?:人|位|名|個|筆|元|萬|千|百|次|%|％|小時|天)")
_DATE = re.compile(r"(\d{2,4})\s*[/.\-年]\s*(\d{1,2})(?:\s*[/.\-月]\s*(\d{1,2})\s*日?)?")


@dataclass
class Invalid(Exception):
    """An answer that needs a specific re-ask (``form_texts.yml`` key and its values)."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)


def parse_text(value: Any) -> str:
    """Any non-empty answer, trimmed (and capped at :data:`MAX_ANSWER` characters); a phone number
    or an e-mail address alone is not the answer to a text field (:func:`name_problem`)."""
    text = str(value or "").strip()
    if not text:
        raise Invalid("invalid_choice", {"value": "", "choices": ""})
    problem = name_problem(text)
    if problem in ("looks_like_phone", "looks_like_email"):
        raise Invalid(problem, {"value": text})
    return text[:MAX_ANSWER]


def parse_name(value: Any) -> str:
    """A name or title: text with letters, not a phone number or e-mail address."""
    text = parse_text(value)
    problem = name_problem(text)
    if problem:
        raise Invalid(problem, {"value": text})
    return text


def parse_org_name(value: Any) -> str:
    """An organisation's name: a name that does not name a person ("研發部 李經理", "王先生")."""
    text = parse_name(value)
    folded = fold(text).rstrip(" .。")
    if folded.endswith(tuple(fold(t) for t in data()["person_titles"])):
        raise Invalid("org_is_person", {"value": text})
    return text


def strip_lead_in(text: str, slot: str) -> tuple[str, bool]:
    """``text`` without a lead-in naming the field ("電話是 …", "我的電話 …", "my email is …",
    "題目名稱：…"; the field's aliases in ``form_data.yml``), and whether a linking word (是, :,
    is …) followed it; ``(text, False)`` when there is none."""
    words = data()
    aliases = words["field_aliases"].get(slot) or []
    if not aliases:
        return text, False

    def either(key: list[str]) -> str:  # English words whole ("is", not "is" of "isabel")
        whole = r"(?![a-z0-9])"
        word = [re.escape(w) + (whole if w.isascii() and w[-1].isalnum() else "") for w in key]
        return "|".join(sorted(word, key=len, reverse=True))

    found = re.match(
        rf"^\s*(?:(?:{either(words['lead_in_owners'])})\s*)?(?:{either(aliases)})"
        rf"\s*(?P<link>(?:{either(words['lead_in_links'])})\s*)?",
        text,
        re.IGNORECASE,
    )
    if found is None or not text[found.end() :].strip():
        return text, False
    rest = text[found.end() :].strip()
    return rest, bool(found.group("link"))


def parse_email(value: Any) -> str:
    """An e-mail address (``actions.contact.email_address``: normalised, domain lower-cased)."""
    text = str(value or "").strip()
    address = email_address(text)
    if address is None:
        raise Invalid("invalid_email", {"value": text})
    return address


def parse_phone(value: Any) -> str:
    """A phone number (area code, ``+886``, dashes, ``轉123`` allowed), stored in E.164."""
    text = str(value or "").strip()
    stored = phone_e164(text)
    if stored is None:
        digits = mobile_digits(text)  # 「0912-345-67」: a digit short
        if digits is not None:
            raise Invalid("invalid_mobile", {"value": text, "digits": digits})
        raise Invalid("invalid_phone", {"value": text})
    return stored


def parse_description(value: Any) -> str:
    """A description of at least :data:`MIN_DESCRIPTION` non-space characters."""
    text = str(value or "").strip()
    length = len(re.sub(r"\s", "", text))
    if length < MIN_DESCRIPTION:
        raise Invalid("short_description", {"length": length, "min": MIN_DESCRIPTION})
    return text[:MAX_ANSWER]


def parse_volume(value: Any) -> str:
    """A data volume with a unit (``900GB``, ``12萬筆``); a bare number is refused."""
    text = str(value or "").strip()
    if not _VOLUME.search(text):
        raise Invalid("invalid_volume", {"value": text})
    return text


def _date(match: re.Match[str], *, end: bool) -> date:
    year, month = int(match.group(1)), int(match.group(2))
    if year < 1911:  # ROC year (民國104年)
        year += 1911
    day = int(match.group(3)) if match.group(3) else None
    if day is None:
        day = calendar.monthrange(year, month)[1] if end else 1
    return date(year, month, day)


def _year(text: str) -> int:
    year = int(text)
    return year + 1911 if year < 1911 else year  # ROC year (民國105年)


def _start_of(text: str) -> date:
    """The first day of the year, month or day ``text`` names ("2016年", "2016年1月")."""
    year = _ONE_YEAR.match(text)
    if year:
        return date(_year(year.group(1)), 1, 1)
    found = list(_DATE.finditer(text))
    try:
        if len(found) == 1:
            return _date(found[0], end=False)
    except ValueError:
        pass
    raise Invalid("invalid_time_range", {"value": text})


def parse_time_range(value: Any, today: date | None = None) -> tuple[date, date]:
    """``2015/01/01-2015/12/31`` (also ``~``, ``至``, ``到``, ``to``; months only; ROC years); whole
    years as ``2015-2018`` / ``2015到2018年`` (1 January to 31 December) or one year ``2018年``;
    a start "至今" / "to date" ends ``today`` (the turn's date; else the system's). A relative
    period ("近三年", "last 3 years") is not stored as dates that would drift: the person is
    asked for the years (``relative_time_range``)."""
    text = str(value or "").strip()
    until_now = _UNTIL_NOW.search(text)
    if until_now and text[: until_now.start()].strip():
        start, end = _start_of(text[: until_now.start()]), today or date.today()
        if end < start:
            shown = {"start": start.isoformat(), "end": end.isoformat()}
            raise Invalid("reversed_time_range", shown)
        return start, end
    years = _YEARS.match(text) or _ONE_YEAR.match(text)
    if years:
        first, last = _year(years.group(1)), _year(years.groups()[-1])
        if not 1911 <= first <= 2200 or not 1911 <= last <= 2200:
            raise Invalid("invalid_time_range")
        if last < first:
            raise Invalid("reversed_time_range", {"start": str(first), "end": str(last)})
        return date(first, 1, 1), date(last, 12, 31)
    found = list(_DATE.finditer(text))
    if len(found) != 2:
        relative = not found and re.search(r"近|過去|最近|last|past|recent", text, re.IGNORECASE)
        raise Invalid("relative_time_range" if relative else "invalid_time_range", {"value": text})
    try:
        start, end = _date(found[0], end=False), _date(found[1], end=True)
    except ValueError as exc:
        raise Invalid("invalid_time_range") from exc
    if end < start:
        raise Invalid("reversed_time_range", {"start": start.isoformat(), "end": end.isoformat()})
    return start, end


def format_range(start: date, end: date) -> str:
    """The stored text of a time range: ``2015-01-01/2015-12-31``."""
    return f"{start.isoformat()}/{end.isoformat()}"


def split_range(text: str) -> tuple[date, date]:
    """Inverse of :func:`format_range`."""
    start, end = text.split("/", 1)
    return date.fromisoformat(start), date.fromisoformat(end)


# -- choices from the knowledge data ------------------------------------------------------------


def category_choices(programme: knowledge.Programme) -> dict[str, list[str]]:
    """Category label (zh-TW) → every name it may be typed as."""
    aliases = data()["category_aliases"]
    return {
        item.zh_TW: [item.zh_TW, item.en, item.example, item.id, *aliases.get(item.id, [])]
        for item in programme.challenge_posting.categories.items
    }


def industry_choices(programme: knowledge.Programme) -> dict[str, list[str]]:
    """Industry label (zh-TW) → names (the list is open-ended: other answers are kept as typed)."""
    aliases = data()["industry_aliases"]
    return {
        item.zh_TW: [item.zh_TW, item.en, *aliases.get(item.zh_TW, [])]
        for item in programme.programme.industries.items
    }


def delivery_choices(programme: knowledge.Programme) -> dict[str, list[str]]:
    """Delivery method label (zh-TW) → names (open-ended as well)."""
    aliases = data()["delivery_aliases"]
    return {
        item.zh_TW: [item.zh_TW, item.en, item.example, item.id, *aliases.get(item.id, [])]
        for item in programme.challenge_posting.delivery_methods.items
    }


def shown_choice(programme: knowledge.Programme, slot: str, value: str, lang: str) -> str:
    """A stored choice (its zh-TW label) as the user reads it: the English label in English;
    answers typed outside the list are shown as typed."""
    if lang == "zh-TW":
        return value
    labels: dict[str, dict[str, str]] = {
        "challenge_category": {i.zh_TW: i.en for i in programme.challenge_posting.categories.items},
        "challenge_industry": {i.zh_TW: i.en for i in programme.programme.industries.items},
        "dataset_delivery_method": {
            i.zh_TW: i.en for i in programme.challenge_posting.delivery_methods.items
        },
    }
    return labels.get(slot, {}).get(value, value)


def choice_labels(slot: str, lang: str) -> str:
    """The choices of a choice field as the user reads them ("電腦視覺類、自然語言類…"; empty for
    other fields), for re-asks and the field's help."""
    programme = knowledge.load()
    items: dict[str, list[Any]] = {
        "challenge_category": programme.challenge_posting.categories.items,
        "challenge_industry": programme.programme.industries.items,
        "dataset_delivery_method": programme.challenge_posting.delivery_methods.items,
    }
    language: Any = "en" if lang == "en" else "zh-TW"
    names = [
        i.label(language) if hasattr(i, "label") else i.get(language) for i in items.get(slot, [])
    ]
    return say(lang, "sep").join(map(str, names))


def parse_category(value: Any, programme: knowledge.Programme) -> str:
    """One of the programme's categories (its zh-TW label); other answers are refused."""
    choices = category_choices(programme)
    found = match_choice(str(value or ""), choices)
    if found is None:
        raise Invalid("invalid_choice", {"value": str(value or "").strip(), "choices": ""})
    return found


def parse_open_choice(value: Any, choices: dict[str, list[str]]) -> str:
    """A known choice when the answer names one exactly, else the answer as typed, unless it is
    an amount ("職缺3人": ``not_a_choice``, the form lists the choices)."""
    text = parse_name(value)
    exact = {label for label, names in choices.items() if fold(text) in map(fold, names)}
    if exact:
        return next(iter(exact))
    if _AMOUNT.search(text):
        raise Invalid("not_a_choice", {"value": text})
    return text


# slot -> parser of the answer (raises ``Invalid`` with a specific re-ask); slots not named here
# take any text (``parse_text``)
PARSERS: dict[str, Callable[[Any], Any]] = {
    "org_name": parse_org_name,  # not a person or department head
    "org_contact": parse_name,  # names: letters, not a phone number or e-mail
    "challenge_title": parse_name,
    "dataset_name": parse_name,
    "org_phone": parse_phone,
    "org_email": parse_email,
    "challenge_description": parse_description,  # at least ``MIN_DESCRIPTION`` characters
    "challenge_category": lambda v: parse_category(v, knowledge.load()),
    # a known industry / delivery method when named, else as typed (the lists are open-ended)
    "challenge_industry": lambda v: parse_open_choice(v, industry_choices(knowledge.load())),
    "dataset_volume": parse_volume,  # a volume with a unit
    "dataset_time_range": lambda v: format_range(*parse_time_range(v)),  # end >= start
    "dataset_delivery_method": lambda v: parse_open_choice(v, delivery_choices(knowledge.load())),
}


def parse_field(slot: str, value: Any, today: date | None = None) -> Any:
    """The value to store for the answer ``value`` to the form field ``slot``; :class:`Invalid`
    when it does not fit (the same check in the chat and on the web). A lead-in naming the field
    is dropped: always after a linking word ("題目名稱是 …", "email: …"), else when the answer
    does not fit with it ("我的電話 0912-345-678")."""
    parser: Callable[[Any], Any] = PARSERS.get(slot) or parse_text
    if slot == "dataset_time_range":  # "2016年至今" ends today
        parser = lambda v: format_range(*parse_time_range(v, today))  # noqa: E731
    text = str(value or "")
    rest, linked = strip_lead_in(text, slot)
    try:
        return parser(rest if linked else text)
    except Invalid:
        if rest == text or linked:
            raise
        return parser(rest)
