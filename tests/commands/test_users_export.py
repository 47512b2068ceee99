"""``aigo users export SENDER``: one person's data as JSON, for a data subject's request."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from db import make_engine, make_session_factory, upgrade
from db.teams import save_profile
from db.users import get_or_create_user_for_sender


def test_export_prints_what_is_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'aigo.db'}"
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session, session.begin():
        user = get_or_create_user_for_sender(session=session, sender_key="telegram:42")
        user.display_name = "王小明"
        now = datetime(2019, 5, 20, tzinfo=UTC)
        save_profile(
            session=session,
            user_id=user.id,
            age=22,
            birth_date=None,
            nationality="ROC",
            expertise="ai",
            now=now,
        )
    engine.dispose()
    monkeypatch.setenv("AIGO_DATABASE_URL", url)
    assert main(["users", "export", "telegram:42"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sender"] == "telegram:42" and data["name"] == "王小明"
    assert data["profile"]["age"] == 22 and data["team"] is None
    out = tmp_path / "copy.json"
    assert main(["users", "export", "telegram:42", "--output", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["identities"] == ["telegram:42"]


@pytest.mark.parametrize("sender", ["telegram:404", "nonsense"])
def test_export_of_unknown_sender_says_so(
    sender: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("AIGO_DATABASE_URL", f"sqlite:///{tmp_path / 'aigo.db'}")
    assert main(["users", "export", sender]) == 1
    assert "no user with sender key" in capsys.readouterr().err
