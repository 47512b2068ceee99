"""Pure helpers of the team flows: profile answers, the eligibility verdict, composition advice.

Nothing here touches the database or a tracker; the verdict comes from :func:`knowledge.assess`
and is worded by :func:`knowledge.render_eligibility`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import knowledge
from actions._forms import match_choice, name_problem, say
from actions._words import data
from db import invites
from db.teams import MemberView

MIN_AGE, MAX_AGE = 10, 100
TEAM_NAME_MIN, TEAM_NAME_MAX = 2, 30
_AGE = re.compile(r"^\s*(\d{1,3})\s*(?:歲|足歲|years?(?: old)?|yrs?)?\s*$", re.IGNORECASE)
_BIRTH = re.compile(r"(\d{2,4})\s*[/.\-年]\s*(\d{1,2})\s*[/.\-月]\s*(\d{1,2})")


def parse_age_answer(value: Any, now: datetime) -> int | str | None:
    """An age (int) or a birth date (ISO string) from the answer; None when it is neither."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        age = int(value)
        return age if MIN_AGE <= age <= MAX_AGE else None
    text = str(value or "").strip()
    match = _AGE.match(text)
    if match:
        age = int(match.group(1))
        return age if MIN_AGE <= age <= MAX_AGE else None
    birth = _BIRTH.search(text)
    if birth is None:
        return None
    year = int(birth.group(1))
    year = year + 1911 if year < 1911 else year
    try:
        born = date(year, int(birth.group(2)), int(birth.group(3)))
    except ValueError:
        return None
    years = knowledge.age_on(born, now.date())
    return born.isoformat() if MIN_AGE <= years <= MAX_AGE else None


def split_age(value: Any) -> tuple[int | None, date | None]:
    """The stored slot value → (age, birth date)."""
    if isinstance(value, str) and "-" in value:
        return None, date.fromisoformat(value)
    return (int(value), None) if value is not None else (None, None)


def parse_nationality(value: Any) -> str | None:
    """``ROC`` / ``foreign`` from an entity value or typed answer."""
    text = str(value or "").strip()
    if text in ("ROC", "foreign"):
        return text
    return match_choice(text, data()["nationality_aliases"])


def parse_expertise(value: Any) -> str | None:
    """``ai`` / ``domain`` / ``both`` / ``none`` from an entity value or typed answer."""
    text = str(value or "").strip()
    if text in ("ai", "domain", "both", "none"):
        return text
    aliases = data()["expertise_aliases"]
    exact = match_choice(text, aliases)
    if exact == "none":
        return "none"
    has_ai = match_choice(text, {"ai": aliases["ai"]}) is not None
    has_domain = match_choice(text, {"domain": aliases["domain"]}) is not None
    says_both = match_choice(text, {"both": aliases["both"]}) is not None  # "AI跟醫療都有"
    return "both" if (has_ai and has_domain) or says_both else exact


_NAME_LEAD_IN = re.compile(
    r"^\s*(?:你好|您好|hi|hello)?[\s,，!！]*(?:我叫做|我叫|我是|叫我|我的名字是|我的名字叫|名字是|稱呼我|"
    r"my name is|my name's|i am|i'm|call me)\s*[:：]?\s*(?=\S)",
    re.IGNORECASE,
)
_MARKUP = re.compile(r"[<>{}\[\]\\`$|;]|&#|javascript:", re.IGNORECASE)
_CODE_ONLY = re.compile(r"^\s*[A-Za-z0-9]{4}[\s-]?[A-Za-z0-9]{4}\s*$")


def strip_name_lead_in(text: str) -> str:
    """「我叫王大同」 → 「王大同」, "my name is Mei" → "Mei" (the name itself otherwise)."""
    return _NAME_LEAD_IN.sub("", text, count=1).strip(" 。.!！")


def has_markup(text: str) -> bool:
    """Angle brackets, braces, backslashes… (「<script>alert(1)</script>」): no name."""
    return _MARKUP.search(text) is not None


def code_in(text: str) -> str | None:
    """An invite code in a sentence, however typed (「我有邀請碼 4rgb zpnd」 → ``4RGBZPND``): it
    has a letter and a digit, as every issued code does; else None."""
    code = invites.find_code(text)
    if code is None or not any(c.isdigit() for c in code) or not any(c.isalpha() for c in code):
        return None
    return code


def is_code(text: str) -> bool:
    """The whole text is shaped like an invite code (「4RGB ZPND」, 「4rgbzpnd」)."""
    return _CODE_ONLY.match(text) is not None and code_in(text) is not None


