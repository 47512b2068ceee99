"""The ``custom`` schedule payload a channel can draw as a timeline (LINE Flex, Telegram text).

Shape (pinned in ``docs/CONTRACTS.md``)::

    {"type": "schedule", "round": "108-2", "language": "zh-TW", "title": "108-2場 時程",
     "items": [{"milestone": "idea_deadline", "label": "構想收件截止",
                "date": "7月15日（一）中午12:00", "detail": "日期可能調整" | "",
                "tentative": false, "state": "past" | "next" | "upcoming"}],
     "note": "註：各項作業程序將依計畫實際作業時間調整。"}

Items keep the seed's table order. ``state`` is relative to ``now``: over → ``past``; the
milestone starting soonest after ``now`` → ``next``; the rest (ongoing periods included)
``upcoming``. ``detail`` holds the date's notes (approximate, subject to change) without brackets.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import knowledge
from knowledge import Lang, Programme
from knowledge._format import t

# A bracketed note, one nested bracket level allowed: "（即最晚7月20日（六））".
_NOTE = re.compile(r"[（(]((?:[^（）()]|[（(][^（）()]*[）)])*)[）)]")


def _detail(notes: str, lang: Lang) -> str:
    return str(t(lang, "list_sep")).join(n.strip(" *") for n in _NOTE.findall(notes))


def _over(occurrence: knowledge.Occurrence, now: datetime) -> bool:
    end = occurrence.date.deadline if occurrence.kind == "deadline" else occurrence.date.latest
    return end <= now


def schedule_payload(p: Programme, round_id: str, lang: Lang, now: datetime) -> dict[str, Any]:
    """The timeline of ``round_id`` at ``now`` in ``lang`` (see the module docstring)."""
    found = {o.milestone_id: o for o in knowledge.occurrences(p, round_id)}
    starting = [o for o in found.values() if o.date.earliest > now and not _over(o, now)]
    coming = min(starting, key=lambda o: o.key_time).milestone_id if starting else None
    items: list[dict[str, Any]] = []
    for milestone in (m.id for m in p.schedule.milestones):
        occurrence = found[milestone]
        plain = knowledge.format_date(p, occurrence.date, lang)
        noted = knowledge.render_date(p, milestone, round_id, lang)
        state = "past" if _over(occurrence, now) else "next" if milestone == coming else "upcoming"
        items.append(
            {
                "milestone": milestone,
                "label": p.milestone(milestone).name.get(lang),
                "date": plain,
                "detail": _detail(noted[len(plain) :], lang),
                "tentative": occurrence.date.tentative,
                "state": state,
            }
        )
    title = str(t(lang, "answers.timeline_title")).format(round=p.round(round_id).name.get(lang))
    return {
        "type": "schedule",
        "round": round_id,
        "language": lang,
        "title": title,
        "items": items,
        "note": str(t(lang, "subject_to_change")),
    }
