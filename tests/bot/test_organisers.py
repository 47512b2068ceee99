"""Organiser accounts: ``aigo admin``, argon2 hashes, sign-in throttling and the audit log."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot import organisers
from bot.cli import main
from db.models import AuditEntry, OrganiserAccount
from db.organisers import UnknownRole, audit_entries

PASSWORD = "correct horse battery"


def _add(sessions: sessionmaker[Session], role: str = "editor") -> None:
    with sessions.begin() as session:
        organisers.add(
            session=session, email="Ops@AIGO.org", password=PASSWORD, role=role, actor="cli"
        )


def _sign_in(sessions: sessionmaker[Session], password: str, address: str = "10.0.0.1") -> str:
    with sessions.begin() as session:
        result = organisers.sign_in(
            session=session, email="ops@aigo.org", password=password, address=address
        )
    return result.outcome


def test_add_stores_an_argon2_hash_and_audits(sessions: sessionmaker[Session]) -> None:
    _add(sessions)
    with sessions() as session:
        account = session.scalars(sa.select(OrganiserAccount)).one()
        assert account.email == "ops@aigo.org"
        assert account.password_hash.startswith("$argon2id$")
        assert PASSWORD not in account.password_hash
        (entry,) = audit_entries(session=session)
        assert (entry.actor, entry.action, entry.target) == ("cli", "account.add", "ops@aigo.org")


def test_bad_accounts_change_nothing(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(organisers.WeakPassword), sessions.begin() as session:
        organisers.add(session=session, email="a@b.org", password="short", role="viewer", actor="x")
    with pytest.raises(UnknownRole), sessions.begin() as session:
        organisers.add(session=session, email="a@b.org", password=PASSWORD, role="boss", actor="x")
    with sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(OrganiserAccount)) == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


def test_sign_in_and_throttling(sessions: sessionmaker[Session]) -> None:
    _add(sessions)
    assert _sign_in(sessions, PASSWORD) == "ok"
    for _ in range(organisers.MAX_FAILURES):
        assert _sign_in(sessions, "wrong password") == "refused"
    assert _sign_in(sessions, PASSWORD) == "throttled"  # even the right password waits
    with sessions.begin() as session:  # an unknown e-mail is refused like a wrong password
        other = organisers.sign_in(
            session=session, email="nobody@x.org", password=PASSWORD, address="10.0.0.2"
        )
    assert other.outcome == "refused" and other.organiser is None


def test_cli_add_update_list_and_audit(
    sessions: sessionmaker[Session], db_url: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:  # fmt: skip
    monkeypatch.setenv("AIGO_DATABASE_URL", db_url)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["admin", "add", "ops@aigo.org", "--role", "viewer", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("tiny\n"))
    assert main(["admin", "add", "ops@aigo.org", "--role", "editor", "--password-stdin"]) == 2
    assert "nothing changed" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "!\n"))
    assert main(["admin", "add", "ops@aigo.org", "--role", "editor", "--password-stdin"]) == 0
    assert main(["admin", "list"]) == 0
    out = capsys.readouterr().out
    assert "updated ops@aigo.org (editor)" in out and "ops@aigo.org  editor" in out
    with sessions() as session:
        actions = [e.action for e in audit_entries(session=session)]
    assert actions == ["account.update", "account.add"]
    out_file = tmp_path / "audit.csv"
    assert main(["admin", "audit", "--headers", "en", "--output", str(out_file)]) == 0
    lines = out_file.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "Time,Organiser,Action,Target,Detail"
    assert [line.split(",")[2] for line in lines[1:]] == ["account.update", "account.add"]
