"""The reminder plan (:mod:`knowledge.reminder_plan`): re-exported where the scheduler reads it.

The plan is pure (a function of the knowledge file), so it lives in ``knowledge``; the chat's
reminder answers (``actions.reminders``) read the same plan the scheduler fires.
"""

from knowledge.reminder_plan import (
    CUTOFF_LEAD,
    DAY_OFFSETS,
    DEADLINES,
    EVENTS,
    FIRE_TIME,
    NUDGE_DAYS,
    NUDGE_MILESTONE,
    SUBSCRIPTION_KIND,
    Reminder,
    ReminderKind,
    fixed,
    plan,
)

__all__ = [
    "CUTOFF_LEAD",
    "DAY_OFFSETS",
    "DEADLINES",
    "EVENTS",
    "FIRE_TIME",
    "NUDGE_DAYS",
    "NUDGE_MILESTONE",
    "SUBSCRIPTION_KIND",
    "Reminder",
    "ReminderKind",
    "fixed",
    "plan",
]
