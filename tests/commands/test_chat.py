"""``aigo chat``: a new conversation per run unless ``--sender``; a pipe reads as a transcript."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli import main


def chat(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *lines: str,
    sender: str | None = None,
) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(f"{line}\n" for line in lines)))
    argv = ["chat"] + (["--sender", sender] if sender else [])
    assert main(argv) == 0
    return capsys.readouterr().out


def test_each_run_is_a_new_conversation(
    aigo_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    first = chat(monkeypatch, capsys, "我要出題")
    assert "> 我要出題" in first
    second = chat(monkeypatch, capsys, "獎金多少")  # not swallowed by the first run's open form
    assert "入圍" in second and "獎" in second


def test_sender_continues_a_conversation(
    aigo_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    opened = chat(monkeypatch, capsys, "我要出題", sender="me")
    continued = chat(monkeypatch, capsys, "取消", sender="me")
    assert opened.splitlines()[0] == "> 我要出題"
    assert continued.splitlines()[0] == "> 取消"
    fresh = chat(monkeypatch, capsys, "取消", sender="someone-else")
    assert continued != fresh  # leaving a form vs. nothing to cancel


def test_piped_transcript_alternates_user_and_bot(
    aigo_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = chat(monkeypatch, capsys, "你好", "2")
    lines = out.splitlines()
    assert lines[0] == "> 你好"
    assert "> 2" in lines
    assert lines.index("> 2") > 1  # the greeting's reply sits between the two user lines
