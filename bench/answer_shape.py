"""Answer shape: for each question of ``bench/answer_questions.yml``, the reply's length and
whether its first sentence answers the question (issue 11).

Each question runs in a fresh conversation on a temporary SQLite database, in-process, with the
clock frozen at its ``now`` (the earlier ``before`` turns first). Prints one row per question:
lines, characters, direct (first sentence matches ``answer``) and the first sentence.

    python bench/answer_shape.py [--output after.json] [--compare before.json]

``--compare`` adds the lines/characters/direct of an earlier run (e.g. on the previous commit:
``PYTHONPATH=<old checkout> python bench/answer_shape.py --output before.json``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from bot.config import Settings
from bot.dialogue import UserMessage
from bot.services import build_services

QUESTIONS = Path(__file__).with_name("answer_questions.yml")
DEFAULT_NOW = "2019-05-20T10:00:00+08:00"
_SENTENCE_END = re.compile(r"(?<=[。！？!?])|(?<=\.)\s|\n")


def first_sentence(text: str) -> str:
    """The reply's first sentence (up to 。！？ or a full stop and a space, or the first line)."""
    for part in _SENTENCE_END.split(text.strip()):
        if part and part.strip():
            return part.strip()
    return ""


def reply_text(replies: list[dict[str, Any]]) -> str:
    """The text a user reads: every text reply, one after another."""
    return "\n".join(str(r["text"]) for r in replies if r.get("text"))


async def ask(settings: Settings, item: dict[str, Any], index: int) -> dict[str, Any]:
    """Run one question (and its ``before`` turns) and measure the last reply."""
    now = datetime.fromisoformat(str(item.get("now") or DEFAULT_NOW))
    services = build_services(replace(settings, now=now), migrate=False)
    try:
        replies: list[dict[str, Any]] = []
        for text in [*item.get("before", []), item["ask"]]:
            message = UserMessage(f"rest:q{index}", str(text), "rest", {})
            replies = await services.engine.handle(message)
    finally:
        services.close()
    text = reply_text(replies)
    first = first_sentence(text)
    return {
        "ask": item["ask"],
        "lines": len([line for line in text.splitlines() if line.strip()]),
        "chars": len(text),
        "direct": bool(re.search(str(item["answer"]), first)),
        "first": first,
    }


async def measure(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Measure every question on one temporary database."""
    from db.session import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(Settings(), database_url=f"sqlite:///{tmp}/bench.db", data_dir=Path(tmp))
        upgrade(settings.database_url)
        return [await ask(settings, item, i) for i, item in enumerate(questions)]


def table(rows: list[dict[str, Any]], before: dict[str, dict[str, Any]]) -> str:
    """A Markdown table of the rows (with the earlier run's figures when given)."""
    out = ["| # | question | lines before→after | chars before→after | direct before→after |"]
    out.append("|---|---|---|---|---|")
    for n, row in enumerate(rows, 1):
        old = before.get(row["ask"], {})
        yes = {True: "yes", False: "no", None: "-"}
        out.append(
            f"| {n} | {row['ask']} | {old.get('lines', '-')}→{row['lines']} | "
            f"{old.get('chars', '-')}→{row['chars']} | "
            f"{yes[old.get('direct')]}→{yes[row['direct']]} |"
        )
    direct = sum(r["direct"] for r in rows)
    was = sum(bool(v.get("direct")) for v in before.values())
    lines = sorted(r["lines"] for r in rows)
    out.append(f"\n{len(rows)} questions; direct first sentence: {was} before, {direct} after; ")
    out[-1] += f"median lines after {lines[len(lines) // 2]}, max {lines[-1]}"
    return "\n".join(out)


def main() -> int:
    """Parse arguments, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, help="write the rows as JSON")
    parser.add_argument("--compare", type=Path, help="an earlier --output to compare with")
    args = parser.parse_args()
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    rows = asyncio.run(measure(questions))
    if args.output:
        args.output.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    before = {}
    if args.compare:  # "direct" is judged again with today's patterns, on the stored sentence
        answers = {str(q["ask"]): str(q["answer"]) for q in questions}
        for row in json.loads(args.compare.read_text(encoding="utf-8")):
            pattern = answers.get(row["ask"])
            row["direct"] = bool(pattern and re.search(pattern, row["first"]))
            before[row["ask"]] = row
    sys.stdout.write(table(rows, before) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
