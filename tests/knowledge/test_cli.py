"""``aigo knowledge show`` and ``aigo knowledge check``."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from knowledge import DEFAULT_PATH


def test_show_all_rounds(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["knowledge", "show"]) == 0
    out = capsys.readouterr().out
    assert "108-1場" in out and "108-2場" in out
    assert "5月31日（五）中午12:00" in out and "10月下旬*" in out
    assert "各項作業程序將依計畫實際作業時間調整" in out


def test_show_one_round_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["knowledge", "show", "--round", "108-2", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Round 108-2 (2019)" in out and "Round 108-1" not in out
    assert "Mon 15 July, 12:00 noon" in out


def test_show_unknown_round(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["knowledge", "show", "--round", "108-9"]) == 1
    assert "unknown round '108-9' (known: 108-1, 108-2)" in capsys.readouterr().err


def test_check_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["knowledge", "check", str(DEFAULT_PATH)]) == 0
    assert capsys.readouterr().out.startswith("OK")


def test_check_reports_precise_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yml"
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    bad.write_text(text.replace("max_per_organisation: 3", "max_per_organisation: three"), "utf-8")
    assert main(["knowledge", "check", str(bad)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{bad}: challenge_posting.max_per_organisation: ")
    assert "'three'" in err
