"""Reply texts in zh-TW and en, computed from the data and worded by ``templates.yml``.

Every function is pure: it takes the :class:`~knowledge.schema.Programme` (where facts are
needed), the language (``"zh-TW"`` or ``"en"``) and, for anything relative to the clock, an aware
``now``. Approximate dates (a month, part of a month, a period) are rendered as the seed says and
followed by a note that the exact date is announced later; ``*`` dates add "subject to change".
"""

from __future__ import annotations

from datetime import datetime

from knowledge._format import display_width, format_amount, format_date, format_day, pad, t
from knowledge.dates import RelativeSpec, ResolvedDate
from knowledge.eligibility import Verdict
from knowledge.prizes import tier_total
from knowledge.schedule import next_deadline, phases_at, time_left
from knowledge.schema import Lang, Nationality, Programme


def date_notes(programme: Programme, milestone_id: str, round_id: str, lang: Lang) -> str:
    """One caveat at most: the relative deadline's last day, else "subject to change" (``*``
    dates), else "exact date to be announced" (a month, part of a month or a period)."""
    date = programme.date(milestone_id, round_id)
    if isinstance(date.spec, RelativeSpec):
        return _relative_by(date, lang, "relative_by")
    if date.tentative:
        return str(t(lang, "tentative"))
    return str(t(lang, "approximate")) if date.approximate else ""


def _relative_by(date: ResolvedDate, lang: Lang, key: str) -> str:
    """The computed last day of a relative deadline (構想審查後1個月內 → 最晚7月20日), said to be
    approximate when the date it counts from is."""
    approx = date.anchor is not None and date.anchor.approximate
    return str(t(lang, f"{key}{'_approx' if approx else ''}")).format(
        deadline=format_day(date.deadline, lang)
    )


