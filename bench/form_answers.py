"""Inside a form, is the asked field taken as the value? (issue 10, item 2)

For each reply in ``tests/data/form_replies.yml`` a fresh sender has a challenge draft filled up to
the field the reply is for; "我要出題" / "post a challenge" resumes it (the form asks that field)
and the reply is sent. The reply was *taken* when the draft's field is set afterwards.

Expected kinds: ``value`` (the draft's field is set), ``skip`` ("不知道" to an optional field: the
form moves on with the field skipped), and ``question`` / ``command`` / ``invalid`` (a question,
a bot command, an answer that does not fit the field: never stored). Prints how many of each were
taken, then the share of turns handled as expected. Runs in-process on a temporary SQLite
database with the bundled NLU (trained once into the temp dir).

    python bench/form_answers.py [--show-misses]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections import Counter
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions._forms import SKIPPED  # noqa: E402
from actions.challenge.store import FIELDS, load_draft_slots, save_draft_from_slots  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.dialogue.engine import UserMessage  # noqa: E402
from bot.services import Services, build_services  # noqa: E402
from db.users import get_or_create_user_for_sender  # noqa: E402

REPLIES = ROOT / "tests" / "data" / "form_replies.yml"
NOW = datetime.fromisoformat("2019-05-20T10:00:00+08:00")
# A valid answer for every field, used to fill the draft up to the asked one.
FILLER: dict[str, str] = {
    "org_name": "基準測試公司", "org_contact": "陳副總", "org_phone": "02-2345-6789",
    "org_email": "bench@example.com", "challenge_title": "瑕疵檢測",
    "challenge_description": "利用影像辨識判斷產品表面是否有瑕疵，減少人工檢查時間",
    "challenge_category": "影像辨識", "challenge_industry": "製造",
    "challenge_dataset_type": "影像",
    "challenge_data_readiness": "已備妥", "challenge_expected_outcome": "檢測時間降低30%",
    "challenge_resources": "GPU", "challenge_incentives": "實習", "challenge_presentation": "線上",
    "dataset_name": "瑕疵影像", "dataset_field_names": "檔名、標記", "dataset_encoding": "UTF-8",
    "dataset_file_type": "JPG", "dataset_volume": "900GB",
    "dataset_time_range": "2015-01-01/2018-12-31", "dataset_delivery_method": "雲端下載",
}  # fmt: skip


def cases(path: Path = REPLIES) -> list[dict[str, Any]]:
    """The replies of ``path`` (slot, reply, expect, lang)."""
    loaded: dict[str, list[dict[str, Any]]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded["replies"]


def prepare(services: Services, sender: str, slot: str) -> None:
    """Give ``sender`` a draft with every field before ``slot`` filled (none for the first)."""
    before = {s: FILLER[s] for s in FIELDS[: FIELDS.index(slot)]}
    if not before:
        return
    before["org_name"] += sender
    with services.session_factory.begin() as session:
        user = get_or_create_user_for_sender(session=session, sender_key=sender)
        save_draft_from_slots(session, user.id, before, NOW, None)


def taken(services: Services, sender: str, slot: str) -> bool:
    """True when the sender's draft has ``slot`` set."""
    with services.session_factory() as session:
        user = get_or_create_user_for_sender(session=session, sender_key=sender)
        return load_draft_slots(session, user.id).get(slot) not in (None, "")


async def skipped(services: Services, sender: str, slot: str) -> bool:
    """True when the sender's form holds ``slot`` as skipped."""
    value = await services.engine.update_state(sender, lambda state, _: state.slots.get(slot))
    return bool(value == SKIPPED)


async def run_case(services: Services, index: int, case: dict[str, Any]) -> str:
    """Send the reply at the asked field; ``taken`` / ``skipped`` / ``not_taken``."""
    sender = f"rest:bench-{index}"
    prepare(services, sender, case["slot"])
    start = "I want to post a challenge" if case.get("lang") == "en" else "我要出題"
    for text in (start, str(case["reply"])):
        await services.engine.handle(UserMessage(sender, text, "rest"))
    if taken(services, sender, case["slot"]):
        return "taken"
    return "skipped" if await skipped(services, sender, case["slot"]) else "not_taken"


RIGHT = {"value": "taken", "skip": "skipped"}  # every other kind: not_taken


async def measure(services: Services, show_misses: bool) -> Counter[str]:
    """Run every case; count ``<expect>:<outcome>`` and ``right``."""
    counts: Counter[str] = Counter()
    for index, case in enumerate(cases()):
        outcome = await run_case(services, index, case)
        expect = str(case["expect"])
        counts[f"{expect}:{outcome}"] += 1
        right = outcome == RIGHT.get(expect, "not_taken")
        counts["right"] += right
        if show_misses and not right:
            print(f"  miss: {case['slot']} {case['reply']!r} expected {expect}, was {outcome}")
    return counts


def report(counts: Counter[str]) -> None:
    """Print the shares."""
    kinds = sorted({key.split(":")[0] for key in counts if ":" in key})
    total = sum(v for k, v in counts.items() if ":" in k)
    for kind in kinds:
        mine = {k.split(":")[1]: v for k, v in counts.items() if k.startswith(kind + ":")}
        shown = ", ".join(f"{outcome} {n}" for outcome, n in sorted(mine.items()))
        print(f"{kind} ({sum(mine.values())}): {shown}")
    right = counts["right"]
    print(f"form turns handled as expected: {right}/{total} = {right / total:.1%}")


def main() -> None:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(
            Settings(), database_url=f"sqlite:///{tmp}/bench.db", now=NOW, data_dir=Path(tmp),
            nlu_model_path=Path(tmp) / "nlu.json.gz",
        )  # fmt: skip
        services = build_services(settings)
        try:
            report(asyncio.run(measure(services, args.show_misses)))
        finally:
            services.close()


if __name__ == "__main__":
    main()
