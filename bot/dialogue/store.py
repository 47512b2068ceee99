"""The tracker store is the database: ``conversations`` (snapshot) + ``conversation_events`` (log).

A turn reads exactly one ``conversations`` row (locked with ``SELECT … FOR UPDATE`` on PostgreSQL so
several workers keep one sender's turns in order; SQLite transactions are ``BEGIN IMMEDIATE``), and
writes that row back plus the turn's events. Callers own the transaction; nothing here commits.
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


def _insert_if_missing(session: Session, sender_key: str, now: datetime) -> None:
    values = {"sender_key": sender_key, "state": {}, "version": 0, "updated_at": now}
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(Conversation).values(**values).on_conflict_do_nothing()
    session.execute(statement)


def load_for_update(
    session: Session, sender_key: str, domain: Domain, now: datetime
) -> tuple[DialogueState, Conversation]:
    """Return the sender's state and its row, locked for this transaction (created if new)."""
    query = sa.select(Conversation).where(Conversation.sender_key == sender_key).with_for_update()
    row = session.scalars(query).one_or_none()
    if row is None:
        _insert_if_missing(session, sender_key, now)
        row = session.scalars(query).one()
    state = DialogueState.from_snapshot(sender_key, row.state or {}, domain)
    return state, row


def peek_language(session: Session, sender_key: str) -> str | None:
    """The sender's reply language, without locking or changing anything (None if unknown)."""
    query = sa.select(Conversation.language).where(Conversation.sender_key == sender_key)
    return session.scalars(query).one_or_none()


def save(session: Session, row: Conversation, state: DialogueState, now: datetime) -> None:
    """Write the snapshot into ``row`` and append the turn's events (flushes, never commits)."""
    row.state = state.snapshot()
    row.version = (row.version or 0) + 1
    language = state.slots.get("language")
    row.language = str(language) if language else None
    row.updated_at = now
    if state.new_events:
        session.execute(
            sa.insert(ConversationEvent),
            [
                {"sender_key": state.sender_key, "turn": state.turn, "event": e, "created_at": now}
                for e in state.new_events
            ],
        )
    session.flush()


def history(session: Session, sender_key: str, limit: int = 200) -> list[dict[str, Any]]:
    """The sender's most recent ``limit`` events, oldest first (for tools and tests)."""
    query = (
        sa.select(ConversationEvent.event)
        .where(ConversationEvent.sender_key == sender_key)
        .order_by(ConversationEvent.id.desc())
        .limit(limit)
    )
    return list(reversed(list(session.scalars(query))))
