"""Quality bar: 5-fold cross-validation of the intent classifier on nlu/data."""

from __future__ import annotations

from datetime import datetime

from nlu.crossval import cross_validation
from nlu.model import DATA_DIR
from nlu.training_data import load_training_data

# Measured 0.936 (2,641 examples); 0.931 before issue 10, 0.912 (3,162 examples) after it added
# seven student/team intents that sit close to existing ones (leave_team ~ cancel,
# browse_challenges ~ ask_programme, apply_challenge ~ post_challenge); every destructive one is
# confirmed and guessed state changes are clarified, so a confusion there asks instead of acting.
# The target stays 0.93; the test fails below 0.905 (lead: raise it back as data improves).
# Issue 15 wave 3: 0.919 (4,194 examples, 36 intents incl. edit_challenge / withdraw_challenge /
# org_invite) after fresh data for the lifecycle and enterprise intents and lexicon concepts.
# Wave 4: 0.933 (5,011 examples) with 723 lines written fresh by a session that never saw
# nlu/data, the negated part of "不是X 是Y" no longer counted as evidence, ambiguous or
# contradicting examples removed (docs/nlu-wave4.md); the target 0.95 is not reached.
# Wave 5: 0.960 (8,633 examples) with four more fresh files by blind writers and a hygiene pass
# (docs/nlu-wave5.md); same-writer lines in other folds flatter it, so the floor keeps a margin.
CV_FLOOR = 0.945


def test_five_fold_cross_validation(now: datetime) -> None:
    evaluation = cross_validation(load_training_data(DATA_DIR), now, folds=5)
    assert evaluation.intents.macro_f1 >= CV_FLOOR, evaluation.intents.table()
    # Calibrated out-of-fold confidences: within a few points of the accuracy they claim.
    assert evaluation.reliability.ece <= 0.05, evaluation.reliability
    # Entities are rules and lookups: nearly every annotation in the data is found.
    assert evaluation.entities["micro avg"]["f1"] >= 0.9, evaluation.entities


def test_every_intent_has_forty_examples() -> None:
    from collections import Counter

    counts = Counter(e.intent for e in load_training_data(DATA_DIR).examples)
    assert len(counts) >= 23  # later waves add intents (docs/CONTRACTS.md)
    assert min(counts.values()) >= 40, counts
