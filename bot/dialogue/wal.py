"""SQLite WAL checkpoints off the request path.

By default SQLite checkpoints automatically inside the ``COMMIT`` that pushes the write-ahead log
past 1,000 pages: that commit copies the log into the database file and syncs it, and the turn
that happens to run it (and every turn queued behind it on the single writer) waits. The service
instead turns automatic checkpoints off on its own connections (:func:`disable_autocheckpoint`)
and runs :class:`WalCheckpointer`: a daemon thread with its own connection that runs
``PRAGMA wal_checkpoint(PASSIVE)`` every ``interval`` seconds. A passive checkpoint never takes
the write lock and never waits for readers, so turns keep committing while it copies; the log is
reused from its start once a checkpoint has caught up. Other processes on the same file (CLI
tools) keep SQLite's automatic checkpoints, so the log stays bounded even without the service.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 1.0  # seconds between passive checkpoints


def sqlite_path(engine: Engine) -> Path | None:
    """The database file of a file-backed SQLite engine, else None (PostgreSQL, in-memory)."""
    url = engine.url
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if database.startswith("file:") or url.query.get("mode"):
        return None
    return Path(database)


def disable_autocheckpoint(engine: Engine) -> None:
    """Turn off automatic checkpoints on every connection ``engine`` opens from now on."""

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA wal_autocheckpoint = 0")
        finally:
            cursor.close()


class WalCheckpointer:
    """A daemon thread running ``PRAGMA wal_checkpoint(PASSIVE)`` on ``path`` periodically."""

    def __init__(self, path: Path, interval: float = DEFAULT_INTERVAL) -> None:
        self.path = path
        self.interval = interval
        self.checkpoints = 0  # completed passive checkpoints (for tests and diagnostics)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)

    def start(self) -> WalCheckpointer:
        """Start the thread (returns self)."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread after one last checkpoint (waits at most a few seconds)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def checkpoint(self, connection: sqlite3.Connection) -> tuple[int, int, int]:
        """One passive checkpoint: ``(busy, frames in the log, frames checkpointed)``."""
        row = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        self.checkpoints += 1
        return int(row[0]), int(row[1]), int(row[2])

    def _run(self) -> None:
        try:
            connection = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        except sqlite3.Error:
            log.exception("WAL checkpointer: cannot open %s", self.path)
            return
        try:
            while True:
                stopping = self._stop.wait(self.interval)
                try:
                    self.checkpoint(connection)
                except sqlite3.Error as exc:  # e.g. busy: try again next time
                    log.warning("WAL checkpoint failed: %s", exc)
                if stopping:
                    return
        finally:
            connection.close()
