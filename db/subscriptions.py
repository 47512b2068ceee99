"""Reminder subscriptions: who wants which reminders, read by actions, ``my_status`` and the outbox.

A user has at most one ``reminder_subscriptions`` row. ``rounds`` empty means every round;
``kinds`` is a subset of :data:`REMINDER_KINDS` (empty means all of them). ``active=False`` is an
explicit opt-out: nothing is sent to that user any more, broadcasts included, and unsubscribing
skips the user's pending deliveries at once (the dispatcher checks again at send time).

All functions take a keyword-only ``session`` and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from db.models import Delivery, ReminderSubscription

REMINDER_KINDS = ("deadlines", "events", "nudges")

__all__ = [
    "REMINDER_KINDS",
    "SubscriptionView",
    "get_subscription",
    "subscribe",
    "unsubscribe",
]


@dataclass(frozen=True)
class SubscriptionView:
    """What a user is subscribed to (for ``my_status`` and replies)."""

    active: bool
    rounds: tuple[str, ...]  # empty: every round
    kinds: tuple[str, ...]  # never empty: the kinds that apply
    quiet_hours: bool
    language: str | None


def _view(row: ReminderSubscription) -> SubscriptionView:
    kinds = tuple(k for k in REMINDER_KINDS if k in (row.kinds or REMINDER_KINDS))
    return SubscriptionView(
        row.active, tuple(row.rounds or ()), kinds, row.quiet_hours, row.language
    )


def _find(session: Session, user_id: int) -> ReminderSubscription | None:
    query = sa.select(ReminderSubscription).where(ReminderSubscription.user_id == user_id)
    return session.scalars(query).one_or_none()


def _row_for(session: Session, user_id: int, now: datetime) -> ReminderSubscription:
    """The user's row, added (not yet flushed) when there is none."""
    row = _find(session, user_id)
    if row is None:
        row = ReminderSubscription(user_id=user_id, created_at=now)
        session.add(row)
    return row


def get_subscription(*, session: Session, user_id: int) -> SubscriptionView | None:
    """The user's subscription (active or opted out), or None when they never subscribed."""
    row = _find(session, user_id)
    return _view(row) if row is not None else None


def subscribe(
    *,
    session: Session,
    user_id: int,
    now: datetime,
    rounds: Iterable[str] = (),
    kinds: Iterable[str] = (),
    quiet_hours: bool = True,
    language: str | None = None,
) -> SubscriptionView:
    """Create or replace the user's subscription and make it active.

    Raises:
        ValueError: an unknown kind (see :data:`REMINDER_KINDS`).
    """
    wanted_kinds = sorted(set(kinds), key=REMINDER_KINDS.index) if kinds else []
    unknown = set(kinds) - set(REMINDER_KINDS)
    if unknown:
        raise ValueError(f"unknown reminder kind(s): {', '.join(sorted(unknown))}")
    row = _row_for(session, user_id, now)
    row.rounds = sorted(set(rounds))
    row.kinds = wanted_kinds
    row.quiet_hours = quiet_hours
    row.language = language
    row.active = True
    row.updated_at = now
    session.flush()
    return _view(row)


def unsubscribe(*, session: Session, user_id: int, now: datetime) -> int:
    """Opt the user out and skip their pending deliveries; return how many were skipped.

    Idempotent. A user without a subscription gets an inactive row, which also keeps broadcasts
    away from them.
    """
    row = _row_for(session, user_id, now)
    row.active = False
    row.updated_at = now
    result = session.execute(
        sa.update(Delivery)
        .where(Delivery.user_id == user_id, Delivery.status == "pending")
        .values(status="skipped", last_error="unsubscribed")
    )
    session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
