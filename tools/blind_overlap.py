#!/usr/bin/env python3
"""Keep the held-out sets held out: find (and with ``--drop``, remove) training examples whose
normalised text equals an utterance of a held-out set (``tests/data/nlu_blind*.yml``, the probe
and holdout sets).

Usage::

    python tools/blind_overlap.py FILE.yml [FILE.yml ...] [--drop]

Texts are compared after stripping entity annotations and normalising as the model does (NFKC,
case, Simplified → Traditional, whitespace). Only counts are printed per held-out set, never the
matching text, so running it shows no one a held-out line. ``--drop`` rewrites each FILE
without the matching example lines (everything else in the file is kept byte for byte). Exit 1
when a match is left (without ``--drop``).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlu.training_data import load_training_data, parse_example  # noqa: E402
from nlu.training_data import same_text_key as key  # noqa: E402

HELD_OUT = ("nlu_blind*.yml", "nlu_probe.yml", "nlu_holdout.yml")
_EXAMPLE_LINE = re.compile(r"^\s*- (?P<text>.*\S)\s*$")


def blind_keys(folder: Path = ROOT / "tests" / "data") -> dict[str, set[str]]:
    """Held-out set file name → the keys of its utterances."""
    paths = sorted({p for pattern in HELD_OUT for p in folder.glob(pattern)})
    return {path.name: {key(e.text) for e in load_training_data(path).examples} for path in paths}


def _in_examples_block(lines: list[str]) -> list[bool]:
    """Which lines are example lines of an intent's ``examples: |`` block (not of a lookup,
    synonym or regex)."""
    out, inside, indent, intent = [], False, 0, False
    for line in lines:
        stripped = line.lstrip()
        if inside and stripped and len(line) - len(stripped) <= indent:
            inside = False
        out.append(inside and intent and bool(_EXAMPLE_LINE.match(line)))
        if not inside and stripped.startswith("- "):
            intent = stripped.startswith("- intent:")
        if stripped.startswith("examples:"):
            inside, indent = True, len(line) - len(stripped)
    return out


def check(path: Path, blind: dict[str, set[str]], drop: bool) -> int:
    """Print the overlap counts of one training file; return how many matches are left."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept: list[str] = []
    counts = dict.fromkeys(blind, 0)
    matched = 0
    for line, is_example in zip(lines, _in_examples_block(lines), strict=True):
        hit = False
        if is_example:
            m = _EXAMPLE_LINE.match(line)
            text = parse_example(m.group("text")).text if m else ""
            for name, keys in blind.items():
                if key(text) in keys:
                    counts[name] += 1
                    hit = True
        matched += hit
        if not (hit and drop):
            kept.append(line)
    found = sum(_in_examples_block(lines))
    loaded = len(load_training_data(path).examples)
    if found != loaded:  # the line reader must see exactly the loader's examples
        raise SystemExit(f"{path}: read {found} example lines, the loader {loaded}")
    summary = ", ".join(f"{name} {n}" for name, n in counts.items())
    print(f"{path}: {matched} example(s) equal a held-out line ({summary})")
    if drop and matched:
        path.write_text("".join(kept), encoding="utf-8")
        print(f"{path}: dropped {matched}")
        return 0
    return matched


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--drop", action="store_true", help="rewrite the files without them")
    args = parser.parse_args()
    blind = blind_keys()
    left = sum(check(path, blind, args.drop) for path in args.files)
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
