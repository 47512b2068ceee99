"""Leader election: exactly one reminder scheduler is active.

PostgreSQL: the leader holds a *session* advisory lock (``pg_try_advisory_lock``) on a dedicated
connection for as long as it leads. When the leader dies, PostgreSQL ends its session and drops the
lock; a standby that retries :meth:`LeaderLock.try_acquire` periodically then takes over.
:meth:`LeaderLock.still_held` pings the connection so a leader whose connection broke steps down.

SQLite: one process owns the database file, so it is always the leader.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)
LOCK_KEY = 0x41494752  # "AIGR": the reminder scheduler's advisory lock


class LeaderLock:
    """The scheduler's leadership; not thread-safe (use from one task)."""

    def __init__(self, engine: Engine, key: int = LOCK_KEY) -> None:
        self.engine, self.key = engine, key
        self._conn: Connection | None = None
        self._sqlite = engine.dialect.name != "postgresql"
        self._sqlite_held = False

    @property
    def held(self) -> bool:
        """True while this process leads."""
        return self._sqlite_held or self._conn is not None

    def try_acquire(self) -> bool:
        """Become the leader if nobody is; True when this process leads afterwards."""
        if self.held:
            return True
        if self._sqlite:
            self._sqlite_held = True
            return True
        conn = self.engine.connect()
        try:
            got = bool(
                conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar()
            )
            conn.commit()
        except Exception:
            conn.close()
            raise
        if got:
            self._conn = conn
            log.info("reminder scheduler: this process is the leader")
        else:
            conn.close()
        return got

    def still_held(self) -> bool:
        """Ping the lock's connection; on failure step down and return False."""
        if self._sqlite:
            return self._sqlite_held
        if self._conn is None:
            return False
        try:
            self._conn.execute(sa.text("SELECT 1"))
            self._conn.commit()
            return True
        except Exception:
            log.warning("reminder scheduler: lost the leader connection; stepping down")
            self._drop()
            return False

    def release(self) -> None:
        """Give up leadership (closing the connection drops the lock)."""
        self._sqlite_held = False
        if self._conn is not None:
            try:
                self._conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
                self._conn.commit()
            except Exception:
                log.debug("advisory unlock failed; closing the connection releases it")
            self._drop()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.invalidate()
                conn.close()
            except Exception:
                log.debug("closing the leader connection failed", exc_info=True)
