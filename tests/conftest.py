"""Shared fixtures.

``db_url`` runs a test once on SQLite and once on PostgreSQL. The PostgreSQL half uses a fresh
database created for this test session (so parallel runs never collide) and is skipped, with the
reason, when the server at ``AIGO_TEST_POSTGRES_URL`` (default: the local ``postgres`` user on
127.0.0.1:5432, database ``test``) does not answer. ``engine`` and ``sessions`` give that database
migrated to head.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from db import make_engine, make_session_factory, upgrade
from tests.fakes.smtp import FakeSmtp

pytest_plugins = ["tests.fakes.fixtures"]  # fake LINE / Telegram servers (tests/fakes)

PG_ADMIN_URL = os.environ.get(
    "AIGO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
_pg_reason: str | None = None


def _pg_available() -> str | None:
    """Return None when PostgreSQL answers, else the reason it doesn't."""
    global _pg_reason
    if _pg_reason is None:
        try:
            engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
            with engine.connect() as conn:
                conn.execute(sa.text("select 1"))
            engine.dispose()
            _pg_reason = ""
        except Exception as exc:  # pragma: no cover - depends on the machine
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            _pg_reason = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {first}"
    return _pg_reason or None


@pytest.fixture(autouse=True)
def _cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with small costs in tests (the real parameters take ~0.5 s per hash here)."""
    from argon2 import PasswordHasher

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr("bot.organisers._hasher", cheap)


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A throwaway PostgreSQL database for this test session."""
    reason = _pg_available()
    if reason:
        if os.environ.get("AIGO_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    name = f"aigo_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL with an empty database, once per engine."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'aigo.db'}"
    url: str = request.getfixturevalue("pg_database_url")
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # start each test from an empty schema
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on the ``db_url`` database migrated to head."""
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    """A session factory on the migrated database."""
    return make_session_factory(engine)


@pytest.fixture
def fake_smtp() -> Iterator[FakeSmtp]:
    """A local SMTP server on 127.0.0.1 that keeps the e-mails it receives."""
    server = FakeSmtp().start()
    try:
        yield server
    finally:
        server.stop()
