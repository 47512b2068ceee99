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
from knowledge.schedule import next_deadline, upcoming
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
    if coming:
        lines.append(_s(lang, "then"))
    lines += [
        _s(lang, "round_item").format(
            round=programme.round(o.round_id).name.get(lang),
            name=programme.milestone(o.milestone_id).name.get(lang),
            date=render_date_short(programme, o.milestone_id, o.round_id, lang),
        )
        for o in coming
    ]
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
