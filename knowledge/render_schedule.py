"""Schedules that read on a phone (issue 11): short lists, never space-aligned tables.

- :func:`render_schedule_short`: the next deadline (the direct answer), then the next two
  milestones of the asked (or current) round — a "完整時程" button offers the rest.
- :func:`render_schedule_list`: every milestone of one round or all rounds, one line each, for
  a user who asked for everything.

Pure: facts from the :class:`~knowledge.schema.Programme`, wording from ``templates.yml``.
"""

from __future__ import annotations

from datetime import datetime

from knowledge._format import t
from knowledge.render import render_date_short, render_next_deadline
from knowledge.render_direct import render_contact_short
from knowledge.schedule import Occurrence, next_deadline, time_left, upcoming
from knowledge.schema import Lang, Programme

SHORT_ITEMS = 2


def _s(lang: Lang, key: str) -> str:
    return str(t(lang, f"schedule_list.{key}"))


def _item(programme: Programme, milestone_id: str, round_id: str, lang: Lang) -> str:
    return _s(lang, "item").format(
        name=programme.milestone(milestone_id).name.get(lang),
        date=render_date_short(programme, milestone_id, round_id, lang),
    )


def render_schedule_short(
    programme: Programme, round_id: str | None, lang: Lang, now: datetime
) -> str:
    """The next deadline, then the next milestones (``SHORT_ITEMS``, periods and ongoing ones
    left out) of ``round_id`` (or of any round); the "no more dates" line when nothing is left."""
    lines = [render_next_deadline(programme, lang, now, round_id)]
    found = next_deadline(programme, now, round_id)
    coming = [
        o
        for o in upcoming(programme, now, round_id=round_id)
        if o.kind != "period" and o != found and not o.ongoing(now)
    ][:SHORT_ITEMS]
    before = [o for o in coming if found is not None and o.key_time < found.key_time]
    after = [o for o in coming if o not in before]
    for header, items in (("before", before), ("then", after)):
        if items:  # "在那之前": what comes before the deadline just named is not "next"
            lines.append(_s(lang, header))
        lines += [_round_item(programme, o, lang) for o in items]
    return "\n".join(lines)


def _round_item(programme: Programme, o: Occurrence, lang: Lang) -> str:
    return _s(lang, "round_item").format(
        round=programme.round(o.round_id).name.get(lang),
        name=programme.milestone(o.milestone_id).name.get(lang),
        date=render_date_short(programme, o.milestone_id, o.round_id, lang),
    )


def render_rounds_compare(programme: Programme, first: str, second: str, lang: Lang) -> str:
    """Two rounds side by side ("第一梯和第二梯差在哪"): the prizes and rules are one set in the
    data, so the difference is the schedule, one line per milestone."""
    a, b = programme.round(first), programme.round(second)
    lines = [_s(lang, "compare_lead")]
    for m in programme.schedule.milestones:
        lines.append(
            _s(lang, "compare_item").format(
                name=m.name.get(lang),
                first=a.name.get(lang),
                first_id=a.id,
                first_date=render_date_short(programme, m.id, a.id, lang),
                second=b.name.get(lang),
                second_id=b.id,
                second_date=render_date_short(programme, m.id, b.id, lang),
            )
        )
    lines += [_s(lang, "star_note"), str(t(lang, "subject_to_change"))]
    return "\n".join(lines)


def render_schedule_list(programme: Programme, round_id: str | None, lang: Lang) -> str:
    """Every milestone of ``round_id`` (or of every round), one line each, with the seed's note
    and the ``*`` caveat once."""
    rounds = [programme.round(round_id)] if round_id else programme.rounds
    lines = [str(t(lang, "table_title"))]
    for r in rounds:
        lines.append(_s(lang, "round").format(round=r.name.get(lang)))
        lines += [_item(programme, m.id, r.id, lang) for m in programme.schedule.milestones]
    lines += [_s(lang, "star_note"), str(t(lang, "subject_to_change"))]
    return "\n".join(lines)


def _listing_dates(programme: Programme, lang: Lang, now: datetime) -> str:
    """Each round's challenge listing with its state at ``now`` ("108-2場 5月31日（還有11天）")."""
    parts = []
    for r in programme.rounds:
        date = programme.date("challenge_listing", r.id)
        left = time_left(date.earliest, now)
        state = _s(lang, "listed") if left.passed else _s(lang, "in_days").format(days=left.days)
        parts.append(
            _s(lang, "listing_round").format(
                round=r.name.get(lang),
                date=render_date_short(programme, "challenge_listing", r.id, lang),
                state=state,
            )
        )
    return str(t(lang, "list_sep")).join(parts)


def render_posting_deadline(programme: Programme, lang: Lang, now: datetime) -> str:
    """ "企業出題截止是什麼時候": the data sets no posting deadline; the listing dates are what
    the schedule has, and challenges are refined through coaching and review before listing."""
    return _s(lang, "posting_deadline").format(
        dates=_listing_dates(programme, lang, now), contact=render_contact_short(programme, lang)
    )


def render_listing_open(programme: Programme, lang: Lang, now: datetime) -> str:
    """ "現在出題還來得及上架嗎": the next listing and the time left, without a posting deadline in
    the data; or that every listing has taken place."""
    coming = [
        r
        for r in programme.rounds
        if not time_left(programme.date("challenge_listing", r.id).earliest, now).passed
    ]
    contact = render_contact_short(programme, lang)
    if not coming:
        return _s(lang, "listing_over").format(
            dates=_listing_dates(programme, lang, now), contact=contact
        )
    r = coming[0]
    left = time_left(programme.date("challenge_listing", r.id).earliest, now)
    return _s(lang, "listing_open").format(
        round=r.name.get(lang),
        date=render_date_short(programme, "challenge_listing", r.id, lang),
        days=left.days,
        contact=contact,
    )
