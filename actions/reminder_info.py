"""Questions about reminders: what the user is subscribed to, and when reminders come.

A question never changes the subscription (QA: 「我訂了哪些提醒」 re-subscribed the user to every
round and kind). :func:`question_kind` tells a question from a request by the cues of
``reminder_texts.yml`` (``question_cues``), on the folded text (Simplified, full-width and case
do not matter):

- ``settings``: asks what the user has (「我訂了哪些提醒」, "which reminders do I have?",
  「我有訂閱提醒嗎」);
- ``timing``: asks when reminders come (「提醒會在幾天前通知」, 「截止前幾天會提醒」,
  "how many days before…");
- None: anything else, a request (「可以提醒我第二梯的截止日嗎」, "remind me about deadlines"),
  and any change (「把我的提醒改成只要108-1」: a ``change`` cue wins).

The timing answer is computed from the very plan the scheduler fires
(:mod:`knowledge.reminder_plan`): the day offsets, the hour, the extra reminder before a stated
cut-off time, and the user's next reminders for the rounds and kinds they chose.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

import knowledge
from actions._texts import Texts
from actions._words import fold
from db.subscriptions import REMINDER_KINDS, SubscriptionView, get_subscription
from knowledge import reminder_plan
from knowledge._format import format_day, format_time, t

_TEXTS = Texts(Path(__file__).with_name("reminder_texts.yml"))
say = _TEXTS.say
NEXT_SHOWN = 2  # deadlines or events whose coming reminders an answer lists


@cache
def _cues(kind: str) -> re.Pattern[str]:
    return re.compile("|".join(_TEXTS.data["question_cues"][kind]), re.IGNORECASE)


_KIND_CUES = {
    "deadlines": re.compile(r"截止|期限|deadline", re.IGNORECASE),
    "events": re.compile(r"活動|說明會|輪桌|審查會|發表會|event|session|meeting", re.IGNORECASE),
    "nudges": re.compile(r"個人|nudge|personal", re.IGNORECASE),
}


def requested_kinds(text: str) -> list[str]:
    """The reminder kinds a message names (empty: none named, i.e. all)."""
    return [kind for kind in REMINDER_KINDS if _KIND_CUES[kind].search(text)]


def is_change(text: str) -> bool:
    """True when ``text`` asks to change something (「改成」「只要」"only"…)."""
    return bool(_cues("change").search(fold(text)))


def changes_reminders(parse: dict[str, Any]) -> bool:
    """True when a parsed message reads as a change of reminder settings: a change word and a
    round or a kind of reminder (「改成只要第一梯」, "switch to round 2 only"); button payloads
    never do. Said right after a reminders reply, or by a subscribed user whose message is
    otherwise unclear, it is taken as that change."""
    text = str(parse.get("text") or "")
    if text.startswith("/") or not is_change(text):
        return False
    rounds = any(e.get("entity") == "round" for e in parse.get("entities") or [])
    return rounds or bool(requested_kinds(text))


def question_kind(text: str) -> str | None:
    """``settings``, ``timing`` or None (see the module docstring). Button payloads are None."""
    if text.startswith("/"):
        return None
    folded = fold(text)
    if _cues("change").search(folded):
        return None
    if _cues("settings").search(folded):
        return "settings"
    return "timing" if _cues("timing").search(folded) else None


def asks_settings_not_stop(text: str) -> bool:
    """True when a message taken as "stop reminders" only asks what the user has (「我的提醒設定」):
    a settings cue, and no change or stop cue."""
    return question_kind(text) == "settings" and not _cues("stop").search(fold(text))


def asks_every_round(text: str) -> bool:
    """True when a reminder request asks for every round again (「所有梯次」, "all rounds")."""
    return bool(re.search(_TEXTS.data["all_rounds_cues"], fold(text)))


def adds_to(text: str) -> bool:
    """True when a reminder request adds to the current choice (「活動也要提醒」, "also events")."""
    return bool(re.search(_TEXTS.data["add_cues"], fold(text)))


def describe(view: SubscriptionView, lang: str) -> dict[str, str]:
    """``rounds`` and ``kinds`` of a subscription as words in ``lang``."""
    joiner = say(lang, "joiner")
    rounds = (
        say(lang, "round_list", rounds=joiner.join(view.rounds))
        if view.rounds
        else say(lang, "all_rounds")
    )
    kinds = joiner.join(say(lang, f"kind_{k}") for k in view.kinds)
    return {"rounds": rounds, "kinds": kinds}


def _lang_k(lang: str) -> knowledge.Lang:
    return "en" if lang == "en" else "zh-TW"


def timing_text(lang: str, kinds: tuple[str, ...] = REMINDER_KINDS) -> str:
    """When reminders of ``kinds`` come, in words, from the plan's own settings."""
    values = {
        "days": say(lang, "joiner").join(str(d) for d in reminder_plan.DAY_OFFSETS),
        "time": format_time(reminder_plan.FIRE_TIME, _lang_k(lang)),
        "hours": int(reminder_plan.CUTOFF_LEAD.total_seconds() // 3600),
        "nudge_days": reminder_plan.NUDGE_DAYS,
    }
    parts = [say(lang, f"timing_{kind}", **values) for kind in REMINDER_KINDS if kind in kinds]
    sep = " " if lang == "en" else ""
    return sep.join([*parts, say(lang, "timing_approx")])


def upcoming(
    view: SubscriptionView, now: datetime, programme: knowledge.Programme
) -> list[reminder_plan.Reminder]:
    """The user's reminders still to come, in order (personal nudges excluded: whether one comes
    depends on the team's or the organisation's state at the time)."""
    return [
        r
        for r in reminder_plan.plan(programme)
        if r.kind != "nudge"
        and (not view.rounds or r.round_id in view.rounds)
        and reminder_plan.SUBSCRIPTION_KIND[r.kind] in view.kinds
        and r.fire_at > now
    ]


def _moment(at: datetime, lang: str) -> str:
    local = at.astimezone(knowledge.TZ)
    month = t(_lang_k(lang), "months")[local.month - 1]
    return say(lang, "moment", month=month, day=local.day, time=f"{local:%H:%M}")


def reminder_line(
    group: list[reminder_plan.Reminder], lang: str, programme: knowledge.Programme
) -> str:
    """The reminders of one deadline or event (same round and milestone): what it is, when it
    is due, and when each reminder comes."""
    first, lang_k = group[0], _lang_k(lang)
    due = first.due_at.astimezone(knowledge.TZ)
    return say(
        lang,
        "next_line",
        round=programme.round(first.round_id).name.get(lang_k),
        milestone=programme.milestone(first.milestone_id).name.get(lang_k),
        due=format_day(due, lang_k, with_time=first.kind == "deadline" and due.second == 0),
        when=say(lang, "joiner").join(_moment(r.fire_at, lang) for r in group),
    )


def grouped(reminders: list[reminder_plan.Reminder]) -> list[list[reminder_plan.Reminder]]:
    """``reminders`` grouped by round and milestone, in the order of their first reminder."""
    groups: dict[tuple[str, str], list[reminder_plan.Reminder]] = {}
    for r in reminders:
        groups.setdefault((r.round_id, r.milestone_id), []).append(r)
    return list(groups.values())


def next_lines(view: SubscriptionView, now: datetime, lang: str) -> list[str]:
    """The head line and one line per upcoming deadline or event (:data:`NEXT_SHOWN`)."""
    programme = knowledge.load()
    groups = grouped(upcoming(view, now, programme))[:NEXT_SHOWN]
    if not groups:
        return [say(lang, "next_none")]
    return [say(lang, "next_head"), *(reminder_line(g, lang, programme) for g in groups)]


def answer(*, session: Session, user_id: int, kind: str, now: datetime, lang: str) -> str:
    """The reply to a ``settings`` or ``timing`` question; reads, never writes."""
    view = get_subscription(session=session, user_id=user_id)
    active = view is not None and view.active
    lines: list[str] = []
    if kind == "settings" or not active:
        if view is not None and view.active:
            quiet = say(lang, "quiet_on" if view.quiet_hours else "quiet_off")
            lines.append(say(lang, "current", quiet=quiet, **describe(view, lang)))
        else:
            lines.append(say(lang, "current_none"))
    if kind == "timing" or not active:
        lines.append(
            timing_text(lang, view.kinds if view is not None and active else REMINDER_KINDS)
        )
    if view is not None and view.active:
        lines += next_lines(view, now, lang)
        lines.append(say(lang, "how_to_change"))
    else:
        lines.append(say(lang, "how_to_subscribe"))
    return "\n".join(lines)
