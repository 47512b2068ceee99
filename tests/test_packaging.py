"""The wheel carries every data file, declares its metadata, and every import is a dependency."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "nlu", "actions", "knowledge", "db")
NOT_SHIPPED = {".py", ".pyc", ".md"}  # code is shipped as packages; READMEs are for developers


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (built,) = out.glob("aigo_assistant-*.whl")
    return zipfile.ZipFile(built)


def test_every_data_file_is_in_the_wheel(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    data = [
        p.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for p in (ROOT / package).rglob("*")
        if p.is_file() and p.suffix not in NOT_SHIPPED and "__pycache__" not in p.parts
    ]
    assert "bot/dialogue/english_words.txt" in data
    assert [f for f in data if f not in names] == []
    assert not [n for n in names if n.startswith("tests/")]


def test_metadata_license_urls_classifiers(wheel: zipfile.ZipFile) -> None:
    (meta_name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    meta = Parser().parsestr(wheel.read(meta_name).decode())
    assert meta["License-Expression"] == "MIT"
    assert any(n.endswith("licenses/LICENSE") for n in wheel.namelist())
    assert meta.get_all("Project-URL") and meta.get_all("Classifier")
    requires = meta.get_all("Requires-Dist") or []
    assert any(r.startswith("rasa-sdk") and "<4" in r for r in requires)


def test_every_import_is_declared() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / ".ci/check_dependencies.py")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "every import covered" in done.stdout


def test_version_and_help_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import build_parser, main

    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("aigo ")
    parsers = [build_parser()]
    seen = 0
    while parsers:
        parser = parsers.pop()
        seen += 1
        text = parser.format_help()
        assert parser.description and "example:\n  " in text and "aigo " in text, parser.prog
        for action in parser._actions:
            if action.choices and isinstance(action.choices, dict):
                parsers.extend(action.choices.values())
            elif action.option_strings and action.dest != "help":
                assert action.help, f"{parser.prog} {action.option_strings}"
    assert seen > 20
