"""Engine set-up per backend and ``aigo db upgrade``."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.cli import main
from db import current_revision, defer_flush, make_engine, make_session_factory, normalise_url


def test_sqlite_engine_creates_directory_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "aigo.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    finally:
        engine.dispose()
    assert path.parent.is_dir()


def test_in_memory_sqlite_works() -> None:
    engine = make_engine("sqlite://")
    with engine.begin() as conn:
        assert conn.execute(sa.text("select 1")).scalar() == 1
    engine.dispose()


def test_postgres_urls_use_psycopg3() -> None:
    assert normalise_url("postgres://u@h/d").drivername == "postgresql+psycopg"
    assert normalise_url("postgresql://u@h/d").drivername == "postgresql+psycopg"
    assert normalise_url("sqlite:///x.db").drivername == "sqlite"


def test_aigo_db_upgrade(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AIGO_DATABASE_URL", db_url)
    assert main(["db", "upgrade"]) == 0
    out = capsys.readouterr().out
    head = current_revision(db_url)
    assert head is not None and f"revision {head} (head)" in out
    assert main(["db", "upgrade"]) == 0  # again: nothing to do, same answer
    assert f"revision {head}" in capsys.readouterr().out
    assert main(["db", "current"]) == 0
    assert f"revision {head}; head {head}" in capsys.readouterr().out


def test_aigo_db_upgrade_reports_failure_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("AIGO_DATABASE_URL", f"sqlite:///{blocker / 'aigo.db'}")
    assert main(["db", "upgrade"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("aigo db upgrade: failed on sqlite:///")
    assert "Traceback" not in err


def test_defer_flush_relaxes_only_its_own_transaction(db_url: str) -> None:
    engine = make_engine(db_url)
    sessions = make_session_factory(engine)
    try:
        with sessions.begin() as session:
            defer_flush(session)
            if db_url.startswith("postgresql"):
                assert session.execute(sa.text("SHOW synchronous_commit")).scalar() == "off"
        if db_url.startswith("postgresql"):
            with sessions.begin() as session:
                assert session.execute(sa.text("SHOW synchronous_commit")).scalar() == "on"
    finally:
        engine.dispose()
