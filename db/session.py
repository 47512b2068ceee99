"""Engines, sessions and migrations for SQLite (embedded default) and PostgreSQL (scale-out).

Contracts:
- :func:`make_engine` returns an engine tuned per backend. SQLite: the parent directory of the file
  is created; every connection runs with WAL, ``foreign_keys=ON`` and a busy timeout; every
  transaction starts with ``BEGIN IMMEDIATE`` so concurrent writers queue up (up to the busy
  timeout) instead of failing with "database is locked" when a read transaction turns into a write.
  PostgreSQL: a pre-pinged pool (``postgresql://`` and ``postgres://`` URLs use psycopg 3).
- :func:`make_session_factory` returns ``sessionmaker[Session]`` with ``expire_on_commit=False``.
- :func:`defer_flush` makes one transaction's commit asynchronous on PostgreSQL (see there).
- :func:`upgrade` applies the migrations bundled in ``db/migrations`` (Alembic ``upgrade head``), is
  idempotent, and is safe when several processes start at once (SQLite: ``BEGIN IMMEDIATE``;
  PostgreSQL: a transaction-level advisory lock). No ``alembic.ini`` is needed. A database
  already at the bundled head is recognised with one query, without importing Alembic (about a
  fifth of the service's start-up); Alembic is imported only when there is something to do.
"""

from __future__ import annotations

import re
import sqlite3
import time
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 15_000
_PG_MIGRATION_LOCK = 0x41494730  # "AIG0": advisory lock key held while migrating

__all__ = [
    "MIGRATIONS_DIR",
    "alembic_config",
    "current_revision",
    "defer_flush",
    "head_revision",
    "make_engine",
    "make_session_factory",
    "normalise_url",
    "upgrade",
]


def normalise_url(url: str | URL) -> URL:
    """Parse ``url``; bare ``postgresql://`` / ``postgres://`` URLs get the psycopg 3 driver."""
    if isinstance(url, str) and url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    parsed = sa.make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_file(url: URL) -> Path | None:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:") or url.query.get("mode"):
        return None
    return Path(database)


def _enable_wal(cursor: Any) -> None:
    """Switch the file to WAL once; retry while another connection is doing the same.

    Changing the journal mode does not wait on the busy handler, so two processes opening a new
    database at the same moment would otherwise see "database is locked".
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
            return
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _setup_sqlite(engine: Engine, *, wal: bool) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy (below) emit BEGIN itself instead of pysqlite's implicit, late BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if wal:
                _enable_wal(cursor)
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """Create the engine for ``url`` (see the module docstring).

    ``kwargs`` go to ``sqlalchemy.create_engine`` and override the defaults chosen here.
    """
    parsed = normalise_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = _sqlite_file(parsed)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, **kwargs.pop("connect_args", {})}
        engine = sa.create_engine(parsed, connect_args=connect_args, **kwargs)
        _setup_sqlite(engine, wal=path is not None)
        return engine
    if backend == "postgresql":
        options: dict[str, Any] = {
            "pool_size": 10,
            "max_overflow": 20,
            "pool_pre_ping": True,
            "pool_recycle": 1800,
            "connect_args": {"connect_timeout": 10},
        }
        options.update(kwargs)
        return sa.create_engine(parsed, **options)
    return sa.create_engine(parsed, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory used everywhere (objects stay readable after commit)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(url: str | URL | None = None) -> Config:
    """An Alembic config pointing at the bundled migrations (no ini file involved)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        rendered = normalise_url(url).render_as_string(hide_password=False)
        config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    """The newest revision id among the bundled migrations."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


_REVISION = re.compile(r"^(down_)?revision(?:\s*:[^=]*)?\s*=\s*(?:\"([^\"]*)\"|None)", re.MULTILINE)


@cache
def _bundled_head() -> str | None:
    """The head of the bundled migrations read from their ``revision`` / ``down_revision`` lines
    (no Alembic import); None when the files don't say it plainly (Alembic then decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("[0-9]*.py"):
        found = {bool(m[1]): m[2] for m in _REVISION.finditer(path.read_text(encoding="utf-8"))}
        if False not in found or found[False] is None or True not in found:
            return None
        revisions.add(found[False])
        if found[True] is not None:
            parents.add(found[True])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _at_head(engine: Engine) -> bool:
    """True when the database's ``alembic_version`` is the bundled head (one query)."""
    head = _bundled_head()
    if head is None:
        return False
    try:
        with engine.connect() as conn:
            versions = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except sa.exc.DBAPIError:
        return False  # a new database: no version table yet
    return [row[0] for row in versions] == [head]


def current_revision(url: str | URL) -> str | None:
    """The revision the database at ``url`` is at (None when never migrated)."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def _foreign_keys_off(engine: Engine) -> None:
    """SQLite: migrate with foreign keys off, as SQLite's ALTER TABLE guide says. A batch
    migration copies a table and drops the old one, and a drop with foreign keys on would run the
    ``ON DELETE CASCADE`` of the rows that point at it. They are checked again before commit."""

    @sa.event.listens_for(engine, "connect")
    def _off(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA foreign_keys = OFF")


def upgrade(url: str | URL, revision: str = "head") -> None:
    """Apply the bundled migrations to the database at ``url`` (idempotent)."""
    engine = make_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        _foreign_keys_off(engine)  # before any connection is made (and pooled) for the check
    if revision == "head" and _at_head(engine):
        engine.dispose()
        return
    from alembic import command

    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(
                    sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
                )
            config = alembic_config(url)
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all() if sqlite else []
            if broken:
                raise RuntimeError(f"migration left rows with broken foreign keys: {broken[:5]}")
    finally:
        engine.dispose()


def defer_flush(session: Session) -> None:
    """Let this transaction's commit return before its WAL record is flushed to disk.

    PostgreSQL: ``SET LOCAL synchronous_commit = off`` (this transaction only); SQLite: nothing.
    The commit is visible to everyone at once and survives a crash of our process; only a crash of
    the database server within ~0.6 s (three ``wal_writer_delay``) can lose it, and a later
    synchronous commit flushes it too (the WAL is written in order). For bookkeeping written
    after an effect whose loss only repeats an idempotent step (an event's "delivered" mark and
    its inbox row's ``done``: processing it again re-sends with the same reply token or retry key,
    which LINE refuses), never for what must be durable before an effect.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SET LOCAL synchronous_commit = off"))
