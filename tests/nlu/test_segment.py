"""Word-level features: the compact jieba dictionary, English stems, misspellings."""

from __future__ import annotations

from nlu import NLUModel
from nlu.features import (
    Resources,
    features,
    fix_spelling,
    load_lexicon,
    load_spelling,
    without_contrasted,
)
from nlu.normalize import to_traditional
from nlu.segment import Segmenter, build_dictionary, load_terms, stem


def test_dictionary_keeps_programme_terms_whole_and_only_words_seen() -> None:
    words = build_dictionary(["構想書什麼時候截止", "我想報名"], load_terms())
    assert "構想書" in words and "截止" in words and "報名" in words
    assert "電腦" not in words  # a jieba word, but not in these texts nor a term
    assert Segmenter(words).words("構想書的截止日") == ["構想書", "截止日"]


def test_segmenter_handles_text_without_chinese() -> None:
    assert Segmenter({}).words("hello 123 ??") == []


def test_stems_share_evidence_across_inflections() -> None:
    assert stem("deadlines") == stem("deadline")
    assert stem("applying") == stem("applied") == stem("apply")
    assert stem("registered") == stem("register") == stem("registers")
    assert stem("is") == "is" and stem("tax") == "tax"
    assert stem("withheld") == stem("withhold") == stem("withholding")
    assert stem("enrolled") == stem("enroll") == stem("enrol") == stem("register")
    assert stem("paid") == stem("pay") and stem("cancelled") == stem("canceled")
    assert stem("subsidised") == stem("subsidized") and stem("organisations") == "organization"


def test_misspellings_are_fixed_with_the_same_length() -> None:
    spelling = load_spelling()
    assert all(len(k) == len(v) for k, v in spelling.items())
    assert fix_spelling(to_traditional("实证截止前要題醒我"), spelling) == "實證截止前要提醒我"
    assert fix_spelling("團對幾個人", spelling) == "團隊幾個人"


def test_model_features_include_words_and_stems(model: NLUModel) -> None:
    resources = model.classifier.vectorizer.resources
    feats = features(to_traditional("構想書 deadlines 幾號"), resources)
    assert "j:構想書" in feats and "w:deadlin" in feats


def test_typo_and_homophone_variants_parse_like_the_word_meant(model: NLUModel) -> None:
    assert model.parse("實證截止前要題醒我喔")["intent"]["name"] == "subscribe_reminders"
    assert model.parse("一個團對最多幾個人")["intent"]["name"] == "ask_team_rules"


def test_the_negated_part_of_a_contrast_is_not_evidence() -> None:
    # 「不是X 是Y」 / 「不用X 我只是Y」 / "not X, Y": X is blanked, Y kept (same length).
    assert without_contrasted("不是要解散隊伍 只是這題不做了").split() == ["不是", "只是這題不做了"]
    assert "提醒" not in without_contrasted("不用提醒我 我只是想知道截止是幾號")
    assert "解散" not in without_contrasted("不是解散是我要退出")
    text = "not just me, the whole team is quitting"
    assert "just" not in without_contrasted(text) and len(without_contrasted(text)) == len(text)
    # A negation that is the whole message, or a question form, is kept as it is.
    for kept in ("不要推播了", "not that one", "是不是要先組隊 再報名", "要不要 先報名"):
        assert without_contrasted(kept) == kept
    assert "c:dissolve" not in features("不是解散 是我個人要退出", Resources(load_lexicon()))
