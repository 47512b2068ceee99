"""The model: Rasa parse shape, fallback semantics, load_or_train, determinism."""

from __future__ import annotations

import os
import shutil
import time
from datetime import datetime
from pathlib import Path

import pytest

import nlu
from nlu import FALLBACK, NLUModel, load_or_train

INTENTS = [
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "help",
    "cancel",
    "ask_programme",
    "ask_eligibility",
    "ask_team_rules",
    "ask_application_process",
    "ask_bonus",
    "ask_schedule",
    "ask_training_subsidy",
    "ask_challenge_posting",
    "ask_contact",
    "post_challenge",
    "register_team",
    "join_team",
    "subscribe_reminders",
    "unsubscribe_reminders",
    "my_status",
    "out_of_scope",
]


def test_every_architecture_intent_is_trained(model: NLUModel) -> None:
    assert set(INTENTS) <= set(model.intents)


def test_parse_shape(model: NLUModel, now: datetime) -> None:
    result = model.parse("請問構想書幾號要交啊？", now)
    assert set(result) == {"text", "intent", "entities", "intent_ranking"}
    assert result["text"] == "請問構想書幾號要交啊？"
    assert result["intent"]["name"] == "ask_schedule"
    assert 0.3 <= result["intent"]["confidence"] <= 1.0
    ranking = result["intent_ranking"]
    assert len(ranking) == 10
    assert ranking[0] == result["intent"]
    confidences = [r["confidence"] for r in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert {"entity", "value", "start", "end", "extractor"} <= set(result["entities"][0])


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("獎今多少", "ask_bonus"),
        ("demo day 是哪天", "ask_schedule"),
        ("我19歲可以參加嗎", "ask_eligibility"),
        ("一個人可以報名嗎", "ask_team_rules"),
        ("外國人扣多少", "ask_bonus"),
        ("取消提醒", "unsubscribe_reminders"),
        ("算了", "cancel"),
        ("不是", "deny"),
        ("我要出題", "post_challenge"),
        ("最多可以出幾題?", "ask_challenge_posting"),
        ("邀請碼 K7PQ-M2XR", "join_team"),
        ("有課程補助嗎", "ask_training_subsidy"),
        ("今天天氣如何", "out_of_scope"),
        ("奖金多少", "ask_bonus"),
        ("我28歲，本國籍", "ask_eligibility"),
        ("how would a hospital post a challenge", "ask_challenge_posting"),
        ("可以同時報名幾隊", "ask_team_rules"),
        ("這樣啊", "affirm"),
        ("跳過", "deny"),
    ],
)
def test_known_messages(model: NLUModel, now: datetime, text: str, intent: str) -> None:
    assert model.parse(text, now)["intent"]["name"] == intent


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "😀😀😀", "？！…", "👍"])
def test_contentless_input_is_fallback_with_full_confidence(model: NLUModel, text: str) -> None:
    result = model.parse(text)
    assert result["intent"] == {"name": FALLBACK, "confidence": 1.0}
    assert result["entities"] == []


@pytest.mark.parametrize(
    "text", ["0912345678", "1234-5678", "12345", "a@b.com", "那第二梯呢", "English please", "都有"]
)
def test_data_only_messages_fall_back_with_their_entities(model: NLUModel, text: str) -> None:
    result = model.parse(text)
    assert result["intent"]["name"] == FALLBACK
    assert result["entities"] or text == "12345"


@pytest.mark.parametrize("text", ["88", "886", "881~"])
def test_a_chat_number_is_a_word_not_data(model: NLUModel, text: str) -> None:
    assert model.parse(text)["intent"]["name"] == "goodbye"  # 88 = 拜拜
    assert model.parse("88萬")["intent"]["name"] == FALLBACK  # an amount stays data


def test_invite_code_alone_is_join_team(model: NLUModel) -> None:
    assert model.parse("K7PQ-M2XR")["intent"]["name"] == "join_team"


def test_threshold_gives_rasa_fallback(model_file: Path, now: datetime) -> None:
    strict = NLUModel.load(model_file, threshold=0.999)
    result = strict.parse("好像有點想問一下那個", now)
    assert result["intent"] == {"name": FALLBACK, "confidence": 0.999}
    assert result["intent_ranking"][0] == result["intent"]
    assert result["intent_ranking"][1]["name"] != FALLBACK
    assert len(result["intent_ranking"]) == 10


def test_load_or_train_trains_when_missing_and_when_data_is_newer(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(nlu.DATA_DIR / "conversation.yml", data / "conversation.yml")
    path = tmp_path / "model.json.gz"
    first = load_or_train(path, data)
    assert path.exists()
    assert sorted(first.intents)[0] == "affirm"
    mtime = path.stat().st_mtime
    again = load_or_train(path, data)  # up to date: loaded, not retrained
    assert path.stat().st_mtime == mtime
    assert again.parse("謝謝")["intent"]["name"] == "thank"
    later = time.time() + 5
    with (data / "conversation.yml").open("a", encoding="utf-8") as f:
        f.write("\n- intent: thank\n  examples: |\n    - 謝謝你的耐心說明\n")
    os.utime(data / "conversation.yml", (later, later))
    load_or_train(path, data)
    assert path.stat().st_mtime > mtime


def test_training_is_deterministic(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(nlu.DATA_DIR / "conversation.yml", data / "conversation.yml")
    nlu.train(data).save(tmp_path / "a.json.gz")
    nlu.train(data).save(tmp_path / "b.json.gz")
    assert (tmp_path / "a.json.gz").read_bytes() == (tmp_path / "b.json.gz").read_bytes()


def test_corrupt_model_file_is_retrained(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(nlu.DATA_DIR / "conversation.yml", data / "conversation.yml")
    path = tmp_path / "model.json.gz"
    path.write_bytes(b"not a model")
    later = time.time() + 5
    os.utime(path, (later, later))
    assert load_or_train(path, data).parse("掰掰")["intent"]["name"] == "goodbye"


def test_a_greeting_in_front_of_a_question_is_the_question(model: NLUModel) -> None:
    assert model.parse("hi, can foreigners join?")["intent"]["name"] == "ask_eligibility"
    parsed = model.parse("你好 請問108-2構想什麼時候截止")
    assert parsed["intent"]["name"] == "ask_schedule"
    assert parsed["text"] == "你好 請問108-2構想什麼時候截止"
    found = {e["entity"]: e for e in parsed["entities"]}
    assert parsed["text"][found["round"]["start"] : found["round"]["end"]] == "108-2"
    for greeting in (
        "嗨 AIGO小幫手",
        "hi bot",
        "你好",
        "大家好",
        "hi there",
        "hey everyone",
        "嗨 大家",
    ):
        assert model.parse(greeting)["intent"]["name"] == "greet", greeting
