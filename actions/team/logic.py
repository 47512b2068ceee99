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
from actions._forms import match_choice, say
from actions._words import data
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
