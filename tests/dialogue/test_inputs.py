"""Pure input helpers: button payloads, language detection, blank messages."""

from __future__ import annotations

import pytest

from bot.dialogue.inputs import detect_language, is_blank, parse_payload


def test_payload_with_entities_is_parsed_without_nlu() -> None:
    parse = parse_payload('/ask_bonus{"award_tier": "excellent", "round": ["108-1", "108-2"]}')
    assert parse is not None
    assert parse["intent"] == {"name": "ask_bonus", "confidence": 1.0}
    assert [(e["entity"], e["value"]) for e in parse["entities"]] == [
        ("award_tier", "excellent"),
        ("round", "108-1"),
        ("round", "108-2"),
    ]


def test_bare_payload_and_non_payloads() -> None:
    assert parse_payload("/help")["intent"]["name"] == "help"  # type: ignore[index]
    assert parse_payload("/help{not json}") is None
    assert parse_payload("help") is None
    assert parse_payload("/ 不是") is None


def test_language_detection() -> None:
    assert detect_language("獎金多少") == "zh-TW"
    assert detect_language("How much is the prize?") == "en"
    assert detect_language("ok 好") == "zh-TW"
    assert detect_language("0912-345-678") is None
    assert detect_language("a@b.co") is None
    assert detect_language("🙂🙂") is None


@pytest.mark.parametrize(
    "text",
    [
        "asdfghjkl",
        "asdf qwer",
        "😀😀",
        "12345",
        "K7PQ-M2XR",
        "alice@example.com",
        "AI",
        "OK",
        "AI OK",
        "hello",
        "Thanks!",
        "https://aigo.org.tw/x",
        "lol",
    ],
)
def test_no_clear_language_keeps_the_current_one(text: str) -> None:
    assert detect_language(text) is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("demo day 在哪裡", "zh-TW"),
        ("AI 組可以參加嗎", "zh-TW"),
        ("OK 謝謝", "zh-TW"),
        ("hello there", "en"),
        ("When is the deadline", "en"),
        ("I'm 19, can I join?", "en"),
        ("what is AIGO", "en"),
        ("my email is bob@example.com thanks", "en"),
    ],
)
def test_cjk_or_two_real_english_words_decide(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_blank_messages() -> None:
    assert is_blank("")
    assert is_blank("   \n")
    assert is_blank("🙂👍!!")
    assert not is_blank("1")
    assert not is_blank("嗨")


@pytest.mark.parametrize("text", ["deadlin when", "prize mony", "how do i regstr"])
def test_a_typo_next_to_an_english_word_is_english(text: str) -> None:
    assert detect_language(text) == "en"
