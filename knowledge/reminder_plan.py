"""The reminder plan: a pure function of the knowledge file (no clock, no database).

It lives beside the schedule it is computed from, so the chat can say when reminders come
(``actions.reminders``) from the very plan the scheduler (``bot.reminders``) fires.

Rules (issue 7):

- Deadlines (:data:`DEADLINES`): 10:00 on the days 7, 3 and 1 before the deadline's day
  (``T-7d``, ``T-3d``, ``T-1d``), plus ``T-3h`` (3 hours before) when the deadline has a stated
  cut-off time such as 12:00. ``contract_signing`` is relative to the idea review: its deadline is
  the review's last day plus the stated months (23:59:59).
- Events (:data:`EVENTS`): the day before the first day, at 10:00 (``D-1``).
- Personal nudge: at the idea deadline's ``T-3d`` time (``nudge``); recipients are chosen at fire
  time (teams without an application, organisations with a draft challenge).
- Only dates organisers have fixed get reminders: a stated day or day range, or a relative date
  whose anchor is one. Approximate dates (``10月下旬``, ``8月``) get none until the knowledge file
  states the day.

Keys are stable (``108-2:idea_deadline:T-3d``), so re-planning after a knowledge change updates rows
instead of adding new ones. The result is ordered by fire time, then key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal

from knowledge.dates import RelativeSpec, ResolvedDate
from knowledge.schema import Programme

ReminderKind = Literal["deadline", "event", "nudge", "broadcast"]
DEADLINES = ("idea_deadline", "contract_signing", "poc_deadline")
EVENTS = ("info_session", "roundtable", "idea_review", "final_review")
NUDGE_MILESTONE = "idea_deadline"
FIRE_TIME = time(10, 0)
DAY_OFFSETS = (7, 3, 1)
CUTOFF_LEAD = timedelta(hours=3)
NUDGE_DAYS = 3  # the personal nudge: this many days before the idea deadline, at FIRE_TIME

# Which subscription kind (``db.subscriptions.REMINDER_KINDS``) a reminder kind belongs to.
SUBSCRIPTION_KIND = {"deadline": "deadlines", "event": "events", "nudge": "nudges"}


@dataclass(frozen=True)
class Reminder:
    """One planned reminder.

    ``due_at`` is what the reminder is about: the deadline instant, or an event's start. A reminder
    fires only while ``due_at`` is still ahead; after that it is missed.
    """

    key: str
    kind: ReminderKind
    round_id: str
    milestone_id: str
    offset: str
    fire_at: datetime
    due_at: datetime

    @property
    def audience(self) -> str:
        """``subscribers`` (everyone subscribed to the kind) or ``nudge`` (chosen at fire time)."""
        return "nudge" if self.kind == "nudge" else "subscribers"


def fixed(date: ResolvedDate) -> bool:
    """True when organisers have fixed the date (a day, a day range, or relative to one)."""
    if isinstance(date.spec, RelativeSpec):
        return date.anchor is not None and fixed(date.anchor)
    return not date.approximate


def _at(day: datetime, hours: time) -> datetime:
    return datetime.combine(day.date(), hours, day.tzinfo)


def _deadline_reminders(round_id: str, milestone_id: str, date: ResolvedDate) -> list[Reminder]:
    due = date.deadline
    out = [
        Reminder(
            f"{round_id}:{milestone_id}:T-{days}d",
            "deadline",
            round_id,
            milestone_id,
            f"T-{days}d",
            _at(due - timedelta(days=days), FIRE_TIME),
            due,
        )
        for days in DAY_OFFSETS
    ]
    if date.time is not None:
        key = f"{round_id}:{milestone_id}:T-3h"
        out.append(
            Reminder(key, "deadline", round_id, milestone_id, "T-3h", due - CUTOFF_LEAD, due)
        )
    if milestone_id == NUDGE_MILESTONE:
        fire = _at(due - timedelta(days=NUDGE_DAYS), FIRE_TIME)
        key = f"{round_id}:{milestone_id}:nudge"
        out.append(Reminder(key, "nudge", round_id, milestone_id, "nudge", fire, due))
    return out


def _event_reminder(round_id: str, milestone_id: str, date: ResolvedDate) -> Reminder:
    start = date.earliest
    fire = _at(start - timedelta(days=1), FIRE_TIME)
    key = f"{round_id}:{milestone_id}:D-1"
    return Reminder(key, "event", round_id, milestone_id, "D-1", fire, start)


def plan(programme: Programme, round_id: str | None = None) -> list[Reminder]:
    """Every reminder of ``round_id`` (or of all rounds), ordered by fire time then key.

    Raises:
        KeyError: ``round_id`` is not a round of the programme.
    """
    rounds = [programme.round(round_id)] if round_id else programme.rounds
    out: list[Reminder] = []
    for rnd in rounds:
        for milestone_id in DEADLINES:
            date = programme.date(milestone_id, rnd.id)
            if fixed(date):
                out.extend(_deadline_reminders(rnd.id, milestone_id, date))
        for milestone_id in EVENTS:
            date = programme.date(milestone_id, rnd.id)
            if fixed(date):
                out.append(_event_reminder(rnd.id, milestone_id, date))
    return sorted(out, key=lambda r: (r.fire_at, r.key))
