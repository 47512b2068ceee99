"""Read Rasa 3 NLU YAML (``version: "3.1"``; ``nlu:`` items ``intent``/``synonym``/``lookup``/
``regex``, each with an ``examples`` block of ``- `` lines).

Entity annotations use Rasa's syntax: ``[text](entity)`` and
``[text]{"entity": "name", "value": "canonical"}``; :func:`parse_example` strips them and returns
the plain text with the annotated spans. A malformed file raises :class:`TrainingDataError`
naming it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nlu.normalize import to_traditional

__all__ = [
    "Annotation",
    "Example",
    "TrainingData",
    "TrainingDataError",
    "load_training_data",
    "parse_example",
    "same_text_key",
]

_ANNOTATION = re.compile(r"\[(?P<text>[^\[\]]+)\](?:\((?P<name>[^)]+)\)|(?P<json>\{[^{}]*\}))")
_ALLOWED_KEYS = {"version", "nlu"}
_ITEM_KINDS = ("intent", "synonym", "lookup", "regex")


class TrainingDataError(ValueError):
    """A training data file is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class Annotation:
    """An annotated entity: ``text[start:end]`` of the plain example, with its value."""

    entity: str
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class Example:
    """One training example: plain text, its intent and its entity annotations."""

    text: str
    intent: str
    entities: tuple[Annotation, ...] = ()


@dataclass
class TrainingData:
    """Everything read from the data files."""

    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, str] = field(default_factory=dict)  # element text → canonical value
    lookups: dict[str, list[str]] = field(default_factory=dict)  # entity → elements
    regexes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def intents(self) -> list[str]:
        """The intent names, sorted."""
        return sorted({e.intent for e in self.examples})


def parse_example(line: str, intent: str = "") -> Example:
    """Strip Rasa entity annotations from ``line``; return the plain example and its spans."""
    parts: list[str] = []
    entities: list[Annotation] = []
    pos = 0
    length = 0
    for match in _ANNOTATION.finditer(line):
        before = line[pos : match.start()]
        parts.append(before)
        length += len(before)
        text = match.group("text")
        if match.group("json"):
            spec = json.loads(match.group("json"))
            name, value = str(spec["entity"]), str(spec.get("value", text))
        else:
            name, value = match.group("name"), text
        entities.append(Annotation(name, value, length, length + len(text)))
        parts.append(text)
        length += len(text)
        pos = match.end()
    parts.append(line[pos:])
    return Example("".join(parts), intent, tuple(entities))


def _lines(block: Any, where: str) -> list[str]:
    if not isinstance(block, str):
        raise TrainingDataError(f"{where}: 'examples' must be a block of '- ' lines")
    out = []
    for raw in block.splitlines():
        raw = raw.strip()
        if not raw:
            continue
        if not raw.startswith("- "):
            raise TrainingDataError(f"{where}: example line {raw!r} does not start with '- '")
        out.append(raw[2:].strip())
    return out


def _read_file(path: Path, data: TrainingData) -> None:
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise TrainingDataError(f"{path}: cannot read YAML: {exc}") from exc
    if not isinstance(doc, dict) or set(doc) - _ALLOWED_KEYS or str(doc.get("version")) != "3.1":
        raise TrainingDataError(f"{path}: expected keys 'version: \"3.1\"' and 'nlu'")
    for item in doc.get("nlu") or []:
        kinds = [k for k in _ITEM_KINDS if isinstance(item, dict) and k in item]
        if len(kinds) != 1 or set(item) != {kinds[0], "examples"}:
            raise TrainingDataError(f"{path}: bad nlu item {item!r}")
        kind, name = kinds[0], str(item[kinds[0]])
        lines = _lines(item["examples"], f"{path} ({kind}: {name})")
        if kind == "intent":
            data.examples.extend(parse_example(line, name) for line in lines)
        elif kind == "synonym":
            data.synonyms.update({line: name for line in lines})
        elif kind == "lookup":
            data.lookups.setdefault(name, []).extend(lines)
        else:
            data.regexes.setdefault(name, []).extend(lines)


def load_training_data(source: Path) -> TrainingData:
    """Read one YAML file, or every ``*.yml`` in a directory (sorted, so the order is stable)."""
    files = sorted(source.glob("*.yml")) if source.is_dir() else [source]
    if not files:
        raise TrainingDataError(f"{source}: no *.yml training data files")
    data = TrainingData()
    for path in files:
        _read_file(path, data)
    return data


def same_text_key(text: str) -> str:
    """The key under which two examples count as the same text (a blind line "in the training
    data"): the plain text, Simplified → Traditional, stripped."""
    return to_traditional(text).strip()
