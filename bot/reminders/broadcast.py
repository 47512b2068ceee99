"""Organiser broadcasts: a one-off message to an audience, sent through the same outbox.

A broadcast is a ``planned_reminders`` row of kind ``broadcast`` (key ``broadcast:<utc time>:<id>``,
``audience`` = all/teams/organisations, ``payload.text``) due at ``--at`` (default now). It fires
like any reminder (one delivery per recipient, in one transaction) and is drained by the
dispatcher; a future ``--at`` is fired by the running service's scheduler or by ``run-due``.
Recipients are users who may be messaged (active, not opted out; see :mod:`audience`).
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from bot.reminders.audience import Audience, broadcast_recipients
from db.models import PlannedReminder

MAX_TEXT = 4096  # Telegram's limit; LINE allows 5,000 UTF-16 units


class BroadcastError(ValueError):
    """The broadcast request is unusable; ``str()`` is a one-line explanation for the organiser."""


@dataclass(frozen=True)
class Preview:
    """Who a broadcast would reach: recipients per channel; LINE counts one message each."""

    per_channel: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.per_channel.values())

    @property
    def line_messages(self) -> int:
        """Messages the broadcast consumes from the LINE monthly quota (1 text × recipients)."""
        return self.per_channel.get("line", 0)


def check_text(text: str) -> str:
    """The message stripped; :class:`BroadcastError` when empty or too long."""
    text = text.strip()
    if not text:
        raise BroadcastError("the message file is empty")
    if len(text) > MAX_TEXT:
        raise BroadcastError(f"the message has {len(text)} characters; the limit is {MAX_TEXT}")
    return text


def preview(*, session: Session, audience: Audience, round_id: str | None) -> Preview:
    """Count the recipients of a broadcast without writing anything."""
    found = broadcast_recipients(session=session, audience=audience, round_id=round_id)
    return Preview(dict(sorted(Counter(r.channel for r in found).items())))


def create(
    *, session: Session, audience: Audience, round_id: str | None, text: str, at: datetime
) -> str:
    """Add the broadcast row (pending, due at ``at``) and return its key."""
    stamp = at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    key = f"broadcast:{stamp}:{uuid.uuid4().hex[:8]}"
    session.add(
        PlannedReminder(
            key=key, kind="broadcast", round=round_id, milestone=None, audience=audience,
            fire_at=at, deadline_at=None, status="pending", payload={"text": check_text(text)},
        )
    )  # fmt: skip
    session.flush()
    return key
