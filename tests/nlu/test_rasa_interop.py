"""Rasa interop of the NLU data: Jieba with our dictionary cuts no entity annotation; config.yml."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import jieba
import yaml

from nlu.rasa_interop import DATA_DIR, DICTIONARY, RASA_DIR, misaligned, terms
from nlu.training_data import load_training_data

ROOT = Path(__file__).resolve().parents[2]


def tokenizer(with_dictionary: bool) -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    if with_dictionary:
        tok.load_userdict(str(DICTIONARY))
    return tok


def test_jieba_with_the_dictionary_cuts_no_annotation() -> None:
    data = load_training_data(DATA_DIR)
    assert len(misaligned(data, tokenizer(False).tokenize)) > 10  # what Rasa met without it
    assert misaligned(data, tokenizer(True).tokenize) == []


def test_dictionary_lists_every_annotated_term() -> None:
    listed = {
        line.rsplit(" ", 1)[0]
        for line in DICTIONARY.read_text(encoding="utf-8").splitlines()
        if not line.endswith(" 0")
    }
    assert listed == set(terms(load_training_data(DATA_DIR))), "run tools/jieba_dictionary.py"
    assert {"第二梯", "構想收件截止"} <= listed


def test_config_is_a_rasa_chinese_pipeline() -> None:
    config = yaml.safe_load((RASA_DIR / "config.yml").read_text(encoding="utf-8"))
    names = [c["name"] for c in config["pipeline"]]
    assert config["language"] == "zh" and names[0] == "JiebaTokenizer"
    assert {"RegexEntityExtractor", "DIETClassifier", "FallbackClassifier"} <= set(names)
    assert (ROOT / config["pipeline"][0]["dictionary_path"]) == DICTIONARY.parent


def test_regexes_compile_and_match() -> None:
    regexes = load_training_data(DATA_DIR).regexes
    samples = {"email": "wang@tatung.com.tw", "phone": "02-2345-6789", "invite_code": "K7PQ-M2XR"}
    for name, text in samples.items():
        assert any(re.search(p, text) for p in regexes[name]), name
