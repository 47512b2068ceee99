"""The ``inbox_events`` rows: the events a webhook stores, and the queries the worker runs.

All functions take a keyword-only ``session`` and never commit; the caller owns the transaction.
Rows are kept ``retention`` after they were received (:func:`purge`, run by the scheduler leader):
long enough for any platform redelivery to be recognised as a duplicate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import InboxEvent


@dataclass(frozen=True)
class NewEvent:
    """One event to store: its platform id, the sender it belongs to and its raw payload."""

    channel: str
    event_id: str
    sender_key: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class InboxRow:
    """A stored event handed to a channel handler."""

    id: int
    channel: str
    event_id: str
    sender_key: str
    payload: dict[str, Any]
    received_at: datetime
    attempts: int


def store_events(*, session: Session, events: Iterable[NewEvent], now: datetime) -> int:
    """Insert ``events`` unless already present; return how many were new. Never commits."""
    rows = [
        {
            "channel": e.channel,
            "event_id": e.event_id,
            "sender_key": e.sender_key,
            "payload": e.payload,
            "status": "pending",
            "received_at": now,
        }
        for e in events
    ]
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = cast(sa.Table, InboxEvent.__table__)
    stmt = (
        insert(table)
        .on_conflict_do_nothing(index_elements=["channel", "event_id"])
        .returning(table.c.id)
    )
    connection = session.connection()
    stored = 0
    for row in rows:  # a returned id per new row (rowcount is -1 for a conflict on psycopg)
        stored += len(connection.execute(stmt, row).all())
    return stored


def pending_senders(*, session: Session) -> list[str]:
    """Sender keys that have at least one pending row."""
    stmt = sa.select(InboxEvent.sender_key).where(InboxEvent.status == "pending").distinct()
    return list(session.scalars(stmt))


def next_pending(*, session: Session, sender_key: str) -> InboxRow | None:
    """The oldest pending row of ``sender_key``, or None."""
    stmt = (
        sa.select(InboxEvent)
        .where(InboxEvent.status == "pending", InboxEvent.sender_key == sender_key)
        .order_by(InboxEvent.id)
        .limit(1)
    )
    row = session.scalars(stmt).first()
    if row is None:
        return None
    return InboxRow(
        row.id,
        row.channel,
        row.event_id,
        row.sender_key,
        dict(row.payload),
        row.received_at,
        row.attempts,
    )


def purge(*, session: Session, now: datetime, retention: timedelta) -> int:
    """Delete finished rows (``done``/``failed``) received before ``now - retention``."""
    result = session.execute(
        sa.delete(InboxEvent).where(
            InboxEvent.status.in_(("done", "failed")), InboxEvent.received_at < now - retention
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
