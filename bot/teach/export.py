"""Labelled messages as Rasa NLU training data (``version: "3.1"``, ``nlu:`` intent examples with
``[text](entity)`` annotations). ``ignore`` labels are left out; ``out_of_scope`` is an intent."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from db.reviews import IGNORE

FILE_NAME = "reviewed.yml"
HEADER = "# Missed messages labelled by organisers in the console (aigo nlu export-reviewed).\n"


def annotate(text: str, entities: Sequence[dict[str, Any]]) -> str:
    """``text`` with Rasa annotations ``[surface](entity)`` (overlapping or bad spans skipped)."""
    out, cursor = [], 0
    for ent in sorted(entities, key=lambda e: int(e.get("start", 0))):
        start, end = int(ent.get("start", -1)), int(ent.get("end", -1))
        if start < cursor or not 0 <= start < end <= len(text):
            continue
        out += [text[cursor:start], f"[{text[start:end]}]({ent['entity']})"]
        cursor = end
    return "".join([*out, text[cursor:]])


def to_yaml(rows: Sequence[tuple[str, str, Sequence[dict[str, Any]]]]) -> str:
    """``(text, label, entities)`` rows as one Rasa NLU YAML document."""
    by_intent: dict[str, list[str]] = defaultdict(list)
    for text, label, entities in rows:
        if label != IGNORE:
            by_intent[label].append(annotate(" ".join(text.split()), entities))
    lines = [HEADER.rstrip("\n"), 'version: "3.1"', "nlu:"]
    for intent, examples in sorted(by_intent.items()):
        lines += [f"- intent: {intent}", "  examples: |", *(f"    - {ex}" for ex in examples)]
    document = "\n".join(lines) + "\n"
    yaml.load(
        document, Loader=yaml.CSafeLoader
    )  # fails here, not in training, if a text broke the YAML
    return document


def write(rows: Sequence[tuple[str, str, Sequence[dict[str, Any]]]], data_dir: Path) -> Path:
    """Write ``reviewed.yml`` into ``data_dir`` (replacing it); return its path."""
    path = data_dir / FILE_NAME
    tmp = path.with_suffix(".tmp")
    tmp.write_text(to_yaml(rows), encoding="utf-8")
    tmp.replace(path)
    return path