def approximate_left(date: ResolvedDate, now: datetime, lang: Lang) -> str:
    """Time to an approximate date at the data's precision: about N months / weeks / days to the
    start of its window, "expected about now" inside it (never hours and minutes)."""
    if now >= date.earliest:
        return str(t(lang, "left_in_window"))
    days = (date.earliest - now).days
    if days >= 45:
        return str(t(lang, "left_months")).format(n=round(days / 30.4))
    if days >= 14:
        return str(t(lang, "left_weeks")).format(n=days // 7)
    return str(t(lang, "left_days")).format(n=max(days, 1))


def _status(
    programme: Programme, milestone_id: str, round_id: str, lang: Lang, now: datetime
) -> str:
    date = programme.date(milestone_id, round_id)
    if programme.milestone(milestone_id).kind != "deadline":
        if now > date.latest:
            return str(t(lang, "past_event"))
        return str(t(lang, "ongoing")) if now >= date.earliest else ""
    left = time_left(date.deadline, now)
    if left.passed:
        return str(t(lang, "passed"))
    if not date.exact and not isinstance(date.spec, RelativeSpec):
        return str(t(lang, "approx_status")).format(left=approximate_left(date, now, lang))
    if left.days == 0:
        return str(t(lang, "time_left_hours")).format(hours=left.hours, minutes=left.minutes)
    return str(t(lang, "time_left")).format(days=left.days, hours=left.hours)


def render_date(programme: Programme, milestone_id: str, round_id: str, lang: Lang) -> str:
    """The date of a milestone as the seed states it, with its notes (no status)."""
    text = format_date(programme, programme.date(milestone_id, round_id), lang)
    return text + date_notes(programme, milestone_id, round_id, lang)


def render_date_short(programme: Programme, milestone_id: str, round_id: str, lang: Lang) -> str:
    """The date as the seed states it, ``*`` kept, without the caveat (said once elsewhere)."""
    date = programme.date(milestone_id, round_id)
    text = format_date(programme, date, lang) + ("*" if date.tentative else "")
    if isinstance(date.spec, RelativeSpec):  # "構想審查後1個月內，即最晚8月25日（日）"
        text += _relative_by(date, lang, "relative_by_inline")
    return text


def render_milestone(
    programme: Programme, milestone_id: str, round_id: str, lang: Lang, now: datetime
) -> str:
    """One milestone of one round.

    e.g. ``108-1場 構想收件截止：5月31日（五）中午12:00（還有11天2小時）``; a past event is told
    as done (``108-2場 題目上架：已於5月31日（五）上架``).

    Deadlines show the time left (or "closed"); events show "in progress"/"over".
    Raises KeyError for an unknown milestone or round id.
    """
    milestone = programme.milestone(milestone_id)
    fields = {
        "round": programme.round(round_id).name.get(lang),
        "name": milestone.name.get(lang),
        "date": render_date(programme, milestone_id, round_id, lang),
    }
    if milestone.kind == "event" and now > programme.date(milestone_id, round_id).latest:
        done: dict[str, str] = t(lang, "event_done")
        fields["date"] = done.get(milestone_id, done["default"]).format(date=fields["date"])
        return str(t(lang, "milestone")).format(status="", **fields)
    status = _status(programme, milestone_id, round_id, lang, now)
    return str(t(lang, "milestone")).format(status=status, **fields)


def render_next_deadline(
    programme: Programme, lang: Lang, now: datetime, round_id: str | None = None
) -> str:
    """The next deadline after ``now`` (optionally in one round), or a "no more dates" line."""
    found = next_deadline(programme, now, round_id)
    if found is None:
        return str(t(lang, "no_next_deadline")).format(website=programme.contacts.website)
    return str(t(lang, "next_deadline")).format(
        round=programme.round(found.round_id).name.get(lang),
        name=programme.milestone(found.milestone_id).name.get(lang),
        date=render_date(programme, found.milestone_id, found.round_id, lang),
        status=_status(programme, found.milestone_id, found.round_id, lang, now),
    )


def render_phase(programme: Programme, lang: Lang, now: datetime) -> str:
    """One line per round naming its phase at ``now``."""
    return "\n".join(
        str(t(lang, "phase_line")).format(
            round=programme.round(rp.round_id).name.get(lang), phase=t(lang, f"phases.{rp.phase}")
        )
        for rp in phases_at(programme, now)
    )


def render_schedule_table(programme: Programme, round_id: str | None, lang: Lang) -> str:
    """The schedule as an aligned plain-text table (all rounds, or one), with the seed's note."""
    rounds = [programme.round(round_id)] if round_id else programme.rounds
    header = [str(t(lang, "table_header"))] + [r.name.get(lang) for r in rounds]
    rows = [header] + [
        [m.name.get(lang)]
        + [
            format_date(programme, programme.date(m.id, r.id), lang)
            + ("*" if programme.date(m.id, r.id).tentative else "")
            for r in rounds
        ]
        for m in programme.schedule.milestones
    ]
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    footer = [str(t(lang, "tentative")).strip(), str(t(lang, "subject_to_change"))]
    return "\n".join([str(t(lang, "table_title")), "", *lines, "", *footer])


def render_prize_summary(programme: Programme, lang: Lang, *, with_max: bool = True) -> str:
    """All prize stages, tranches, tiers, the maximum (unless said already: ``with_max``), the
    pool and the withholding rates."""
    prizes, sep = programme.prizes, str(t(lang, "list_sep"))
    shortlist, grant, proof = (programme.stage(s) for s in ("shortlist", "solution_grant", "proof"))

    def money(amount: int | None) -> str:
        return format_amount(amount or 0, lang)

    return str(t(lang, "prize_summary")).format(
        shortlist_name=shortlist.name.get(lang),
        shortlist=money(shortlist.amount),
        shortlist_payment=shortlist.payment.get(lang) if shortlist.payment else "",
        grant_name=grant.name.get(lang),
        grant=money(grant.amount),
        tranches=sep.join(
            str(t(lang, "tranche")).format(text=x.text.get(lang), amount=money(x.amount))
            for x in grant.tranches
        ),
        proof_name=proof.name.get(lang),
        proof_min=money(proof.amount_min),
        proof_max=money(proof.amount_max),
        tiers=sep.join(
            str(t(lang, "tier")).format(name=x.name.get(lang), amount=money(x.amount))
            for x in proof.tiers
        ),
        max_line=str(t(lang, "prize_max_line")).format(max=money(prizes.max_per_team_per_challenge))
        if with_max
        else "",
        pool=str(t(lang, "amount_over")).format(amount=money(prizes.total_pool_min)),
        roc_pct=prizes.withholding.ROC,
        foreign_pct=prizes.withholding.foreign,
    )


def render_tier_total(
    programme: Programme, tier: str, nationality: Nationality | None, lang: Lang
) -> str:
    """A tier's total, e.g. ``優等：入圍獎金5萬元 + 解題獎補25萬元 + 實證獎金30萬元 = 60萬元``,
    plus the net after withholding when ``nationality`` is given."""
    total = tier_total(programme, tier, nationality)
    parts = str(t(lang, "part_sep")).join(
        str(t(lang, "tier_part")).format(
            stage=programme.stage(stage).name.get(lang), amount=format_amount(amount, lang)
        )
        for stage, amount in total.parts
    )
    text = str(t(lang, "tier_total")).format(
        tier=programme.tier(tier).name.get(lang),
        parts=parts,
        gross=format_amount(total.gross, lang),
    )
    if nationality is None:
        return text
    return text + str(t(lang, "tier_net")).format(
        nationality=t(lang, f"nationality.{nationality}"),
        pct=total.withholding_pct,
        withheld=format_amount(total.withheld, lang),
        net=format_amount(total.net, lang),
    )


def render_eligibility(programme: Programme, verdict: Verdict, lang: Lang) -> str:
    """The verdict's headline, then one line per rule not plainly met (all lines when eligible),
    each quoting the rule."""
    lines = [str(t(lang, f"eligibility.status.{verdict.status}"))]
    for reason in verdict.reasons:
        if verdict.status != "eligible" and reason.outcome == "met":
            continue
        explanation = str(t(lang, f"eligibility.{reason.code}")).format(
            age=verdict.age,
            min_age=programme.eligibility.rule("age").min_age,
            email=programme.contacts.email,
        )
        lines.append(
            str(t(lang, "eligibility.rule_line")).format(
                explanation=explanation, rule=reason.rule.text.get(lang)
            )
        )
    return "\n".join(lines)
