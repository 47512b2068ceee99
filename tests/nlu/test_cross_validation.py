"""Quality bar: 5-fold cross-validation of the intent classifier on nlu/data."""

from __future__ import annotations

from nlu.classifier import train_classifier
from nlu.evaluate import cross_validate
from nlu.features import load_lexicon
from nlu.model import DATA_DIR
from nlu.normalize import to_traditional
from nlu.training_data import load_training_data

# Measured 0.936 (2,641 examples). The target is 0.93; the test fails below 0.92 so that adding
# genuinely hard, varied examples (which lowers CV while helping real users) does not flip it.
CV_FLOOR = 0.92


def test_five_fold_macro_f1_above_floor() -> None:
    data = load_training_data(DATA_DIR)
    lexicon = load_lexicon()

    def train_and_predict(xs: list[str], ys: list[str], tests: list[str]) -> list[str]:
        clf = train_classifier(xs, ys, lexicon, calibrate=False)
        out = []
        for text in tests:
            probs = clf.probabilities(text)
            out.append(clf.intents[int(probs.argmax())] if probs is not None else "nlu_fallback")
        return out

    texts = [to_traditional(e.text) for e in data.examples]
    report = cross_validate(texts, [e.intent for e in data.examples], train_and_predict, folds=5)
    assert report.macro_f1 >= CV_FLOOR, report.table()


def test_every_intent_has_forty_examples() -> None:
    from collections import Counter

    counts = Counter(e.intent for e in load_training_data(DATA_DIR).examples)
    assert len(counts) >= 23
    assert min(counts.values()) >= 40, counts
