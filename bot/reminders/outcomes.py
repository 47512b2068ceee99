"""Recording what happened to claimed rows, and recovering claims a dead dispatcher left behind.

From ``sending`` a row goes to ``sent`` (the platform accepted it; a LINE 409 included), back to
``pending`` (retry later), ``dead`` (the dead letter, with the reason), ``skipped`` (the user may
no longer be messaged) or ``unknown`` (a Telegram request that was made but whose answer never
came: it may have arrived, and Telegram has no idempotency key, so it is not sent again).
Each function is ONE statement whatever the number of rows (the ids are a
single array parameter), so a dispatcher records a whole round of sends in a few round trips.

All functions take a keyword-only ``session`` and never commit; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.reminders._sql import in_list, is_postgres, list_param, run, utc
from db.models import Delivery, User

RECOVERED = "recovered after a crash"
ATTEMPTING = "request in flight"  # last_error of a Telegram row whose request has started
_SET = "UPDATE deliveries SET {values} WHERE {ids}"


def _set(session: Session, ids: Sequence[int], values: str, **params: Any) -> None:
    if not ids:
        return
    postgres = is_postgres(session)
    sql = _SET.format(values=values, ids=in_list("id", "ids", postgres))
    run(session, sql, ids=list_param(ids, postgres), **params)


def mark_sent(*, session: Session, ids: Sequence[int], now: datetime) -> None:
    """The platform accepted these rows (LINE 409 included)."""
    at = utc(now, is_postgres(session))
    _set(session, ids, "status = 'sent', sent_at = :at, last_error = NULL", at=at)


def mark_dead(*, session: Session, ids: Sequence[int], reason: str) -> None:
    """Give up on these rows for good (the dead-letter state), with the reason."""
    _set(session, ids, "status = 'dead', last_error = :reason", reason=reason[:500])


def mark_unknown(*, session: Session, ids: Sequence[int], reason: str) -> None:
    """A request was made but its outcome is unknown (see the module docstring)."""
    _set(session, ids, "status = 'unknown', last_error = :reason", reason=reason[:500])


def mark_attempting(*, session: Session, ids: Sequence[int]) -> None:
    """A Telegram request for these rows starts now (so a crash from here is "unknown")."""
    _set(session, ids, "last_error = :reason", reason=ATTEMPTING)


def heartbeat(*, session: Session, ids: Sequence[int], now: datetime) -> None:
    """This dispatcher still holds these ``sending`` rows: refresh their claim time."""
    at = utc(now, is_postgres(session))
    _set(session, ids, "claimed_at = :at", at=at)


def mark_skipped(*, session: Session, ids: Sequence[int], reason: str) -> None:
    """These rows' user may no longer be messaged (inactive, opted out, not subscribed)."""
    _set(session, ids, "status = 'skipped', last_error = :reason", reason=reason[:500])


def mark_retry(
    *, session: Session, rows: Sequence[Any], at: datetime, reason: str, max_attempts: int
) -> int:
    """Put rows (with ``id``, ``attempts``) back to ``pending`` until ``at``; rows out of
    attempts die instead. Returns the number of dead rows."""
    dead = [r.id for r in rows if r.attempts >= max_attempts]
    retry = [r.id for r in rows if r.attempts < max_attempts]
    if dead:
        mark_dead(
            session=session, ids=dead, reason=f"gave up after {max_attempts} attempts: {reason}"
        )
    when = utc(at, is_postgres(session))
    values = "status = 'pending', next_attempt_at = :at, last_error = :reason"
    _set(session, retry, values, at=when, reason=reason[:500])
    return len(dead)


def deactivate(*, session: Session, user_id: int) -> int:
    """The user blocked the bot: mark them inactive and skip their pending rows; return count."""
    session.execute(sa.update(User).where(User.id == user_id).values(active=False))
    result = session.execute(
        sa.update(Delivery)
        .where(Delivery.user_id == user_id, Delivery.status == "pending")
        .values(status="skipped", last_error="user inactive")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def recover(*, session: Session, now: datetime, stale_after: timedelta) -> tuple[int, int]:
    """Settle rows stuck in ``sending`` (their dispatcher stopped its heartbeat: it died).

    LINE rows go back to ``pending`` with their retry key, so a batch LINE had accepted answers
    409 and is not sent twice. Telegram rows whose request never started go back to ``pending``
    (they cannot have arrived); those whose request had started become ``unknown`` (they may have
    arrived). Returns ``(back to pending, unknown)``.
    """
    stuck = sa.and_(Delivery.status == "sending", Delivery.claimed_at < now - stale_after)
    started = sa.and_(stuck, Delivery.channel == "telegram", Delivery.last_error == ATTEMPTING)
    unknown = session.execute(
        sa.update(Delivery)
        .where(started)
        .values(status="unknown", last_error="outcome unknown: the dispatcher died mid-request")
    )
    back = session.execute(
        sa.update(Delivery).where(stuck).values(status="pending", last_error=RECOVERED)
    )
    return int(back.rowcount or 0), int(unknown.rowcount or 0)  # type: ignore[attr-defined]


def has_work(*, session: Session, channels: Sequence[str]) -> tuple[datetime | None, int]:
    """``(earliest next_attempt_at of a pending row or None, rows in sending)`` on ``channels``."""
    on = Delivery.channel.in_(list(channels))
    earliest = session.scalar(
        sa.select(sa.func.min(Delivery.next_attempt_at)).where(Delivery.status == "pending", on)
    )
    sending = session.scalar(
        sa.select(sa.func.count()).select_from(Delivery).where(Delivery.status == "sending", on)
    )
    if isinstance(earliest, str):  # SQLite returns the aggregate untyped
        earliest = datetime.fromisoformat(earliest).replace(tzinfo=UTC)
    return earliest, int(sending or 0)
