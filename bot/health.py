"""What ``GET /health`` reports beyond "the database answers".

:func:`snapshot` reads, in one short session: the inbox backlog (pending rows and the age of the
oldest, failed rows), the outbox's dead and unknown-outcome deliveries, the e-mail outbox's
pending, dead and unknown-outcome messages (``email_outbox``), and whether a reminder
scheduler leader is alive (PostgreSQL: someone holds the leader's advisory lock; SQLite: this
process runs the scheduler). Platform reachability comes from :attr:`Services.platforms`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.reminders.leader import LOCK_KEY
from db.models import Delivery, EmailMessage, InboxEvent

_LEADER_ALIVE = sa.text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND classid = 0 AND objid = CAST(:k AS oid) AND objsubid = 1"
)


def _count(session: Session, model: Any, *where: Any) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0)


def inbox_backlog(session: Session, now: datetime) -> dict[str, Any]:
    """Pending inbox rows, the oldest one's age in seconds (0 when none), failed rows."""
    pending = InboxEvent.status == "pending"
    oldest = session.scalar(sa.select(sa.func.min(InboxEvent.received_at)).where(pending))
    if isinstance(oldest, str):  # SQLite returns the aggregate untyped
        oldest = datetime.fromisoformat(oldest)
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=now.tzinfo)
    age = 0.0 if oldest is None else max((now - oldest).total_seconds(), 0.0)
    return {
        "pending": _count(session, InboxEvent, pending),
        "oldest_pending_age_s": round(age, 1),
        "failed": _count(session, InboxEvent, InboxEvent.status == "failed"),
    }


def leader_alive(session: Session, *, runs_scheduler: bool) -> bool:
    """Whether some process leads the reminder scheduler (see the module docstring)."""
    if session.get_bind().dialect.name != "postgresql":
        return runs_scheduler
    return bool(session.scalar(_LEADER_ALIVE, {"k": LOCK_KEY}))


def snapshot(session: Session, now: datetime, *, runs_scheduler: bool) -> dict[str, Any]:
    """The health details (see the module docstring)."""
    return {
        "inbox": inbox_backlog(session, now),
        "deliveries": {
            "dead": _count(session, Delivery, Delivery.status == "dead"),
            "unknown": _count(session, Delivery, Delivery.status == "unknown"),
        },
        "emails": {
            status: _count(session, EmailMessage, EmailMessage.status == status)
            for status in ("pending", "dead", "unknown")
        },
        "scheduler_leader_alive": leader_alive(session, runs_scheduler=runs_scheduler),
    }
