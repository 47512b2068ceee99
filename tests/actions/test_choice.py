"""Typed answers to offered buttons (``actions.confirm.choice``, QA #26)."""

from __future__ import annotations

from actions.confirm.choice import CHOICE_SLOT, offered, pick

BUTTONS = [
    {"title": "王大同", "payload": '/transfer_leadership{"member": "2"}'},
    {"title": "陳小美", "payload": '/transfer_leadership{"member": "3"}'},
    {"title": "Mei Lin", "payload": '/transfer_leadership{"member": "4"}'},
]


def test_a_typed_name_part_or_number_picks_one() -> None:
    event = offered(BUTTONS)
    assert event["name"] == CHOICE_SLOT
    waiting = event["value"]
    assert pick(waiting, "小美") == BUTTONS[1]["payload"]
    assert pick(waiting, "给陈小美吧") == BUTTONS[1]["payload"]  # Simplified, inside a sentence
    assert pick(waiting, "王大同") == BUTTONS[0]["payload"]
    assert pick(waiting, "mei") == BUTTONS[2]["payload"]
    assert pick(waiting, "2") == BUTTONS[1]["payload"]
    assert pick(waiting, "第三個") == BUTTONS[2]["payload"]
    assert pick(waiting, "the first one") == BUTTONS[0]["payload"]


def test_anything_else_is_no_choice() -> None:
    waiting = offered(BUTTONS)["value"]
    for text in ("美", "4", "今天天氣如何", "是", "/help", ""):
        assert pick(waiting, text) is None, text
    assert pick(None, "小美") is None
    two = offered([{"title": "陳小美", "payload": "/a"}, {"title": "林小美", "payload": "/b"}])
    assert pick(two["value"], "小美") is None  # names both: ask again, don't guess
