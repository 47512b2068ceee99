"""Reminder texts from ``messages.yml``, filled from the knowledge file (pure: ``now`` is passed).

Every function returns the finished text in ``lang`` (``zh-TW`` or ``en``; anything else falls back
to ``zh-TW``), footer included. Dates are shown in Asia/Taipei.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge import TZ, Lang, Programme

MESSAGES_PATH = Path(__file__).with_name("messages.yml")
LANGS = ("zh-TW", "en")


@lru_cache(maxsize=1)
def messages() -> dict[str, Any]:
    """The parsed ``messages.yml`` (cached)."""
    with MESSAGES_PATH.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.load(handle, Loader=yaml.CSafeLoader)
    return data


def lang_of(value: str | None) -> str:
    """``value`` when it is a supported language, else ``zh-TW``."""
    return value if value in LANGS else "zh-TW"


def _t(key: str, lang: str) -> Any:
    return messages()[key][lang_of(lang)]


def format_day(at: datetime, lang: str) -> str:
    """``7月15日（一）`` / ``Mon 15 Jul``."""
    local = at.astimezone(TZ)
    weekday = _t("weekdays", lang)[local.weekday()]
    month_name = messages()["months"]["en"][local.month - 1]
    return str(_t("date_format", lang)).format(
        month=local.month, day=local.day, weekday=weekday, month_name=month_name
    )


def format_when(at: datetime, lang: str) -> str:
    """The day plus the time of day when it is not midnight/end of day."""
    local = at.astimezone(TZ)
    day = format_day(local, lang)
    if (local.hour, local.minute) in ((0, 0), (23, 59)):
        return day
    return f"{day} {local:%H:%M}"


def format_left(due: datetime, now: datetime, lang: str) -> str:
    """Whole days left (or hours, under two days), never negative."""
    seconds = max(int((due - now).total_seconds()), 0)
    if seconds >= 2 * 86400:
        return str(_t("left_days", lang)).format(days=seconds // 86400)
    return str(_t("left_hours", lang)).format(hours=max(seconds // 3600, 1))


def _names(programme: Programme, round_id: str, milestone_id: str, lang: str) -> dict[str, str]:
    language: Lang = "en" if lang_of(lang) == "en" else "zh-TW"
    return {
        "round_name": programme.round(round_id).name.get(language),
        "milestone": programme.milestone(milestone_id).name.get(language),
    }


def with_footer(text: str, lang: str) -> str:
    """``text`` followed by the how-to-unsubscribe line."""
    return f"{text}\n{_t('footer', lang)}"


def reminder_text(
    programme: Programme, *, kind: str, round_id: str, milestone_id: str, due_at: datetime,
    now: datetime, lang: str,
) -> str:  # fmt: skip
    """The text of a deadline or event reminder fired at ``now``."""
    fields = _names(programme, round_id, milestone_id, lang)
    fields |= {"when": format_when(due_at, lang), "left": format_left(due_at, now, lang)}
    fields["time"] = f"{due_at.astimezone(TZ):%H:%M}"
    if kind == "event":
        template = "event"
    elif due_at.astimezone(TZ).date() == now.astimezone(TZ).date():
        template = "deadline_soon"
    else:
        template = "deadline"
    return with_footer(str(_t(template, lang)).format(**fields), lang)


def nudge_team_text(
    programme: Programme, *, round_id: str, due_at: datetime, now: datetime, lang: str, team: str
) -> str:
    """The nudge for a member of a team that has not applied to any challenge."""
    fields = _names(programme, round_id, "idea_deadline", lang)
    fields |= {"when": format_when(due_at, lang), "left": format_left(due_at, now, lang)}
    fields |= {"team": team, "missing": str(_t("missing_application", lang))}
    return with_footer(str(_t("nudge_team", lang)).format(**fields), lang)


def nudge_organisation_text(
    programme: Programme, *, round_id: str, due_at: datetime, now: datetime, lang: str,
    title: str | None,
) -> str:  # fmt: skip
    """The nudge for the contact of an organisation whose challenge is still a draft."""
    fields = _names(programme, round_id, "idea_deadline", lang)
    fields |= {"when": format_when(due_at, lang), "left": format_left(due_at, now, lang)}
    fields["title"] = title or str(_t("untitled", lang))
    return with_footer(str(_t("nudge_organisation", lang)).format(**fields), lang)
