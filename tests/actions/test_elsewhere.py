"""Other competitions are out of scope (``actions.elsewhere``, QA #23)."""

from __future__ import annotations

import pytest

from actions.elsewhere import other_competition, takes_part

OTHERS = {
    "我想參加經濟部的智慧城市競賽": "智慧城市競賽",
    "我想参加经济部的智慧城市竞赛": "智慧城市競賽",  # Simplified
    "AI CUP 2019 怎麼報名": "AI CUP",
    "怎麼報名AI CUP": "AI CUP",
    "科技部的AI創新挑戰賽可以參加嗎": "AI創新挑戰賽",
    "Can I join the Kaggle competition?": "Kaggle competition",
    "smart city contest sign up": "smart city contest",
    "我想報名黑客松": "黑客松",
    "我想跟朋友參加智慧城市競賽": "智慧城市競賽",
    "還有其他比賽嗎": "其他比賽",
}
OURS = [
    "這個比賽什麼時候截止",
    "比賽獎金多少",
    "解題競賽在哪裡看題目",  # the programme document's own name for it
    "第一屆解題競賽成果",
    "經濟部的AI競賽怎麼報名",
    "我想參加AIGO競賽",
    "參加這個競賽需要什麼",
    "AIGO跟一般的黑客松有什麼不一樣",
    "跟一般黑客松有什麼不同",
    "when is this competition",
    "I want to join the AI competition",
    "我們這隊想參加比賽",
    "我要報名",
]


@pytest.mark.parametrize(("text", "name"), OTHERS.items())
def test_another_competition_is_named(text: str, name: str) -> None:
    assert other_competition(text) == name


@pytest.mark.parametrize("text", OURS)
def test_this_programme_is_not_another_competition(text: str) -> None:
    assert other_competition(text) is None


def test_taking_part() -> None:
    assert takes_part("AI CUP 怎麼報名") and takes_part("can I join it")
    assert not takes_part("AI CUP 戰隊")
