"""The misspelling and mainland-word tables (nlu/spelling.yml, nlu/mainland.yml): what they map,
that the mapping keeps lengths (so entity offsets found in the normalised text hold), and that a
message written with them parses like the one meant."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nlu import NLUModel
from nlu.features import (
    MAINLAND_PATH,
    SPELLING_PATH,
    Resources,
    features,
    fix_spelling,
    load_lexicon,
    load_spelling,
)
from nlu.model import DATA_DIR
from nlu.normalize import normalize, to_traditional
from nlu.training_data import load_training_data


def _raw(path: Path) -> dict[str, str]:
    return {str(k): str(v) for k, v in yaml.safe_load(path.read_text(encoding="utf-8")).items()}


@pytest.mark.parametrize("path", [SPELLING_PATH, MAINLAND_PATH])
def test_every_pair_is_kept_with_the_same_length(path: Path) -> None:
    raw = _raw(path)
    spelling = load_spelling()
    for key, word in raw.items():
        assert len(key) == len(word), key
        assert len(key) >= 2 or key == "奬", key  # words, never single characters (奬: a variant)
        assert to_traditional(key) == key, key  # written as normalize() leaves the message
        assert spelling[key] == word


def test_no_mainland_key_is_how_the_training_data_writes_a_word() -> None:
    # A key written so in the training data (not produced from Simplified by normalize) would be
    # an ordinary Taiwan word there, not a mainland one: 登錄題目, 項目, 文件 are not listed.
    texts = [e.text.lower() for e in load_training_data(DATA_DIR).examples]
    # same meaning in Taiwan (mapped to the usual word), or in Simplified lines (个人信息, 添加)
    allowed = {"數據", "創建", "補貼", "信息", "制造", "添加", "在線", "搜索", "杰出", "界面"}
    found = {k for k in _raw(MAINLAND_PATH) if any(k in t for t in texts)} - allowed
    assert not found


@pytest.mark.parametrize(
    ("message", "mapped"),
    [
        ("你们的邮箱是什么", "你們的信箱是什麼"),
        ("注册要准备什么", "註冊要準備什麼"),
        ("数据质量有标准吗", "資料品質有標準嗎"),
        ("怎么联系你们", "怎麼聯繫你們"),
        ("在线课程有补贴吗", "線上課程有補助嗎"),
        ("视频软件的默认设置", "影片軟體的預設設定"),
        ("杰出奖老板说周末签约", "傑出獎老闆說週末簽約"),
    ],
)
def test_mainland_words_become_the_taiwan_words(message: str, mapped: str) -> None:
    assert fix_spelling(normalize(message).text, load_spelling()) == mapped


def test_taiwan_words_are_left_alone() -> None:
    text = "我要登錄題目 項目文件 聯絡窗口 保存多久 黑客松 提醒我 題目 提出 對的 準備"
    assert fix_spelling(text, load_spelling()) == text


def test_words_across_a_boundary_are_not_typos() -> None:
    # 可以報名 contains 以報名, 以經驗 contains 以經, 參加對 contains 加對, 美國及 contains 國及
    text = "我可以報名嗎 以經驗來說 參加對我有什麼好處 美國及日本 要請假 文明單位"
    assert fix_spelling(text, load_spelling()) == text


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("構想書截指前題醒我", "構想書截止前提醒我"),
        ("培訓補注怎麼申清", "培訓補助怎麼申請"),
        ("我以經抱名了 可已改嗎", "我已經報名了 可以改嗎"),
        ("獎今跟報名廢", "獎金跟報名費"),
        ("邀請馬在哪 我要加對", "邀請碼在哪 我要加隊"),
        ("須要指道老師嗎", "需要指導老師嗎"),
        ("甚麼時候徹回", "什麼時候撤回"),
    ],
)
def test_homophone_typos_become_the_word_meant(typed: str, meant: str) -> None:
    assert fix_spelling(normalize(typed).text, load_spelling()) == meant


def test_entity_offsets_hold_after_mapping(model: NLUModel) -> None:
    message = "实证截止前注册的账号能收到邮箱通知吗"
    parsed = model.parse(message)
    milestone = [e for e in parsed["entities"] if e["entity"] == "milestone"]
    assert milestone and milestone[0]["value"] == "poc_deadline"
    assert message[milestone[0]["start"] : milestone[0]["end"]] == "实证截止"


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("你们的邮箱是什么", "ask_contact"),
        ("实证截止前要題醒我喔", "subscribe_reminders"),
        ("隊員機器學習底子不夠，有課程補貼可以用嗎", "ask_training_subsidy"),
        ("注册团队要准备什么资料", "ask_application_process"),
        ("獎今什麼時候發", "ask_bonus"),
        ("我想定閱截指日期的通知", "subscribe_reminders"),
    ],
)
def test_variant_writing_parses_like_the_word_meant(
    model: NLUModel, message: str, intent: str
) -> None:
    assert model.parse(message)["intent"]["name"] == intent


@pytest.mark.parametrize(
    ("message", "concepts"),
    [
        ("Is tax withheld from the award?", {"c:money", "c:question"}),
        ("are prize payouts taxed", {"c:money"}),
        ("can we get reimbursed for courses", {"c:subsidy"}),
        ("give me a heads-up before the cutoff", {"c:remind", "c:time"}),
        ("how do I enrol my team", {"c:register", "c:team", "c:question"}),
        ("what's your wechat or e-mail", {"c:contact"}),
        # English with Chinese terms: both languages' evidence
        ("how many 人 per team", {"c:team", "c:question"}),
        ("can I 報名 alone", {"c:register", "c:team", "c:question"}),
    ],
)
def test_english_synonyms_and_mixed_messages_fire_the_concepts(
    message: str, concepts: set[str]
) -> None:
    feats = features(normalize(message).text, Resources(load_lexicon(), load_spelling()))
    assert concepts <= set(feats)


def test_mixed_message_has_words_of_both_languages(model: NLUModel) -> None:
    feats = features(normalize("can I 報名 alone").text, model.classifier.vectorizer.resources)
    assert {"w:alon", "報名", "j:報名"} <= set(feats)


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("Is tax withheld from the award?", "ask_bonus"),
        ("are prize payouts taxed", "ask_bonus"),
        ("give me a heads-up before the deadline", "subscribe_reminders"),
    ],
)
def test_english_variants_parse_like_the_word_meant(
    model: NLUModel, message: str, intent: str
) -> None:
    assert model.parse(message)["intent"]["name"] == intent


def test_concept_triggers_match_leftmost_longest_and_as_whole_words() -> None:
    from nlu.features import _concept_hits, concept_index

    index = concept_index({"remind": ["提醒", "提醒我", "remind"], "stop": ["不要再", "要再"]})
    # per concept, not overlapping: 提醒我 at 0 (the longest), then 提醒 at 4
    assert _concept_hits("提醒我 提醒", index) == {"remind": [0, 4]}
    assert _concept_hits("不要再提醒", index) == {"stop": [0], "remind": [3]}
    # ASCII triggers are whole words: not inside "reminder", yes before "?"
    assert _concept_hits("reminder", index) == {}
    assert _concept_hits("remind?", index) == {"remind": [0]}
