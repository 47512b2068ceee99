"""Reply pieces for the bot's answers that the base renderers don't cover.

Pure like :mod:`knowledge.render`: facts come from the :class:`~knowledge.schema.Programme`,
wording from ``templates.yml`` (``answers.*``), and anything relative to the clock takes an aware
``now``. Used by ``actions/answers/actions.py`` to compose replies (other round's date, days
left, "the data doesn't say" with the contact, stage amounts, net after tax, eligibility with the
rule).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from knowledge._format import format_amount, t
from knowledge.dates import RelativeSpec
from knowledge.eligibility import Verdict
from knowledge.prizes import max_total, net_amount, tier_total
from knowledge.render import approximate_left, render_date, render_date_short
from knowledge.schedule import Occurrence, time_left, upcoming
from knowledge.schema import Lang, Programme

NoDataTopic = str  # one of templates.yml answers.what.*


def _a(lang: Lang, key: str) -> str:
    return str(t(lang, f"answers.{key}"))


def render_other_rounds(
    programme: Programme,
    milestone_id: str,
    round_id: str,
    lang: Lang,
    now: datetime | None = None,
) -> str:
    """The same milestone's date in every round other than ``round_id`` (may be empty); with
    ``now``, one that is over says so (closed deadline, event that took place)."""
    deadline = programme.milestone(milestone_id).kind == "deadline"
    parts: list[str] = []
    for r in (r for r in programme.rounds if r.id != round_id):
        date = render_date_short(programme, milestone_id, r.id, lang)
        resolved = programme.date(milestone_id, r.id)
        end = resolved.deadline if deadline else resolved.latest
        key = "other_round"
        if now is not None and end <= now:
            key = "other_round_closed" if deadline else "other_round_past"
        parts.append(_a(lang, key).format(round=r.name.get(lang), date=date))
    return "".join(parts)


def render_days_left(
    programme: Programme, milestone_id: str, round_id: str, lang: Lang, now: datetime
) -> str:
    """Whole days and hours from ``now`` to a milestone (a deadline's due time, an event's start).

    Events in progress say so; past ones say they are over. Approximate dates (a month, part of
    one, a period) are counted at their precision (about N months / weeks / days).
    """
    date = programme.date(milestone_id, round_id)
    deadline = programme.milestone(milestone_id).kind == "deadline"
    fields = {
        "round": programme.round(round_id).name.get(lang),
        "name": programme.milestone(milestone_id).name.get(lang),
        "date": render_date(programme, milestone_id, round_id, lang),
    }
    target = date.deadline if deadline else date.earliest
    if not deadline and target <= now <= date.latest:
        return _a(lang, "days_left_ongoing").format(**fields)
    left = time_left(target, now)
    if left.passed:
        return _a(lang, "days_left_passed").format(**fields)
    if date.approximate and not isinstance(date.spec, RelativeSpec):
        return _a(lang, "days_left_approximate").format(
            left=approximate_left(date, now, lang), **fields
        )
    key = "days_left" if left.days else "days_left_hours"
    return _a(lang, key).format(days=left.days, hours=left.hours, minutes=left.minutes, **fields)


def render_no_data(programme: Programme, topic: NoDataTopic, lang: Lang, name: str = "") -> str:
    """Say plainly that the data has no answer about ``topic`` and give the office's contact."""
    c = programme.contacts
    contact = _a(lang, "no_data_short").format(email=c.email, phone=c.phone, ext=c.phone_extension)
    what = _a(lang, f"what.{topic}").format(name=name)
    return _a(lang, "no_data").format(what=what, contact=contact)


def render_stage(programme: Programme, stage_id: str, lang: Lang) -> str:
    """One prize stage: amount and payment (shortlist), tranches (grant) or tiers (proof)."""
    stage, sep = programme.stage(stage_id), str(t(lang, "list_sep"))
    name = stage.name.get(lang)
    if stage.tiers:
        tiers = sep.join(
            str(t(lang, "tier")).format(name=x.name.get(lang), amount=format_amount(x.amount, lang))
            for x in stage.tiers
        )
        return _a(lang, "stage_proof").format(
            name=name,
            min=format_amount(stage.amount_min or 0, lang),
            max=format_amount(stage.amount_max or 0, lang),
            tiers=tiers,
        )
    amount = format_amount(stage.amount or 0, lang)
    if stage.tranches:
        tranches = sep.join(
            str(t(lang, "tranche")).format(
                text=x.text.get(lang), amount=format_amount(x.amount, lang)
            )
            for x in stage.tranches
        )
        return _a(lang, "stage_grant").format(name=name, amount=amount, tranches=tranches)
    if stage.payment:
        return _a(lang, "stage_payment").format(
            name=name, amount=amount, payment=stage.payment.get(lang)
        )
    return _a(lang, "stage").format(name=name, amount=amount)


