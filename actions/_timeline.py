"""The ``custom`` schedule payload a channel can draw as a timeline (LINE Flex, Telegram text).

Shape (pinned in ``docs/CONTRACTS.md``)::

    {"type": "schedule", "round": "108-2", "language": "zh-TW", "title": "108-2場 時程",
     "items": [{"milestone": "idea_deadline", "label": "構想收件截止",
                "date": "7月15日（一）中午12:00", "detail": "日期可能調整" | "",
                "tentative": false, "state": "past" | "next" | "upcoming"}],
     "note": "註：各項作業程序將依計畫實際作業時間調整。"}

``state`` is relative to ``now``: over → ``past``; the first not over → ``next``; the rest
``upcoming``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import knowledge
from knowledge import Lang, Programme
from knowledge._format import t

_BRACKETS = "（）() *"


def _state(occurrence: knowledge.Occurrence, now: datetime, seen_next: bool) -> str:
    end = occurrence.date.deadline if occurrence.kind == "deadline" else occurrence.date.latest
    if end <= now:
        return "past"
    return "upcoming" if seen_next else "next"


def schedule_payload(p: Programme, round_id: str, lang: Lang, now: datetime) -> dict[str, Any]:
    """The timeline of ``round_id`` at ``now`` in ``lang`` (see the module docstring)."""
    items: list[dict[str, Any]] = []
    seen_next = False
    for occurrence in knowledge.occurrences(p, round_id):
        milestone = occurrence.milestone_id
        plain = knowledge.format_date(p, occurrence.date, lang)
        noted = knowledge.render_date(p, milestone, round_id, lang)
        state = _state(occurrence, now, seen_next)
        seen_next = seen_next or state == "next"
        items.append(
            {
                "milestone": milestone,
                "label": p.milestone(milestone).name.get(lang),
                "date": plain,
                "detail": noted[len(plain) :].strip(_BRACKETS),
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
