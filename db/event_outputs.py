"""``event_outputs``: what a platform event produced, so processing it again never repeats it.

The dialogue engine records a turn's responses under the event's key (``<channel>:<event id>``) in
the turn's own transaction (:func:`record`); a channel records how far sending got
(:func:`set_progress`). Functions take a keyword-only ``session`` and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from db.models import EventOutput

__all__ = ["Output", "find", "purge", "record", "set_progress"]


@dataclass(frozen=True)
class Output:
    """An event's recorded responses and sending progress (a JSON object, channel-defined)."""

    responses: list[dict[str, Any]]
    progress: dict[str, Any]


def find(*, session: Session, event_key: str) -> Output | None:
    """The recorded output of ``event_key``, or None when the event was never processed."""
    row = session.get(EventOutput, event_key)
    if row is None:
        return None
    return Output(list(row.responses), dict(row.progress))


def record(
    *, session: Session, event_key: str, sender_key: str, responses: list[dict[str, Any]],
    now: datetime,
) -> None:  # fmt: skip
    """Record ``responses`` as the output of ``event_key`` (once; the key is the primary key)."""
    session.add(
        EventOutput(
            event_key=event_key, sender_key=sender_key, responses=responses, progress={},
            created_at=now,
        )
    )  # fmt: skip
    session.flush()


def set_progress(
    *, session: Session, event_key: str, sender_key: str, responses: list[dict[str, Any]],
    progress: dict[str, Any], now: datetime,
) -> None:  # fmt: skip
    """Store the sending ``progress`` of ``event_key`` and the ``responses`` being sent."""
    row = session.get(EventOutput, event_key)
    if row is None:
        record(session=session, event_key=event_key, sender_key=sender_key,
               responses=responses, now=now)  # fmt: skip
        row = session.get(EventOutput, event_key)
        assert row is not None
    row.responses, row.progress = list(responses), dict(progress)


def purge(*, session: Session, now: datetime, retention: timedelta) -> int:
    """Delete outputs recorded before ``now - retention``; return how many."""
    result = session.execute(sa.delete(EventOutput).where(EventOutput.created_at < now - retention))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
