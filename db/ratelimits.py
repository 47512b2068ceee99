"""Rate limits shared by every worker: fixed-window hit counters in ``rate_counters``.

:func:`hit` counts one hit of ``key`` in the window containing ``now`` and returns the hits so
far in that window, in ONE statement (an upsert), so concurrent workers on PostgreSQL or
processes on one SQLite file never lose a hit. :func:`count` reads the hits so far without
counting one (to refuse before checking a code, counting only the wrong ones). Functions take a
keyword-only ``session`` and never commit. :func:`purge` deletes counters of windows that ended.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import RateCounter

__all__ = ["count", "hit", "purge"]


def _window_start(now: datetime, window: timedelta) -> int:
    length = max(int(window.total_seconds()), 1)
    return int(now.timestamp()) // length * length


def hit(*, session: Session, key: str, now: datetime, window: timedelta) -> int:
    """Count a hit of ``key`` now; return the hits of ``key`` in the current window (≥ 1)."""
    start = _window_start(now, window)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = cast(sa.Table, RateCounter.__table__)
    same_window = table.c.window_start == start
    upsert = insert(table).values(key=key, window_start=start, hits=1)
    stmt = upsert.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "hits": sa.case((same_window, table.c.hits + 1), else_=1),
            "window_start": start,
        },
    ).returning(table.c.hits)
    return int(session.execute(stmt).scalar_one())


def count(*, session: Session, key: str, now: datetime, window: timedelta) -> int:
    """The hits of ``key`` in the window containing ``now`` (0 when none), without counting."""
    row = session.execute(
        sa.select(RateCounter.window_start, RateCounter.hits).where(RateCounter.key == key)
    ).first()
    if row is None or row.window_start != _window_start(now, window):
        return 0
    return int(row.hits)


def purge(*, session: Session, now: datetime, window: timedelta) -> int:
    """Delete counters whose window ended before the current one; return how many."""
    start = _window_start(now, window)
    result = session.execute(sa.delete(RateCounter).where(RateCounter.window_start < start))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
