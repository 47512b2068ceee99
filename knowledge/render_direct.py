"""Direct answers (issue 11): the reply's first sentence answers the question asked — "不行，…",
"每隊…", "傑出扣稅後實得…", "輪桌接洽會是…" — and the rule it rests on follows.

Pure like :mod:`knowledge.render`: facts from the :class:`~knowledge.schema.Programme`, wording
from ``templates.yml`` (``answers.direct.*``).
"""

from __future__ import annotations

from knowledge._format import format_amount, t
from knowledge.prizes import max_total, net_amount, tier_total
from knowledge.schema import Lang, Nationality, Programme


def _d(lang: Lang, key: str) -> str:
    return str(t(lang, f"answers.direct.{key}"))


def render_contact_short(programme: Programme, lang: Lang) -> str:
    """The office's e-mail and phone on one line (for "ask the office" answers)."""
    c = programme.contacts
    return str(t(lang, "answers.no_data_short")).format(
        email=c.email, phone=c.phone, ext=c.phone_extension
    )


def _cite(*rules: str, lang: Lang) -> str:
    return "\n".join(_d(lang, "rule").format(rule=rule) for rule in rules)


def _team_rule(programme: Programme, rule_id: str, lang: Lang) -> str:
    return next(r.text.get(lang) for r in programme.team_rules.rules if r.id == rule_id)


def render_team_alone(programme: Programme, lang: Lang) -> str:
    """No: applications are made by teams (with the rules that say so)."""
    team = programme.eligibility.rule("team").text.get(lang)
    leader = _team_rule(programme, "leader_builds_team", lang)
    return _d(lang, "alone") + "\n" + _cite(team, leader, lang=lang)


def render_team_multi(programme: Programme, lang: Lang) -> str:
    """No: one team per person (with the rule)."""
    max_teams = programme.team_rules.max_teams_per_person
    rule = _team_rule(programme, "one_team_per_person", lang)
    return _d(lang, "multi_team").format(max=max_teams) + "\n" + _cite(rule, lang=lang)


def render_prize_unit(programme: Programme, lang: Lang) -> str:
    """Per team, not per person: the maximum per team and challenge; the split is not stated."""
    top = format_amount(programme.prizes.max_per_team_per_challenge, lang)
    return _d(lang, "per_team").format(max=top, email=programme.contacts.email)


def render_multi_challenge(programme: Programme, lang: Lang) -> str:
    """Up to the maximum per team *per challenge*; several challenges are not covered."""
    top = format_amount(max_total(programme), lang)
    return _d(lang, "multi_challenge").format(
        max=top, contact=render_contact_short(programme, lang)
    )


def _breakdown(programme: Programme, tier: str, lang: Lang) -> str:
    total = tier_total(programme, tier)
    parts = str(t(lang, "part_sep")).join(
        str(t(lang, "tier_part")).format(
            stage=programme.stage(stage).name.get(lang), amount=format_amount(amount, lang)
        )
        for stage, amount in total.parts
    )
    return f"{parts} = {format_amount(total.gross, lang)}"


def render_tier_after_tax(
    programme: Programme, tier: str, nationality: Nationality | None, lang: Lang
) -> str:
    """A tier's total after withholding first (one nationality, or both), then the gross sum."""
    gross = tier_total(programme, tier).gross
    w = programme.prizes.withholding
    fields = {
        "tier": programme.tier(tier).name.get(lang),
        "breakdown": _breakdown(programme, tier, lang),
    }
    if nationality is None:
        return _d(lang, "tier_net_both").format(
            roc_pct=w.ROC,
            foreign_pct=w.foreign,
            roc_net=format_amount(net_amount(programme, gross, "ROC"), lang),
            foreign_net=format_amount(net_amount(programme, gross, "foreign"), lang),
            **fields,
        )
    net = net_amount(programme, gross, nationality)
    return _d(lang, "tier_net_one").format(
        net=format_amount(net, lang),
        pct=w.ROC if nationality == "ROC" else w.foreign,
        withheld=format_amount(gross - net, lang),
        nationality=t(lang, f"nationality.{nationality}"),
        **fields,
    )


def render_about(programme: Programme, milestone_id: str, lang: Lang) -> str:
    """What a milestone is, in the seed's own words and context; or that the data says no more."""
    milestone = programme.milestone(milestone_id)
    if milestone.about is not None:
        return milestone.about.get(lang)
    return _d(lang, "about_unknown").format(
        name=milestone.name.get(lang), contact=render_contact_short(programme, lang)
    )


def render_subsidy_cap(programme: Programme, lang: Lang) -> str:
    """The training subsidy's cap per person per year, as the direct answer to "how much"."""
    cap = format_amount(programme.training_subsidy.max_per_person_per_year, lang)
    return _d(lang, "subsidy_cap").format(max=cap)


def render_first_payment(programme: Programme, tier: str | None, lang: Lang) -> str:
    """When the first prize money is paid: the shortlist prize, on the signed cooperation
    document (for a tier, said as "拿到優等的話…")."""
    stage = programme.stage("shortlist")
    fields = {
        "name": stage.name.get(lang),
        "amount": format_amount(stage.amount or 0, lang),
        "payment": stage.payment.get(lang) if stage.payment else "",
    }
    if tier:
        tier_name = programme.tier(tier).name.get(lang)
        return _d(lang, "first_payment_tier").format(tier=tier_name, **fields)
    return _d(lang, "first_payment").format(**fields)


def render_proof_no_date(programme: Programme, lang: Lang) -> str:
    """One line: the proof-of-concept prize has no stated payment date."""
    return _d(lang, "proof_no_date").format(name=programme.stage("proof").name.get(lang))


def render_proof_payment(programme: Programme, review_dates: str, lang: Lang) -> str:
    """The proof-of-concept prize has no stated payment date: say so, give the final review's
    dates (``review_dates``, already rendered) and the contact."""
    stage = programme.stage("proof")
    return _d(lang, "proof_payment").format(
        name=stage.name.get(lang),
        reviews=review_dates,
        contact=render_contact_short(programme, lang),
    )


def render_gross_or_net(programme: Programme, amount: int | None, lang: Lang) -> str:
    """ "70萬是稅前還是稅後": the stated amounts are before tax; the net after withholding."""
    gross = amount or max_total(programme)
    w = programme.prizes.withholding
    return _d(lang, "gross_or_net").format(
        amount=format_amount(gross, lang),
        roc_pct=w.ROC,
        foreign_pct=w.foreign,
        roc_net=format_amount(net_amount(programme, gross, "ROC"), lang),
        foreign_net=format_amount(net_amount(programme, gross, "foreign"), lang),
    )


def render_pool(programme: Programme, lang: Lang) -> str:
    """ "總獎金多少": the programme's pool first, then the maximum per team and challenge."""
    prizes = programme.prizes
    pool = str(t(lang, "amount_over")).format(amount=format_amount(prizes.total_pool_min, lang))
    return _d(lang, "pool").format(
        pool=pool, max=format_amount(prizes.max_per_team_per_challenge, lang)
    )
