"""The e-mail outbox (``email_outbox``): enqueue in the turn, claim, record, recover after a crash.

Lifecycle of a row (the same discipline as the reminder outbox, ``bot/reminders/outbox.py``)::

    pending ──claim──▶ sending ──▶ sent
       ▲                  │  ├──▶ pending (retry later: connection refused, 4xx, timeout before
       └──── recover ─────┘  │             the message was handed over; attempts < max)
                             ├──▶ dead    (a permanent 5xx refusal, or attempts exhausted)
                             └──▶ unknown (the connection broke after the message was handed
                                           over: it may have arrived; SMTP has no idempotency
                                           key, so it is counted and reported, never re-sent)

- A message is written in the same transaction as what caused it (the code it carries), and
  ``key`` is UNIQUE: enqueueing the same key twice keeps the first row.
- Claiming moves due rows to ``sending`` (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
  dispatchers never claim one row; SQLite serialises writers). :func:`mark_handing_over` is
  recorded just before the message data is sent: a row found stuck in ``sending`` after that
  became ``unknown``; one stuck before it goes back to ``pending`` (it cannot have arrived).
- The body of a sent or dead message is blanked: it carries a one-time code.

Functions take a keyword-only ``session``, may flush, never commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import EMAIL_STATUSES, EmailMessage

HANDING_OVER = "message data in flight"  # last_error while the DATA command runs
BLANKED = ""


@dataclass(frozen=True)
class Outgoing:
    """A claimed message, detached from the session (the dispatcher sends it outside one)."""

    id: int
    to_address: str
    subject: str
    body: str
    message_id: str
    attempts: int


def enqueue(
    *, session: Session, key: str, to_address: str, subject: str, body: str, now: datetime,
    domain: str = "aigo.local",
) -> EmailMessage:  # fmt: skip
    """Write one pending message (the existing row when ``key`` was enqueued before)."""
    found = session.scalar(sa.select(EmailMessage).where(EmailMessage.key == key))
    if found is not None:
        return found
    row = EmailMessage(
        key=key, to_address=to_address, subject=subject, body=body, created_at=now,
        next_attempt_at=now, message_id=f"<{uuid.uuid4().hex}@{domain}>",
    )  # fmt: skip
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # enqueued concurrently
        return session.scalars(sa.select(EmailMessage).where(EmailMessage.key == key)).one()
    return row


def claim(*, session: Session, now: datetime, limit: int = 10) -> list[Outgoing]:
    """Move up to ``limit`` due pending rows to ``sending`` (oldest first) and return them."""
    due = (
        sa.select(EmailMessage)
        .where(EmailMessage.status == "pending", EmailMessage.next_attempt_at <= now)
        .order_by(EmailMessage.next_attempt_at, EmailMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list(session.scalars(due))
    for row in rows:
        row.status, row.claimed_at, row.attempts = "sending", now, row.attempts + 1
        row.last_error = None
    session.flush()
    return [Outgoing(r.id, r.to_address, r.subject, r.body, r.message_id, r.attempts) for r in rows]


def _set(session: Session, ids: Sequence[int], **values: object) -> None:
    if ids:
        session.execute(
            sa.update(EmailMessage)
            .where(EmailMessage.id.in_(list(ids)))
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def mark_handing_over(*, session: Session, id: int) -> None:
    """The message data is about to be sent (from here a crash leaves the outcome unknown)."""
    _set(session, [id], last_error=HANDING_OVER)


def heartbeat(*, session: Session, ids: Sequence[int], now: datetime) -> None:
    """The dispatcher still holds these ``sending`` rows."""
    _set(session, ids, claimed_at=now)


def mark_sent(*, session: Session, id: int, now: datetime) -> None:
    """The server accepted the message."""
    _set(session, [id], status="sent", sent_at=now, last_error=None, body=BLANKED)


def mark_dead(*, session: Session, id: int, reason: str) -> None:
    """Give up on the message for good (the reason kept)."""
    _set(session, [id], status="dead", last_error=reason[:500], body=BLANKED)


def mark_unknown(*, session: Session, id: int, reason: str) -> None:
    """The message may have arrived; it is not sent again."""
    _set(session, [id], status="unknown", last_error=reason[:500])


def mark_retry(
    *, session: Session, id: int, attempts: int, at: datetime, reason: str, max_attempts: int
) -> bool:
    """Back to ``pending`` until ``at``; dead instead after ``max_attempts``. True when dead."""
    if attempts >= max_attempts:
        mark_dead(session=session, id=id, reason=f"gave up after {attempts} attempts: {reason}")
        return True
    _set(session, [id], status="pending", next_attempt_at=at, last_error=reason[:500])
    return False


def recover(*, session: Session, now: datetime, stale_after: timedelta) -> tuple[int, int]:
    """Settle rows a stopped dispatcher left in ``sending`` (claim older than ``stale_after``):
    those whose data had started become ``unknown``, the others go back to ``pending``.
    Returns ``(back to pending, unknown)``."""
    stuck = sa.and_(EmailMessage.status == "sending", EmailMessage.claimed_at < now - stale_after)
    unknown = session.execute(
        sa.update(EmailMessage)
        .where(stuck, EmailMessage.last_error == HANDING_OVER)
        .values(status="unknown", last_error="outcome unknown: the dispatcher died mid-send")
        .execution_options(synchronize_session=False)
    )
    back = session.execute(
        sa.update(EmailMessage)
        .where(stuck)
        .values(status="pending", last_error="recovered after a crash")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(back, "rowcount", 0)), int(getattr(unknown, "rowcount", 0))


def counts(*, session: Session) -> dict[str, int]:
    """Rows per status (every status present, 0 when none)."""
    found = dict(
        session.execute(
            sa.select(EmailMessage.status, sa.func.count()).group_by(EmailMessage.status)
        ).all()
    )
    return {status: int(found.get(status, 0)) for status in EMAIL_STATUSES}


def next_due(*, session: Session) -> datetime | None:
    """The earliest ``next_attempt_at`` of a pending row, or None."""
    query = (
        sa.select(EmailMessage.next_attempt_at)
        .where(EmailMessage.status == "pending")
        .order_by(EmailMessage.next_attempt_at)
        .limit(1)
    )
    return session.scalar(query)
