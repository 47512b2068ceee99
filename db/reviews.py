"""Messages the bot missed, as organisers labelled them in the console (``reviewed_messages``).

A label is an intent name, ``out_of_scope`` or ``ignore``; labelling the same text again replaces
its label. Functions take a keyword-only ``session`` and never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from db.models import ConversationEvent, ReviewedMessage

IGNORE = "ignore"


def label(
    *, session: Session, text: str, intent: str, actor: str, now: datetime,
    entities: Sequence[dict[str, Any]] = (),
) -> ReviewedMessage:  # fmt: skip
    """Store (or replace) the label of ``text``."""
    row = session.scalars(sa.select(ReviewedMessage).where(ReviewedMessage.text == text)).first()
    if row is None:
        row = ReviewedMessage(text=text)
        session.add(row)
    row.label, row.entities, row.actor, row.at = intent, list(entities), actor, now
    session.flush()
    return row


def reviewed(*, session: Session) -> Sequence[ReviewedMessage]:
    """Every labelled message, oldest first."""
    return session.scalars(sa.select(ReviewedMessage).order_by(ReviewedMessage.id)).all()


def reviewed_texts(*, session: Session) -> set[str]:
    """The texts already labelled (the inbox leaves them out)."""
    return set(session.scalars(sa.select(ReviewedMessage.text)))


def recent_events(*, session: Session, limit: int) -> list[tuple[str, int, dict[str, Any]]]:
    """The newest ``limit`` conversation events as ``(sender_key, turn, event)``, oldest first."""
    query = (
        sa.select(ConversationEvent.sender_key, ConversationEvent.turn, ConversationEvent.event)
        .order_by(ConversationEvent.id.desc())
        .limit(limit)
    )
    rows = [(str(s), int(t), e) for s, t, e in session.execute(query)]
    rows.reverse()
    return rows
