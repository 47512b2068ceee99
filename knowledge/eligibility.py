"""Eligibility verdicts: a profile → eligible / not_eligible / needs_review, with reasons.

Each reason names the rule (``age``, ``nationality``, ``expertise``, ``team``), an outcome and a
``code`` that :mod:`knowledge.render` turns into text, and carries the rule so replies can quote it.
Status: any ``not_met`` → ``not_eligible``; else any ``review``/``missing``/``action`` →
``needs_review``; else ``eligible``. Foreign nationals get ``review`` because the seed states the
nationality rule only "in principle" (原則), so the programme office decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from knowledge.dates import TZ
from knowledge.schema import EligibilityRule, Nationality, Programme

Status = Literal["eligible", "not_eligible", "needs_review"]
Outcome = Literal["met", "not_met", "review", "missing", "action"]
Expertise = Literal["ai", "domain", "both", "none"]


@dataclass(frozen=True)
class Profile:
    """What we know about a person; None means unknown. ``age`` wins over ``birth_date``."""

    age: int | None = None
    birth_date: date | None = None
    nationality: Nationality | None = None
    expertise: Expertise | None = None
    in_team: bool | None = None


@dataclass(frozen=True)
class Reason:
    """One rule's outcome; ``code`` selects the explanation template (``eligibility.<code>``)."""

    rule: EligibilityRule
    outcome: Outcome
    code: str

    @property
    def rule_id(self) -> str:
        """The rule's id."""
        return self.rule.id


@dataclass(frozen=True)
class Verdict:
    """The result of :func:`assess`; ``age`` is the age used (None if unknown)."""

    status: Status
    reasons: tuple[Reason, ...]
    age: int | None


def age_on(birth_date: date, on: date) -> int:
    """Whole years from ``birth_date`` to ``on`` (a 29 Feb birthday counts from 1 March)."""
    years = on.year - birth_date.year
    return years - ((on.month, on.day) < (birth_date.month, birth_date.day))


def _age(profile: Profile, now: datetime) -> int | None:
    if profile.age is not None:
        return profile.age
    if profile.birth_date is not None:
        return age_on(profile.birth_date, now.astimezone(TZ).date())
    return None


def _age_reason(rule: EligibilityRule, age: int | None) -> Reason:
    if age is None:
        return Reason(rule, "missing", "age_missing")
    if age < (rule.min_age or 0):
        return Reason(rule, "not_met", "age_under")
    return Reason(rule, "met", "age_ok")


def _nationality_reason(rule: EligibilityRule, nationality: Nationality | None) -> Reason:
    if nationality is None:
        return Reason(rule, "missing", "nationality_missing")
    if nationality == rule.required:
        return Reason(rule, "met", "nationality_ok")
    return Reason(rule, "review" if rule.in_principle else "not_met", "nationality_foreign")


def _expertise_reason(rule: EligibilityRule, expertise: Expertise | None) -> Reason:
    if expertise is None:
        return Reason(rule, "missing", "expertise_missing")
    if expertise == "none":
        return Reason(rule, "not_met", "expertise_none")
    return Reason(rule, "met", f"expertise_{expertise}")


def _team_reason(rule: EligibilityRule, in_team: bool | None) -> Reason:
    if in_team is None:
        return Reason(rule, "missing", "team_missing")
    return Reason(rule, "met", "team_ok") if in_team else Reason(rule, "action", "team_needed")


def assess(programme: Programme, profile: Profile, now: datetime) -> Verdict:
    """Judge ``profile`` against the eligibility rules at ``now`` (for age from a birth date)."""
    rules = programme.eligibility
    age = _age(profile, now)
    reasons = (
        _age_reason(rules.rule("age"), age),
        _nationality_reason(rules.rule("nationality"), profile.nationality),
        _expertise_reason(rules.rule("expertise"), profile.expertise),
        _team_reason(rules.rule("team"), profile.in_team),
    )
    outcomes = {r.outcome for r in reasons}
    status: Status = (
        "not_eligible"
        if "not_met" in outcomes
        else "needs_review"
        if outcomes - {"met"}
        else "eligible"
    )
    return Verdict(status, reasons, age)
