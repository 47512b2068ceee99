"""Whose facts a question states and what the NLU leaves in the words (answers._profile)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from actions.answers._profile import previous_slots, read

MAY_20 = datetime.fromisoformat("2019-05-20T10:00:00+08:00")


def _entity(text: str, name: str, value: Any, word: str) -> dict[str, Any]:
    start = text.index(word)
    return {"entity": name, "value": value, "start": start, "end": start + len(word)}


@pytest.mark.parametrize(
    ("text", "entities", "kind", "who"),
    [
        (
            "我22歲台灣人可以參加嗎",
            [("age", 22, "22歲"), ("nationality", "ROC", "台灣人")],
            "own",
            None,
        ),
        ("那我朋友19歲呢", [("age", 19, "19歲")], "other", "朋友"),
        ("那我同学19岁呢", [("age", 19, "19岁")], "other", "同學"),
        ("my friend is 19, can she join?", [], "other", "friend"),
        ("外國人可以參加嗎", [("nationality", "foreign", "外國人")], "general", None),
        ("外國人可以加入我們隊嗎", [("nationality", "foreign", "外國人")], "general", None),
        ("告訴我外國人可以參加嗎", [("nationality", "foreign", "外國人")], "general", None),
        ("我想找外國人組隊可以嗎", [("nationality", "foreign", "外國人")], "general", None),
        ("我們隊有日本人可以嗎", [("nationality", "foreign", "日本人")], "general", None),
        ("外國朋有可以加入我們隊嗎", [("nationality", "foreign", "外國")], "other", "外國朋有"),
        ("那我日本同學呢", [], "other", "日本同學"),
        ("他們可以當隊員嗎", [], "other", "他們"),
        ("I'm 22 and from Japan", [("age", 22, "22")], "own", None),
        ("我是僑生可以參加嗎", [("nationality", "foreign", "僑生")], "own", None),
    ],
)
def test_whose_facts(
    text: str, entities: list[tuple[str, Any, str]], kind: str, who: str | None
) -> None:
    found = read(text, [_entity(text, n, v, w) for n, v, w in entities], MAY_20)
    assert (found.subject.kind, found.subject.who) == (kind, who)


@pytest.mark.parametrize(
    ("text", "ages", "age"),
    [
        ("我2000年6月生的可以嗎", (18,), 18),  # June is after 20 May: not 19 yet
        ("我2000/06/15出生", (18,), 18),
        ("民國89年3月2日生", (19,), 19),
        ("I was born in June 2000, can I join?", (18,), 18),
        ("born 15 July 1999 can i join", (19,), 19),
        ("我1999年生的", (19, 20), None),  # the birthday decides: asked back
        ("我是88年次的 可以參加嗎", (19, 20), None),
        ("我1999年5月生", (19, 20), None),  # this month, day unknown
    ],
)
def test_birth_dates_give_the_age_on_the_day(
    text: str, ages: tuple[int, ...], age: int | None
) -> None:
    found = read(text, [], MAY_20)
    assert found.birth is not None and found.birth.ages == ages
    assert found.facts.get("age") == age
    assert found.own


def test_an_age_about_to_change_is_the_age_now() -> None:
    assert read("我明年就20了 現在可以先報嗎", [], MAY_20).facts == {"age": 19}
    soon = read(
        "我下個月就滿20歲了", [{"entity": "age", "value": 20, "start": 6, "end": 9}], MAY_20
    )
    assert soon.facts == {"age": 19} and soon.turning == 20
    assert read("I'll be 20 next year, can I apply now?", [], MAY_20).facts == {"age": 19}


def test_twenty_but_no_birthday_yet_is_no_age() -> None:
    for text in (
        "我20歲了但還沒生日",
        "我今年20歲 還沒過生日",
        "I'm 20 but haven't had my birthday",
    ):
        found = read(text, [{"entity": "age", "value": 20, "start": 0, "end": 0}], MAY_20)
        assert found.birthday_unclear and "age" not in found.facts, text


def test_previous_slots_are_the_values_before_the_latest_message() -> None:
    events = [
        {"event": "user", "text": "我22歲"},
        {"event": "slot", "name": "age", "value": 22},
        {"event": "user", "text": "那我朋友19歲呢"},
        {"event": "slot", "name": "age", "value": 19},
    ]
    assert previous_slots(events, ["age", "nationality"]) == {"age": 22, "nationality": None}
    assert previous_slots([{"event": "restart"}, *events[2:]], ["age"]) == {"age": None}
