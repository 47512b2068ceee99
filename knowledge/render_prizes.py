"""Prize answers beyond one tier or stage (QA wave 6): no award, what a stage is, a stage after
tax, two stages or tiers compared, a mixed-nationality team, the maximum.

Pure like :mod:`knowledge.render`: amounts computed from the :class:`~knowledge.schema.Programme`
(``knowledge.prizes``), wording from ``templates.yml`` (``answers.prizes.*``).
"""

from __future__ import annotations

from knowledge._format import format_amount, t
from knowledge.prizes import max_total, net_amount, tier_total
from knowledge.render import render_prize_summary
from knowledge.render_direct import render_contact_short
from knowledge.schema import Lang, Nationality, Programme, Stage


def _p(lang: Lang, key: str) -> str:
    return str(t(lang, f"answers.prizes.{key}"))


def _money(amount: int | None, lang: Lang) -> str:
    return format_amount(amount or 0, lang)


def _tranches(stage: Stage, lang: Lang) -> str:
    return str(t(lang, "list_sep")).join(
        str(t(lang, "tranche")).format(text=x.text.get(lang), amount=_money(x.amount, lang))
        for x in stage.tranches
    )


def render_no_award(programme: Programme, lang: Lang) -> str:
    """Without a proof-of-concept award a shortlisted team still gets the shortlist prize and
    the solution grant (their sum); an idea not shortlisted gets nothing the data mentions."""
    shortlist, grant = programme.stage("shortlist"), programme.stage("solution_grant")
    proof = programme.stage("proof")
    return _p(lang, "no_award").format(
        proof=proof.name.get(lang),
        tiers=str(t(lang, "list_sep")).join(x.name.get(lang) for x in proof.tiers),
        shortlist=shortlist.name.get(lang),
        shortlist_amount=_money(shortlist.amount, lang),
        payment=shortlist.payment.get(lang) if shortlist.payment else "",
        grant=grant.name.get(lang),
        grant_amount=_money(grant.amount, lang),
        tranches=_tranches(grant, lang),
        total=_money((shortlist.amount or 0) + (grant.amount or 0), lang),
    )


def render_stage_about(programme: Programme, stage_id: str, lang: Lang) -> str | None:
    """What a prize stage is ("入圍是什麼意思"), in the seed's words; None when the data has no
    description."""
    stage = programme.stage(stage_id)
    return stage.about.get(lang) if stage.about else None


def _net_line(
    programme: Programme, name: str, gross: int, nat: Nationality | None, lang: Lang
) -> str:
    w = programme.prizes.withholding
    if nat is not None:
        return _p(lang, "net_one").format(
            name=name,
            gross=_money(gross, lang),
            nationality=t(lang, f"nationality.{nat}"),
            pct=w.percent(nat),
            net=_money(net_amount(programme, gross, nat), lang),
        )
    return _p(lang, "net_both").format(
        name=name,
        gross=_money(gross, lang),
        roc_net=_money(net_amount(programme, gross, "ROC"), lang),
        foreign_net=_money(net_amount(programme, gross, "foreign"), lang),
    )


def render_stage_after_tax(
    programme: Programme, stage_id: str, nationality: Nationality | None, lang: Lang
) -> str:
    """One stage after withholding (each award of the proof-of-concept prize), with the rates;
    the receipt-backed solution grant adds that its withholding is not stated."""
    stage, w = programme.stage(stage_id), programme.prizes.withholding
    lines = [
        _p(lang, "stage_net_lead").format(
            name=stage.name.get(lang), roc_pct=w.ROC, foreign_pct=w.foreign
        )
    ]
    if stage.tiers:
        lines += [
            _net_line(programme, tier.name.get(lang), tier.amount, nationality, lang)
            for tier in stage.tiers
        ]
    else:
        lines.append(
            _net_line(programme, stage.name.get(lang), stage.amount or 0, nationality, lang)
        )
    if stage.receipts_required:
        lines.append(_p(lang, "receipts_tax_unknown"))
    return "\n".join(lines)


def _range(stage: Stage, lang: Lang) -> tuple[int, int, str]:
    """(low, high, as text) of a stage's amount."""
    if stage.tiers:
        low, high = stage.amount_min or 0, stage.amount_max or 0
        return low, high, _p(lang, "range").format(low=_money(low, lang), high=_money(high, lang))
    return stage.amount or 0, stage.amount or 0, _money(stage.amount, lang)


def render_compare_stages(programme: Programme, first: str, second: str, lang: Lang) -> str:
    """Which of two prize stages is more, with both amounts (and the difference when fixed)."""
    a, b = programme.stage(first), programme.stage(second)
    (a_low, a_high, a_text), (b_low, b_high, b_text) = _range(a, lang), _range(b, lang)
    if (a_low, a_high) == (b_low, b_high):
        return _p(lang, "same").format(
            first=a.name.get(lang), second=b.name.get(lang), amount=a_text
        )
    big, small = (
        ((a, a_text), (b, b_text))
        if a_low + a_high > b_low + b_high
        else ((b, b_text), (a, a_text))
    )
    fixed = a_low == a_high and b_low == b_high
    diff = abs(a_low - b_low)
    return _p(lang, "more_fixed" if fixed else "more").format(
        big=big[0].name.get(lang),
        big_amount=big[1],
        small=small[0].name.get(lang),
        small_amount=small[1],
        diff=_money(diff, lang),
    )


def render_compare_tiers(programme: Programme, first: str, second: str, lang: Lang) -> str:
    """How much more one award is than another: the proof-of-concept prizes and the totals."""
    a, b = programme.tier(first), programme.tier(second)
    big, small = (a, b) if a.amount >= b.amount else (b, a)
    if big.amount == small.amount:
        return _p(lang, "same").format(
            first=a.name.get(lang), second=b.name.get(lang), amount=_money(a.amount, lang)
        )
    return _p(lang, "tier_more").format(
        big=big.name.get(lang),
        small=small.name.get(lang),
        diff=_money(big.amount - small.amount, lang),
        proof=programme.stage("proof").name.get(lang),
        big_amount=_money(big.amount, lang),
        small_amount=_money(small.amount, lang),
        big_total=_money(tier_total(programme, big.id).gross, lang),
        small_total=_money(tier_total(programme, small.id).gross, lang),
    )


def render_mixed_tax(programme: Programme, lang: Lang) -> str:
    """A team of ROC nationals and foreigners: the data gives only the two rates, no rule for a
    mixed team."""
    w = programme.prizes.withholding
    return _p(lang, "mixed_tax").format(
        roc_pct=w.ROC, foreign_pct=w.foreign, contact=render_contact_short(programme, lang)
    )


def render_maximum(programme: Programme, lang: Lang) -> str:
    """The maximum per team and challenge first (the top award's sum), the stages once, and the
    personal training subsidy, which is not prize money."""
    top = max(programme.stage("proof").tiers, key=lambda x: x.amount)
    total = tier_total(programme, top.id)
    parts = str(t(lang, "part_sep")).join(
        str(t(lang, "tier_part")).format(
            stage=programme.stage(stage).name.get(lang), amount=_money(amount, lang)
        )
        for stage, amount in total.parts
    )
    lead = _p(lang, "maximum").format(
        max=_money(max_total(programme), lang), tier=top.name.get(lang), parts=parts
    )
    subsidy = _p(lang, "subsidy_too").format(
        max=_money(programme.training_subsidy.max_per_person_per_year, lang)
    )
    return "\n".join([lead, render_prize_summary(programme, lang, with_max=False), subsidy])