def render_net_both(programme: Programme, tier: str, lang: Lang) -> str:
    """A tier's net amount for ROC nationals and for foreigners."""
    gross = tier_total(programme, tier).gross
    w = programme.prizes.withholding
    return _a(lang, "net_both").format(
        roc_pct=w.ROC,
        foreign_pct=w.foreign,
        roc_net=format_amount(net_amount(programme, gross, "ROC"), lang),
        foreign_net=format_amount(net_amount(programme, gross, "foreign"), lang),
    )


def render_withholding(programme: Programme, lang: Lang) -> str:
    """The withholding rule, worked on the maximum total per team and challenge."""
    top, w = max_total(programme), programme.prizes.withholding
    return _a(lang, "withholding").format(
        roc_pct=w.ROC,
        foreign_pct=w.foreign,
        max=format_amount(top, lang),
        roc_net=format_amount(net_amount(programme, top, "ROC"), lang),
        foreign_net=format_amount(net_amount(programme, top, "foreign"), lang),
    )


def render_max_total(programme: Programme, lang: Lang) -> str:
    """The largest total a team can win on one challenge."""
    return _a(lang, "max_total").format(max=format_amount(max_total(programme), lang))


def _distinct_rule_texts(programme: Programme, lang: Lang, ids: Collection[str]) -> list[str]:
    texts: list[str] = []
    for rule in programme.eligibility.rules:
        text = rule.text.get(lang)
        if rule.id in ids and text not in texts:
            texts.append(text)
    return texts


def render_eligibility_rules(programme: Programme, lang: Lang) -> str:
    """The eligibility rules as a numbered list (rules sharing one sentence listed once)."""
    ids = [r.id for r in programme.eligibility.rules]
    texts = _distinct_rule_texts(programme, lang, ids)
    fmt = str(t(lang, "numbered"))
    rules = "\n".join(fmt.format(n=i, text=x) for i, x in enumerate(texts, start=1))
    return _a(lang, "eligibility_rules").format(rules=rules)


def render_eligibility_answer(
    programme: Programme,
    verdict: Verdict,
    lang: Lang,
    *,
    general: bool = False,
    who: str | None = None,
    age_text: str | None = None,
) -> str:
    """The verdict on the facts given, each with the rule it rests on, then the rules still to
    meet; a not-met or to-be-confirmed point adds the "in principle" contact note (unless the
    point already says it).

    ``general``: the facts were asked about in general ("can foreigners join?"); ``who``: they
    are another person's ("您的朋友"), named in the heading. ``age_text`` replaces the age
    figure ("18或19") when only the birth year is known. A rule already quoted is not listed
    again among the rules still to meet (the age and nationality rules share one sentence)."""
    given = [r for r in verdict.reasons if r.outcome != "missing"]
    outcomes = {r.outcome for r in given}
    status = "not_met" if "not_met" in outcomes else "review" if "review" in outcomes else "met"
    shown = [r for r in given if status == "met" or r.outcome != "met"]
    email, min_age = programme.contacts.email, programme.eligibility.rule("age").min_age
    if who:
        heading = _a(lang, f"eligibility_other.{status}").format(who=who)
        heading = heading[:1].upper() + heading[1:]
    else:
        heading = _a(lang, f"eligibility_{'general' if general else 'status'}.{status}")
    lines = [heading]
    neutral = general or bool(who)
    age = age_text if age_text is not None else verdict.age
    for reason in shown:
        lines.append(
            str(t(lang, "eligibility.rule_line")).format(
                explanation=_explanation(lang, reason.code, neutral).format(
                    age=age, min_age=min_age, email=email
                ),
                rule=reason.rule.text.get(lang),
            )
        )
    quoted = {r.rule.text.get(lang) for r in shown}
    rest_ids = [r.rule_id for r in verdict.reasons if r.outcome in ("missing", "action")]
    rest = [
        _a(lang, f"eligibility_rest_item.{rule_id}").format(min_age=min_age)
        if text in quoted
        else text
        for rule_id, text in _rest_rules(programme, lang, rest_ids)
    ]
    if status == "met" and rest:
        lines.append(_a(lang, "eligibility_rest").format(rules=str(t(lang, "list_sep")).join(rest)))
    said = any(r.code == "nationality_foreign" for r in shown)  # it already says 「原則」
    if status != "met" and not said:
        lines.append(_a(lang, "eligibility_in_principle").format(email=email))
    return "\n".join(lines)


