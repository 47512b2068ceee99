"""Planned reminders as rows: re-derive them from the plan, and fire the due ones into the outbox.

- :func:`sync_plan` upserts the plan (``planner.plan``) into ``planned_reminders`` by stable key:
  new keys are added as ``pending``; pending (or cancelled) rows take the new fire time; pending
  rows whose key left the plan are ``cancelled``. Fired and missed rows are history and are kept.
  Running it twice changes nothing.
- :func:`fire_due` fires every pending row whose ``fire_at`` has come, each in ONE transaction:
  the row is marked ``fired`` (guarded, so two callers never fire it twice) and one delivery per
  recipient is written. A row fires late (after downtime) only while what it is about
  (``deadline_at``) is still ahead; otherwise it is ``missed`` and logged. When several reminders
  for the same milestone are overdue, only the latest fires; the earlier ones are missed.

The timer that calls :func:`fire_due` at each fire time lives in :mod:`bot.reminders.service`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.reminders import audience, texts
from bot.reminders.audience import Recipient
from bot.reminders.outbox import Message, deliver_at, enqueue
from bot.reminders.planner import SUBSCRIPTION_KIND, Reminder
from db.models import PlannedReminder
from knowledge import Programme

log = logging.getLogger(__name__)
PLANNED_KINDS = ("deadline", "event", "nudge")


@dataclass
class SyncResult:
    """Counts of one :func:`sync_plan`."""

    added: int = 0
    updated: int = 0
    cancelled: int = 0


@dataclass
class FireResult:
    """What one :func:`fire_due` did: keys fired and missed, deliveries written."""

    fired: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    deliveries: int = 0


def sync_plan(*, session: Session, reminders: Sequence[Reminder]) -> SyncResult:
    """Upsert ``reminders`` into ``planned_reminders`` (see the module docstring)."""
    result = SyncResult()
    existing = {
        row.key: row
        for row in session.scalars(
            sa.select(PlannedReminder).where(PlannedReminder.kind.in_(PLANNED_KINDS))
        )
    }
    for r in reminders:
        row = existing.pop(r.key, None)
        if row is None:
            session.add(
                PlannedReminder(
                    key=r.key, kind=r.kind, round=r.round_id, milestone=r.milestone_id,
                    audience=r.audience, fire_at=r.fire_at, deadline_at=r.due_at,
                    status="pending", payload={"offset": r.offset},
                )
            )  # fmt: skip
            result.added += 1
        elif row.status in ("pending", "cancelled") and (
            row.status == "cancelled" or row.fire_at != r.fire_at or row.deadline_at != r.due_at
        ):
            row.fire_at, row.deadline_at, row.status = r.fire_at, r.due_at, "pending"
            result.updated += 1
    for row in existing.values():
        if row.status == "pending":
            row.status = "cancelled"
            result.cancelled += 1
    session.flush()
    return result


def _group(row: PlannedReminder) -> tuple[str, str | None, str | None]:
    return (row.kind, row.round, row.milestone)


def _broadcast_messages(session: Session, row: PlannedReminder) -> list[Message]:
    text = str(row.payload.get("text", ""))
    group = row.audience if row.audience in audience.AUDIENCES else "all"
    found = audience.broadcast_recipients(
        session=session,
        audience=group,
        round_id=row.round,
    )
    return [Message(r, {"text": text, "broadcast": True}) for r in found]


def _nudge_messages(
    session: Session, programme: Programme, round_id: str, due: datetime, now: datetime
) -> list[Message]:
    teams, owners = audience.nudge_recipients(session=session, round_id=round_id)
    base: dict[str, Any] = {"round": round_id, "kind": "nudges"}
    out = []
    for r in teams:
        text = texts.nudge_team_text(
            programme, round_id=round_id, due_at=due, now=_sent_at(now, due, r), lang=r.lang,
            team=r.extra or "",
        )  # fmt: skip
        out.append(Message(r, base | {"text": text}))
    for r in owners:
        text = texts.nudge_organisation_text(
            programme, round_id=round_id, due_at=due, now=_sent_at(now, due, r), lang=r.lang,
            title=r.extra,
        )  # fmt: skip
        out.append(Message(r, base | {"text": text}))
    return out


def _messages(
    session: Session, programme: Programme, row: PlannedReminder, now: datetime
) -> list[Message]:
    if row.kind == "broadcast":
        return _broadcast_messages(session, row)
    assert row.round is not None and row.milestone is not None and row.deadline_at is not None
    if row.kind == "nudge":
        return _nudge_messages(session, programme, row.round, row.deadline_at, now)
    sub_kind = SUBSCRIPTION_KIND[row.kind]
    payloads: dict[tuple[str, bool], dict[str, Any]] = {}
    out = []
    for r in audience.subscribers(session=session, round_id=row.round, kind=sub_kind):
        variant = (texts.lang_of(r.lang), r.quiet_hours)
        if variant not in payloads:
            text = texts.reminder_text(
                programme, kind=row.kind, round_id=row.round, milestone_id=row.milestone,
                due_at=row.deadline_at, now=_sent_at(now, row.deadline_at, r), lang=variant[0],
            )  # fmt: skip
            payloads[variant] = {"round": row.round, "kind": sub_kind, "text": text}
        out.append(Message(r, payloads[variant]))
    return out


def _sent_at(now: datetime, due: datetime, r: Recipient) -> datetime:
    """When ``r`` will get a message fired at ``now``: texts say "N hours left" as of then
    (a reminder fired at 23:00 for a quiet-hours user goes out at 08:00)."""
    return deliver_at(now, due, r.quiet_hours)


def _take(session: Session, row_id: int, status: str, now: datetime) -> bool:
    stmt = (
        sa.update(PlannedReminder)
        .where(PlannedReminder.id == row_id, PlannedReminder.status == "pending")
        .values(status=status, fired_at=now)
    )
    return bool(session.execute(stmt).rowcount)  # type: ignore[attr-defined]


def fire_one(
    sessions: sessionmaker[Session], programme: Programme, row: PlannedReminder, now: datetime
) -> int | None:
    """Fire ``row`` in one transaction; return deliveries written (None: someone else fired it)."""
    with sessions.begin() as session:
        if not _take(session, row.id, "fired", now):
            return None
        messages = _messages(session, programme, row, now)
        return enqueue(
            session=session, reminder_key=row.key, messages=messages, now=now,
            due_at=row.deadline_at,
        )  # fmt: skip


def fire_due(sessions: sessionmaker[Session], programme: Programme, now: datetime) -> FireResult:
    """Fire (or mark missed) every pending reminder due at ``now``; see the module docstring."""
    result = FireResult()
    with sessions() as session:
        due = list(
            session.scalars(
                sa.select(PlannedReminder)
                .where(PlannedReminder.status == "pending", PlannedReminder.fire_at <= now)
                .order_by(PlannedReminder.fire_at, PlannedReminder.id)
            )
        )
    latest: dict[tuple[str, str | None, str | None], PlannedReminder] = {}
    for row in due:
        latest[_group(row)] = row  # ordered by fire time: the last one wins
    for row in due:
        superseded = row.kind != "broadcast" and latest[_group(row)] is not row
        expired = row.deadline_at is not None and row.deadline_at <= now
        if superseded or expired:
            with sessions.begin() as session:
                if _take(session, row.id, "missed", now):
                    why = "superseded by a later reminder" if superseded else "deadline passed"
                    log.warning("reminder %s missed (%s; was due %s)", row.key, why, row.fire_at)
                    result.missed.append(row.key)
            continue
        written = fire_one(sessions, programme, row, now)
        if written is not None:
            log.info("reminder %s fired: %d deliveries", row.key, written)
            result.fired.append(row.key)
            result.deliveries += written
    return result


def pending_times(sessions: sessionmaker[Session]) -> list[tuple[str, datetime]]:
    """``(key, fire_at)`` of every pending reminder (the timer's job list)."""
    with sessions() as session:
        stmt = sa.select(PlannedReminder.key, PlannedReminder.fire_at).where(
            PlannedReminder.status == "pending"
        )
        return [(key, at) for key, at in session.execute(stmt)]
