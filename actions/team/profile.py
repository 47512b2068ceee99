"""Eligibility as the programme document says it (issue 10, item 7), for the team forms.

- :func:`may_register`: eligible, or in doubt only because of a foreign nationality — the rule is
  「原則」 (in principle), so the person registers and the nationality is flagged for the organisers
  (:func:`foreign_note`, which also states the withholding rates of the prizes).
- :func:`negated_kinds`: the expertise a message denies (「我沒有AI背景」「不會寫程式」"no coding");
  a denied AI skill is not an AI skill, and the form asks about domain expertise.
- :func:`age_date_note`: the document does not say on which date age is counted; someone under
  the minimum today who reaches it by the round's idea deadline is told both readings and whom to
  ask.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import knowledge
from actions._texts import Texts
from actions._words import fold

_TEXTS = Texts(Path(__file__).with_name("profile_texts.yml"))
say = _TEXTS.say

NEGATION_WINDOW = 4  # characters between a negation and the skill it denies ("沒有什麼AI")
_NOT_CONTRAST = r"(?:(?!但|可是|不過|but|,|，).)"  # "沒有產業背景但會AI" denies only the domain


def may_register(verdict: knowledge.Verdict) -> bool:
    """Eligible, or needing review only for a foreign nationality."""
    if verdict.status == "eligible":
        return True
    doubts = {r.code for r in verdict.reasons if r.outcome != "met"}
    return verdict.status == "needs_review" and doubts == {"nationality_foreign"}


def foreign_note(programme: knowledge.Programme, lang: str) -> str:
    """Foreign nationals: registered, flagged for the organisers, 20% withholding."""
    rates = programme.prizes.withholding
    email = programme.contacts.email
    return say(lang, "foreign_flagged", email=email, foreign=rates.foreign, roc=rates.ROC)


def _pattern(words: list[str]) -> str:
    return "|".join(re.escape(fold(w)) for w in sorted(words, key=len, reverse=True))


def negated_kinds(text: str) -> set[str]:
    """``ai`` / ``domain`` when the text denies that kind of expertise."""
    if text.startswith("/"):
        return set()
    folded, data = fold(text), _TEXTS.data
    cues = _pattern(data["negation_cues"])
    found = set()
    for kind in ("ai", "domain"):
        words = _pattern(data[f"{kind}_words"])
        if re.search(rf"(?:{cues}){_NOT_CONTRAST}{{0,{NEGATION_WINDOW}}}(?:{words})", folded):
            found.add(kind)
    return found


def mentions(text: str, kind: str) -> bool:
    """True when the text names that kind of expertise at all."""
    return re.search(_pattern(_TEXTS.data[f"{kind}_words"]), fold(text)) is not None


def age_date_note(
    programme: knowledge.Programme, born: date | None, now: datetime, lang: str
) -> str | None:
    """Both readings of the age rule when the person reaches the minimum age by the round's idea
    deadline but not today; None otherwise (or without a birth date)."""
    rule = programme.eligibility.rule("age")
    if born is None or rule.min_age is None:
        return None
    round_id = knowledge.current_round(programme, now, "idea_deadline")
    deadline = programme.date("idea_deadline", round_id)
    age_now = knowledge.age_on(born, now.astimezone(knowledge.TZ).date())
    age_then = knowledge.age_on(born, deadline.deadline.date())
    if not age_now < rule.min_age <= age_then:
        return None
    lg: knowledge.Lang = "en" if lang == "en" else "zh-TW"
    contacts = programme.contacts
    return say(
        lang,
        "age_date_unclear",
        min_age=rule.min_age,
        age_now=age_now,
        round=round_id,
        milestone=programme.milestone("idea_deadline").name.get(lg),
        date=knowledge.format_date(programme, deadline, lg),
        email=contacts.email,
        phone=contacts.phone,
        ext=contacts.phone_extension,
    )
