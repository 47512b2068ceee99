"""Loading the bundled file, and precise errors for malformed ones."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

import knowledge
from knowledge import DEFAULT_PATH, KnowledgeError

RAW: dict[str, Any] = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
CONTRACT_MILESTONES = [
    "challenge_listing", "info_session", "matching_period", "roundtable", "idea_deadline",
    "idea_review", "contract_signing", "site_visit", "poc_deadline", "final_review",
]  # fmt: skip


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "bad.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def milestone_index(mid: str) -> int:
    return [m["id"] for m in RAW["schedule"]["milestones"]].index(mid)


def test_bundled_file_loads_and_is_cached() -> None:
    programme = knowledge.load()
    assert programme is knowledge.load()
    assert [m.id for m in programme.schedule.milestones] == CONTRACT_MILESTONES
    assert [r.id for r in programme.rounds] == ["108-1", "108-2"]
    assert programme.round("108-2").year == 2019
    assert programme.programme.organiser.name.zh_TW == "經濟部工業局"


def test_roc_years() -> None:
    assert knowledge.roc_to_gregorian(108) == 2019
    assert knowledge.gregorian_to_roc(2019) == 108


def test_wrong_type_names_file_key_and_problem(tmp_path: Path) -> None:
    data = copy.deepcopy(RAW)
    i = milestone_index("idea_deadline")
    data["schedule"]["milestones"][i]["dates"]["108-1"]["month"] = "May"
    path = write(tmp_path, data)
    with pytest.raises(KnowledgeError) as info:
        knowledge.load(path)
    err = info.value
    assert err.file == str(path)
    assert err.path == f"schedule.milestones[{i}].dates.108-1.month"
    assert "valid integer" in err.problem and "'May'" in err.problem
    assert str(err).startswith(f"{path}: schedule.milestones[{i}].dates.108-1.month: ")


def test_wrong_type_of_amount(tmp_path: Path) -> None:
    data = copy.deepcopy(RAW)
    data["prizes"]["stages"][0]["amount"] = "five"
    with pytest.raises(KnowledgeError, match=r"prizes\.stages\[0\]\.amount: .*integer"):
        knowledge.load(write(tmp_path, data))


def test_missing_milestone_date(tmp_path: Path) -> None:
    data = copy.deepcopy(RAW)
    i = milestone_index("site_visit")
    del data["schedule"]["milestones"][i]["dates"]["108-2"]
    with pytest.raises(KnowledgeError) as info:
        knowledge.load(write(tmp_path, data))
    assert info.value.path == f"schedule.milestones[{i}].dates.108-2"
    assert info.value.problem == "missing date of milestone 'site_visit' for round '108-2'"


def test_missing_day_of_a_date(tmp_path: Path) -> None:
    data = copy.deepcopy(RAW)
    i = milestone_index("idea_deadline")
    del data["schedule"]["milestones"][i]["dates"]["108-2"]["day"]
    with pytest.raises(KnowledgeError) as info:
        knowledge.load(write(tmp_path, data))
    assert info.value.path == f"schedule.milestones[{i}].dates.108-2.day"
    assert info.value.problem == "missing required key"


def test_unknown_round(tmp_path: Path) -> None:
    data = copy.deepcopy(RAW)
    i = milestone_index("roundtable")
    data["schedule"]["milestones"][i]["dates"]["108-3"] = {
        "kind": "day", "month": 12, "day": 1, "as_stated": "12月1日"
    }  # fmt: skip
    with pytest.raises(KnowledgeError) as info:
        knowledge.load(write(tmp_path, data))
    assert info.value.path == f"schedule.milestones[{i}].dates.108-3"
    assert info.value.problem == "unknown round '108-3' (known: 108-1, 108-2)"


def test_unknown_milestone_reference(tmp_path: Path) -> None:
    data = copy.deepcopy(RAW)
    i = milestone_index("contract_signing")
    data["schedule"]["milestones"][i]["dates"]["108-2"]["after"] = "idea_reveiw"
    with pytest.raises(KnowledgeError) as info:
        knowledge.load(write(tmp_path, data))
    assert info.value.path == f"schedule.milestones[{i}].dates.108-2.after"
    assert info.value.problem == "unknown milestone id 'idea_reveiw'"


def test_impossible_day(tmp_path: Path) -> None:
    data = copy.deepcopy(RAW)
    i = milestone_index("idea_review")
    data["schedule"]["milestones"][i]["dates"]["108-2"].update(month=2, day=30)
    with pytest.raises(KnowledgeError, match=rf"milestones\[{i}\]\.dates\.108-2: day is out of"):
        knowledge.load(write(tmp_path, data))


def test_unknown_date_kind_and_unknown_key(tmp_path: Path) -> None:
    data = copy.deepcopy(RAW)
    data["schedule"]["milestones"][0]["dates"]["108-1"]["kind"] = "week"
    with pytest.raises(KnowledgeError, match=r"dates\.108-1: .*kind"):
        knowledge.load(write(tmp_path, data))
    data = copy.deepcopy(RAW)
    data["contacts"]["fax"] = "02-0000"
    with pytest.raises(KnowledgeError, match=r"contacts\.fax: unknown key"):
        knowledge.load(write(tmp_path, data))


def test_prize_arithmetic_is_checked(tmp_path: Path) -> None:
    data = copy.deepcopy(RAW)
    data["prizes"]["max_per_team_per_challenge"] = 800000
    with pytest.raises(KnowledgeError, match="states 800000 but stages add up to at most 700000"):
        knowledge.load(write(tmp_path, data))


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="cannot read file"):
        knowledge.load(tmp_path / "nope.yml")
    bad = tmp_path / "broken.yml"
    bad.write_text("rounds: [\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"broken\.yml: line \d+, column \d+: invalid YAML"):
        knowledge.load(bad)
    bad.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="expected a mapping at the top, got list"):
        knowledge.load(bad)
