"""The tracker store is the database: ``conversations`` (snapshot) + ``conversation_events`` (log).

A turn reads exactly one ``conversations`` row (locked with ``SELECT … FOR UPDATE`` on PostgreSQL so
several workers keep one sender's turns in order; SQLite transactions are ``BEGIN IMMEDIATE``), and
writes that row back plus the turn's events. Callers own the transaction; nothing here commits.

The hot path uses prebuilt Core statements on the session's connection (no ORM identity map or
unit of work): one ``SELECT``, one ``UPDATE`` and one ``INSERT`` of all the turn's events (a single
multi-row ``VALUES`` on PostgreSQL), so a turn costs three round trips besides ``BEGIN``/``COMMIT``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.dialogue.domain import Domain
from bot.dialogue.state import DialogueState
from db.models import Conversation, ConversationEvent

_CONVERSATIONS: sa.Table = Conversation.__table__  # type: ignore[assignment]
_EVENTS: sa.Table = ConversationEvent.__table__  # type: ignore[assignment]
_C = _CONVERSATIONS.c

_SELECT_STATE = sa.select(_C.state).where(_C.sender_key == sa.bindparam("key")).with_for_update()
_SELECT_LANGUAGE = sa.select(_C.language).where(_C.sender_key == sa.bindparam("key"))
_UPDATE = (
    sa.update(_CONVERSATIONS)
    .where(_C.sender_key == sa.bindparam("key"))
    .values(
        state=sa.bindparam("state"),
        version=_C.version + 1,
        language=sa.bindparam("language"),
        updated_at=sa.bindparam("updated_at"),
    )
)
_INSERT_EVENTS = sa.insert(_EVENTS)


def _insert_if_missing(session: Session, sender_key: str, now: datetime) -> None:
    values = {"sender_key": sender_key, "state": {}, "version": 0, "updated_at": now}
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(Conversation).values(**values).on_conflict_do_nothing()
    session.connection().execute(statement)


def load_for_update(
    session: Session, sender_key: str, domain: Domain, now: datetime
) -> DialogueState:
    """Return the sender's state; its row is locked for this transaction (created if new)."""
    connection = session.connection()
    row = connection.execute(_SELECT_STATE, {"key": sender_key}).first()
    if row is None:
        _insert_if_missing(session, sender_key, now)
        row = connection.execute(_SELECT_STATE, {"key": sender_key}).one()
    return DialogueState.from_snapshot(sender_key, row[0] or {}, domain)


def peek_language(session: Session, sender_key: str) -> str | None:
    """The sender's reply language, without locking or changing anything (None if unknown)."""
    value = session.connection().execute(_SELECT_LANGUAGE, {"key": sender_key}).scalar()
    return str(value) if value else None


def save(session: Session, state: DialogueState, now: datetime) -> None:
    """Write the snapshot into the sender's row and append the turn's events (never commits)."""
    connection = session.connection()
    language = state.slots.get("language")
    connection.execute(
        _UPDATE,
        {
            "key": state.sender_key,
            "state": state.snapshot(),
            "language": str(language) if language else None,
            "updated_at": now,
        },
    )
    if not state.new_events:
        return
    rows = [
        {"sender_key": state.sender_key, "turn": state.turn, "event": e, "created_at": now}
        for e in state.new_events
    ]
    if connection.dialect.name == "postgresql":
        connection.execute(_INSERT_EVENTS.values(rows))  # one statement, one round trip
    else:
        connection.execute(_INSERT_EVENTS, rows)  # executemany: one C call on SQLite


def history(session: Session, sender_key: str, limit: int = 200) -> list[dict[str, Any]]:
    """The sender's most recent ``limit`` events, oldest first (for tools and tests)."""
    query = (
        sa.select(ConversationEvent.event)
        .where(ConversationEvent.sender_key == sender_key)
        .order_by(ConversationEvent.id.desc())
        .limit(limit)
    )
    return list(reversed(list(session.scalars(query))))
