"""The plan for both 2019 rounds against a hand-checked table; approximate dates; quiet hours."""

from __future__ import annotations

from typing import Any

import yaml

import knowledge
from bot.reminders.outbox import deliver_at
from bot.reminders.planner import plan
from knowledge import Programme
from tests.reminders.conftest import at

# Hand-checked from the seed: 108-1 構想收件截止 5月31日 12:00, 構想審查會 6月19-20日 (→ sign by
# 7月20日), 說明會 3月21-25日, 輪桌 5月2-3日, 成果發表會 11月5-6日; 108-2 構想截止 7月15日 12:00,
# 審查 7月25日 (→ 8月25日), 說明會/輪桌 6月13日. 實證收件 10月下旬*/11月中旬* and 108-2 成果發表
# 11月下旬 are approximate: no reminders.
EXPECTED = """
108-1:info_session:D-1        2019-03-20 10:00
108-1:roundtable:D-1          2019-05-01 10:00
108-1:idea_deadline:T-7d      2019-05-24 10:00
108-1:idea_deadline:T-3d      2019-05-28 10:00
108-1:idea_deadline:nudge     2019-05-28 10:00
108-1:idea_deadline:T-1d      2019-05-30 10:00
108-1:idea_deadline:T-3h      2019-05-31 09:00
108-2:info_session:D-1        2019-06-12 10:00
108-2:roundtable:D-1          2019-06-12 10:00
108-1:idea_review:D-1         2019-06-18 10:00
108-2:idea_deadline:T-7d      2019-07-08 10:00
108-2:idea_deadline:T-3d      2019-07-12 10:00
108-2:idea_deadline:nudge     2019-07-12 10:00
108-1:contract_signing:T-7d   2019-07-13 10:00
108-2:idea_deadline:T-1d      2019-07-14 10:00
108-2:idea_deadline:T-3h      2019-07-15 09:00
108-1:contract_signing:T-3d   2019-07-17 10:00
108-1:contract_signing:T-1d   2019-07-19 10:00
108-2:idea_review:D-1         2019-07-24 10:00
108-2:contract_signing:T-7d   2019-08-18 10:00
108-2:contract_signing:T-3d   2019-08-22 10:00
108-2:contract_signing:T-1d   2019-08-24 10:00
108-1:final_review:D-1        2019-11-04 10:00
"""


def _table() -> list[tuple[str, str]]:
    rows = []
    for line in EXPECTED.strip().splitlines():
        key, day, hour = line.split()
        rows.append((key, f"{day} {hour}"))
    return rows


def test_plan_for_both_rounds_matches_the_hand_checked_table(programme: Programme) -> None:
    got = [(r.key, r.fire_at.strftime("%Y-%m-%d %H:%M")) for r in plan(programme)]
    assert got == _table()


def test_due_times_and_round_filter(programme: Programme) -> None:
    by_key = {r.key: r for r in plan(programme, "108-2")}
    assert all(k.startswith("108-2:") for k in by_key)
    assert by_key["108-2:idea_deadline:T-3h"].due_at == at("2019-07-15 12:00")
    assert by_key["108-2:contract_signing:T-1d"].due_at == at("2019-08-25 23:59:59")
    assert by_key["108-2:info_session:D-1"].due_at == at("2019-06-13 00:00")
    assert not any("poc_deadline" in k or "final_review" in k for k in by_key)


def _with(changes: dict[str, Any]) -> Programme:
    data = yaml.safe_load(knowledge.DEFAULT_PATH.read_text(encoding="utf-8"))
    for milestone in data["schedule"]["milestones"]:
        milestone["dates"].update(changes.get(milestone["id"], {}))
    return knowledge.parse(data)


def test_approximate_date_gets_reminders_once_fixed() -> None:
    fixed = _with(
        {"poc_deadline": {"108-1": {"kind": "day", "month": 10, "day": 25, "time": "12:00",
                                    "as_stated": "10月25日"}}}
    )  # fmt: skip
    keys = {r.key: r.fire_at for r in plan(fixed, "108-1")}
    assert keys["108-1:poc_deadline:T-7d"] == at("2019-10-18 10:00")
    assert keys["108-1:poc_deadline:T-3h"] == at("2019-10-25 09:00")
    assert not any(k.startswith("108-2:poc") for k in keys)


def test_quiet_hours() -> None:
    # Inside quiet hours the message waits for 08:00 ...
    assert deliver_at(at("2019-07-14 23:00"), at("2019-07-15 12:00"), True) == at(
        "2019-07-15 08:00"
    )
    assert deliver_at(at("2019-07-15 01:00"), None, True) == at("2019-07-15 08:00")
    # ... unless the deadline comes first, the user has no quiet hours, or it is daytime.
    assert deliver_at(at("2019-07-14 23:00"), at("2019-07-15 06:00"), True) == at(
        "2019-07-14 23:00"
    )
    assert deliver_at(at("2019-07-14 23:00"), None, False) == at("2019-07-14 23:00")
    assert deliver_at(at("2019-07-14 10:00"), None, True) == at("2019-07-14 10:00")
    assert deliver_at(at("2019-07-14 08:00"), None, True) == at("2019-07-14 08:00")
    assert deliver_at(at("2019-07-14 22:00"), None, True) == at("2019-07-15 08:00")
