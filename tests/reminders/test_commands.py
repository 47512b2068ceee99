"""``aigo reminders plan|status|run-due`` and ``aigo broadcast`` against the fake platforms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from db.models import Membership, Team
from db.subscriptions import unsubscribe
from tests.fakes import FakeLine, FakeTelegram
from tests.reminders.conftest import add_user, at


@pytest.fixture
def env(
    monkeypatch: pytest.MonkeyPatch, db_url: str, fake_platform_env: dict[str, str]
) -> dict[str, str]:
    values = {"AIGO_DATABASE_URL": db_url, "AIGO_NOW": "2019-05-28T10:00:00+08:00"}
    for key, value in {**fake_platform_env, **values}.items():
        monkeypatch.setenv(key, value)
    return values


def test_plan_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reminders", "plan", "--round", "108-2"]) == 0
    out = capsys.readouterr().out
    assert "108-2:idea_deadline:T-3h" in out and "2019-07-15 Mon 09:00" in out
    assert "108-1:" not in out
    assert main(["reminders", "plan", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 23 and rows[0]["key"] == "108-1:info_session:D-1"
    assert main(["reminders", "plan", "--round", "109-1"]) == 2
    assert "unknown round" in capsys.readouterr().err


def test_run_due_twice_sends_nothing_twice(
    env: dict[str, str], sessions: sessionmaker[Session], fake_line: FakeLine,
    fake_telegram: FakeTelegram, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    with sessions.begin() as s:
        add_user(s, "line", "Ucli")
        add_user(s, "telegram", "31337")
    assert main(["reminders", "run-due"]) == 0
    out = capsys.readouterr().out
    assert "fired  108-1:idea_deadline:T-3d" in out and "sent 2," in out  # nobody to nudge
    assert main(["reminders", "run-due"]) == 0
    assert "fired 0 reminder(s)" in capsys.readouterr().out
    assert len(fake_line.by_endpoint("multicast")) == 1
    assert len(fake_telegram.texts_to(31337)) == 1
    assert main(["reminders", "status"]) == 0
    status = capsys.readouterr().out
    line = next(r for r in status.splitlines() if r.startswith("108-1:idea_deadline:T-3d "))
    assert line.split()[-5:] == ["0", "2", "0", "0", "0"]  # pending sent skipped dead unknown


def test_broadcast_dry_run_then_live(
    env: dict[str, str], sessions: sessionmaker[Session], tmp_path: Path, fake_line: FakeLine,
    fake_telegram: FakeTelegram, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    with sessions.begin() as s:
        lead = add_user(s, "line", "Ulead", subscribed=False)  # never subscribed: still told
        add_user(s, "line", "Uother")
        add_user(s, "telegram", "4040")
        gone = add_user(s, "line", "Ugone")
        unsubscribe(session=s, user_id=gone, now=at("2019-05-01 10:00"))  # opted out: never
        team = Team(name="T", leader_user_id=lead)
        s.add(team)
        s.flush()
        s.add(Membership(team_id=team.id, user_id=lead, role="leader"))
    message = tmp_path / "msg.txt"
    message.write_text("說明會改期通知：請見官網。\n", encoding="utf-8")
    fake_line.quota = 200
    args = ["broadcast", "--audience", "all", "--message-file", str(message)]
    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "3 recipient(s)" in out and "line      2" in out and "telegram  1" in out
    assert "consumes: 2" in out and "remaining 200" in out
    assert not fake_line.sent and not fake_telegram.sent
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "sent 3, skipped 0, failed 0, dead-lettered 0" in out
    assert sorted(fake_line.by_endpoint("multicast")[0].recipients) == ["Ulead", "Uother"]
    assert fake_telegram.texts_to(4040) == ["說明會改期通知：請見官網。"]
    assert main(["broadcast", "--audience", "teams", "--message-file", str(message),
                 "--dry-run"]) == 0  # fmt: skip
    assert "1 recipient(s)" in capsys.readouterr().out
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    assert main(["broadcast", "--audience", "all", "--message-file", str(empty)]) == 2
    assert "empty" in capsys.readouterr().err


def test_broadcast_at_a_later_time_is_sent_by_run_due(
    env: dict[str, str], sessions: sessionmaker[Session], tmp_path: Path, fake_line: FakeLine,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    with sessions.begin() as s:
        add_user(s, "line", "Ulater", kinds=["events"])
    message = tmp_path / "msg.txt"
    message.write_text("Demo day moved", encoding="utf-8")
    args = ["broadcast", "--audience", "all", "--message-file", str(message)]
    assert main([*args, "--at", "2019-05-28T15:00"]) == 0
    assert "scheduled broadcast:" in capsys.readouterr().out
    assert not fake_line.sent
    monkeypatch.setenv("AIGO_NOW", "2019-05-28T15:00:00+08:00")
    assert main(["reminders", "run-due"]) == 0
    texts = [m["text"] for b in fake_line.by_endpoint("multicast") for m in b.messages]
    assert texts == ["Demo day moved"]