def check_name(value: Any) -> tuple[str | None, str | None]:
    """``(name, None)``, or ``(None, the form_texts key saying why it is no name)``: markup, an
    invite code, a length outside 1-30, a phone number, an e-mail or no letters. A lead-in
    (「我叫」, "my name is") is dropped first."""
    text = str(value or "")
    if has_markup(text):
        return None, "name_has_markup"
    if is_code(text):
        return None, "name_looks_like_code"
    name = " ".join(strip_name_lead_in(text).split())
    if not 1 <= len(name) <= TEAM_NAME_MAX:
        return None, "invalid_name"
    problem = name_problem(name)
    return (None, problem) if problem else (name, None)


def shown_profile(slot: str, value: Any, lang: str) -> str:
    """A profile slot's value as people read it: labels for expertise and nationality, a birth
    date as typed dates are, an age as a number."""
    if slot == "profile_expertise":
        return say(lang, f"expertise_{value}")
    if slot == "profile_nationality":
        return say(lang, f"nationality_{value}")
    if slot == "profile_age":
        age, born = split_age(value)
        if born is not None:
            return say(lang, "date_format", year=born.year, month=born.month, day=born.day)
        return str(age)
    return str(value)


def parse_team_name(value: Any) -> str | None:
    """A team name of 2-30 characters (inner whitespace collapsed), else None."""
    text = " ".join(str(value or "").split())
    return text if TEAM_NAME_MIN <= len(text) <= TEAM_NAME_MAX else None


def verdict_for(
    programme: knowledge.Programme, age: Any, nationality: Any, expertise: Any, now: datetime
) -> knowledge.Verdict:
    """The verdict on the profile slots, ignoring the team rule (the person is forming or joining
    a team right now)."""
    years, born = split_age(age)
    profile = knowledge.Profile(
        age=years, birth_date=born, nationality=nationality, expertise=expertise, in_team=True
    )
    verdict = knowledge.assess(programme, profile, now)
    reasons = tuple(r for r in verdict.reasons if r.rule_id != "team")
    return knowledge.Verdict(verdict.status, reasons, verdict.age)


def verdict_text(programme: knowledge.Programme, verdict: knowledge.Verdict, lang: str) -> str:
    """The verdict with its reasons; when not eligible, what the person can do next."""
    text = knowledge.render_eligibility(programme, verdict, lang)  # type: ignore[arg-type]
    if verdict.status == "eligible":
        return text
    contacts = programme.contacts
    key = "what_next_review" if verdict.status == "needs_review" else "what_next_not_eligible"
    what_next = say(
        lang, key, email=contacts.email, phone=contacts.phone, ext=contacts.phone_extension
    )
    return "\n".join([text, say(lang, "verdict_stop", what_next=what_next)])


def team_rule(programme: knowledge.Programme, rule_id: str, lang: str) -> str:
    """The text of a team rule (``one_team_per_person``, ``mixed_members``)."""
    rule = next(r for r in programme.team_rules.rules if r.id == rule_id)
    return rule.text.get("en" if lang == "en" else "zh-TW").rstrip("。.")


def composition_advice(
    programme: knowledge.Programme, members: Iterable[MemberView], lang: str
) -> str | None:
    """Advice when nobody in the team has AI skills, or nobody has domain expertise."""
    kinds = {m.expertise for m in members}
    rule = team_rule(programme, "mixed_members", lang)
    if not kinds & {"ai", "both"}:
        return say(lang, "advice_need_ai", rule=rule)
    if not kinds & {"domain", "both"}:
        return say(lang, "advice_need_domain", rule=rule)
    return None


def member_lines(members: Iterable[MemberView], lang: str) -> list[str]:
    """One line per member: name, role, expertise."""
    return [
        say(
            lang,
            "member_line",
            name=display_name(m, lang),
            role=say(lang, f"role_{m.role}"),
            expertise=say(lang, f"expertise_{m.expertise or 'unknown'}"),
        )
        for m in members
    ]


def display_name(member: MemberView, lang: str) -> str:
    """The member's display name, or "成員 #id"."""
    return member.name or say(lang, "unnamed", id=member.user_id)


def format_day(moment: datetime, lang: str) -> str:
    """A date in the programme's time zone as people write it."""
    day = moment.astimezone(knowledge.TZ).date()
    return say(lang, "date_format", year=day.year, month=day.month, day=day.day)
