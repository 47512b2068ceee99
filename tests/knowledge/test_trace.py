"""Trace every figure, date and quoted example in programme.yml to the seed document.

Each mapping in the YAML that holds numbers carries one or more seed quotes (``source`` or
``*_source``). The test checks (1) each quote occurs in the seed and (2) each number of that
mapping (and of nested mappings without their own quotes) is spelled in one of its quotes.
Texts are compared after NFKC normalisation (the seed uses Kangxi radicals such as ⼀ for 一) with
all whitespace removed. The seed is kept in the repository (``knowledge/source/programme_2019.txt``,
so CI always checks); where the shared original lies beside the repository, the copy must equal it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge import DEFAULT_PATH

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "knowledge" / "source" / "programme_2019.txt"
SHARED_SEEDS = sorted((REPO.parent / "shared" / "seed").glob("*.txt"))
_EXTRA = str.maketrans({"⻑": "長", "⺠": "民"})
_ZH_DIGITS = {1: "一", 2: "二", 3: "三"}
_NOT_FIGURES = {"version"}


def norm(text: str) -> str:
    """NFKC, radical look-alikes folded, whitespace removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(_EXTRA))


@pytest.fixture(scope="module")
def seed() -> str:
    return norm(SEED.read_text(encoding="utf-8"))


def test_the_kept_seed_is_the_shared_original() -> None:
    if not SHARED_SEEDS:
        pytest.skip(f"no shared original beside the repository ({REPO.parent / 'shared'})")
    assert SEED.read_bytes() == SHARED_SEEDS[0].read_bytes()


RAW: dict[str, Any] = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def spellings(value: int | float) -> list[str]:
    """The ways the seed may write ``value``."""
    if isinstance(value, float):
        return [f"{value:g}"]
    out = [str(value), f"{value:,}"]
    if value and value % 10000 == 0:
        man = value // 10000
        out += [f"{man}萬", f"{man:,}萬", f"{man}~", f"~{man}萬"]
    if value in _ZH_DIGITS:
        out.append(_ZH_DIGITS[value])
    return out


def occurs(value: int | float, quote: str) -> bool:
    for spelled in spellings(value):
        tail = r"(?![\d])" if spelled[-1].isdigit() else ""
        if re.search(rf"(?<![\d.,]){re.escape(norm(spelled))}{tail}", quote):
            return True
    return False


def walk(node: Any, path: str, quotes: list[str]) -> Iterator[tuple[str, Any, list[str]]]:
    """Yield (path, number, governing quotes) for every number, and quotes to check."""
    if isinstance(node, dict):
        own = [v for k, v in node.items() if k == "source" or str(k).endswith("_source")]
        here = own or quotes
        for key, value in node.items():
            if key in _NOT_FIGURES:
                continue
            yield from walk(value, f"{path}.{key}", here)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from walk(item, f"{path}[{index}]", quotes)
    elif isinstance(node, int | float) and not isinstance(node, bool):
        yield path, node, quotes


def all_quotes(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Yield (path, text) for every quote and every ``as_stated``/``example`` text."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if isinstance(value, str) and (
                key in ("source", "as_stated", "example") or str(key).endswith("_source")
            ):
                yield here, value
            else:
                yield from all_quotes(value, here)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from all_quotes(item, f"{path}[{index}]")


FIGURES = list(walk(RAW, "", []))
QUOTES = list(all_quotes(RAW))


def test_there_are_many_figures_and_quotes() -> None:
    assert len(FIGURES) >= 75
    assert len(QUOTES) > 100


@pytest.mark.parametrize(("path", "text"), QUOTES, ids=[p for p, _ in QUOTES])
def test_quote_occurs_in_seed(seed: str, path: str, text: str) -> None:
    assert norm(text) in seed, f"{path}: {text!r} is not in the seed"


@pytest.mark.parametrize(("path", "value", "quotes"), FIGURES, ids=[p for p, _, _ in FIGURES])
def test_figure_occurs_in_its_quote(path: str, value: float, quotes: list[str]) -> None:
    assert quotes, f"{path}: {value} has no source quote"
    assert any(occurs(value, norm(q)) for q in quotes), f"{path}: {value} not in {quotes}"


def test_past_industry_examples_in_seed(seed: str) -> None:
    for industry in RAW["previous_edition"]["industries"]:
        assert norm(industry["name"]["zh-TW"]) in seed
        for example in industry["examples"]["zh-TW"]:
            assert norm(example) in seed, example


def test_contacts_in_seed(seed: str) -> None:
    contacts = RAW["contacts"]
    for key in ("email", "phone", "website"):
        assert norm(contacts[key]) in norm(contacts[f"{key}_source"])
    assert norm(contacts["phone"] + "轉" + contacts["phone_extension"]) in seed
    assert norm(contacts["facebook"]) in seed


def test_noon_cutoffs_and_tentative_marks(seed: str) -> None:
    """The seed marks 12p.m.截止 four times: both rounds' idea and proof deadlines."""
    assert seed.count(norm("12p.m.截止")) == 4
    timed, starred = set(), set()
    for milestone in RAW["schedule"]["milestones"]:
        for round_id, spec in milestone["dates"].items():
            if "time" in spec:
                assert spec["time"] == "12:00"
                timed.add((round_id, milestone["id"]))
            if spec.get("tentative"):
                assert spec["as_stated"].endswith("*")
                starred.add((round_id, milestone["id"]))
            else:
                assert "*" not in spec["as_stated"]
    both = {(r, m) for r in ("108-1", "108-2") for m in ("idea_deadline", "poc_deadline")}
    assert timed == both
    assert starred == {("108-1", "poc_deadline"), ("108-2", "poc_deadline")}


def test_every_schedule_row_is_encoded(seed: str) -> None:
    """Each row of the seed's table (name + both rounds' dates) is one milestone's source."""
    rows = [m["source"] for m in RAW["schedule"]["milestones"]]
    assert len(rows) == 10
    for milestone in RAW["schedule"]["milestones"]:
        row = norm(milestone["source"])
        assert row.startswith(norm(milestone["name"]["zh-TW"]))
        dates = [norm(milestone["dates"][r]["as_stated"]) for r in ("108-1", "108-2")]
        assert row == norm(milestone["name"]["zh-TW"]) + dates[0] + dates[1]