def _explanation(lang: Lang, code: str, neutral: bool) -> str:
    """The explanation of a reason; about no one in particular when ``neutral`` (en wording)."""
    words: dict[str, str] = t(lang, "eligibility")
    plain: dict[str, str] = t(lang, "answers.eligibility_neutral")
    return plain.get(code, words[code]) if neutral else words[code]


def _rest_rules(programme: Programme, lang: Lang, ids: Collection[str]) -> list[tuple[str, str]]:
    """(rule id, text) of the rules in ``ids``, a text shared by several rules listed once."""
    found: list[tuple[str, str]] = []
    for rule in programme.eligibility.rules:
        text = rule.text.get(lang)
        if rule.id in ids and text not in (x for _, x in found):
            found.append((rule.id, text))
    return found


def render_edition_over(programme: Programme, lang: Lang) -> str:
    """The note that the whole edition is over (its dates are history, not this year's)."""
    return _a(lang, "edition_over")


def render_still_open(
    programme: Programme, lang: Lang, now: datetime, round_id: str | None = None
) -> str:
    """Whether ideas can still be submitted at ``now``: the next idea deadline with the time
    left, or (all closed) each round's deadline and the office's contact."""

    def open_in(rnd: str | None) -> list[Occurrence]:
        found = upcoming(programme, now, round_id=rnd)
        return [o for o in found if o.milestone_id == "idea_deadline"]

    open_deadlines = open_in(round_id)
    later = open_in(None) if round_id and not open_deadlines else []
    if open_deadlines or later:
        found = (open_deadlines or later)[0]
        left = time_left(found.date.deadline, now)
        status = str(t(lang, "time_left" if left.days else "time_left_hours")).format(
            days=left.days, hours=left.hours, minutes=left.minutes
        )
        fields = {
            "round": programme.round(found.round_id).name.get(lang),
            "date": render_date(programme, "idea_deadline", found.round_id, lang),
            "status": status.strip(" （）()"),
        }
        if later and round_id:  # "第一梯還能報嗎" after it closed: the next round is open
            closed = render_date_short(programme, "idea_deadline", round_id, lang)
            return _a(lang, "still_open_other").format(
                closed_round=programme.round(round_id).name.get(lang), closed_date=closed, **fields
            )
        return _a(lang, "still_open_yes").format(**fields)
    rounds = [programme.round(round_id)] if round_id else programme.rounds
    round_dates = str(t(lang, "list_sep")).join(
        _a(lang, "still_open_round").format(
            round=r.name.get(lang), date=render_date(programme, "idea_deadline", r.id, lang)
        )
        for r in rounds
    )
    c = programme.contacts
    contact = _a(lang, "no_data_short").format(email=c.email, phone=c.phone, ext=c.phone_extension)
    return _a(lang, "still_open_no").format(round_dates=round_dates, contact=contact)


def _contact(programme: Programme, lang: Lang) -> str:
    c = programme.contacts
    return _a(lang, "no_data_short").format(email=c.email, phone=c.phone, ext=c.phone_extension)


def render_challenge_count(programme: Programme, lang: Lang) -> str:
    """How many challenges the current edition has and from how many organisations."""
    edition = programme.programme.current_edition
    return _a(lang, "challenge_count").format(
        organisations=edition.organisations,
        challenges=edition.challenges,
    )


def render_skills_rule(programme: Programme, lang: Lang) -> str:
    """The skills rule (AI skills *or* domain expertise) with the mixed-team advice."""
    rule = programme.eligibility.rule("expertise").text.get(lang)
    mixed = next(r for r in programme.team_rules.rules if r.id == "mixed_members")
    return _a(lang, "skills").format(rule=rule, mixed=mixed.text.get(lang))


def render_future_eligibility(programme: Programme, lang: Lang) -> str:
    """The data only covers the 2019 (ROC 108) edition: nothing about next year's rules; this
    edition's age rule and the office's contact."""
    rule = programme.eligibility.rule("age")
    return _a(lang, "future_eligibility").format(
        rule=rule.text.get(lang), contact=_contact(programme, lang)
    )


def render_step(programme: Programme, step: str, milestone_id: str, lang: Lang) -> str:
    """The lead-in of "what comes after (before) <milestone>" (``step``: ``next_step`` or
    ``previous_step``); the adjacent milestone's line follows."""
    return _a(lang, step).format(after=programme.milestone(milestone_id).name.get(lang))
