"""Entity scores and the reliability of confidences (nlu.scoring), and the held-out evaluation."""

from __future__ import annotations

from datetime import datetime

import pytest

from nlu import NLUModel
from nlu.crossval import held_out
from nlu.scoring import entity_scores, reliability
from nlu.training_data import parse_example


def _span(entity: str, value: object, start: int, end: int) -> dict[str, object]:
    return {"entity": entity, "value": value, "start": start, "end": end}


def test_entity_scores_count_matches_misses_and_spurious() -> None:
    gold = [[_span("age", "20", 2, 4), _span("round", "108-1", 5, 10)], [_span("age", "30", 0, 2)]]
    predicted = [
        [_span("age", 20, 2, 5), _span("milestone", "idea_deadline", 6, 8)],
        [_span("age", "31", 0, 2)],
    ]
    scores = entity_scores(gold, predicted)
    assert scores["age"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2.0}
    assert scores["round"]["recall"] == 0.0 and scores["round"]["support"] == 1.0
    assert scores["milestone"]["precision"] == 0.0 and scores["milestone"]["support"] == 0.0
    assert scores["micro avg"]["precision"] == pytest.approx(1 / 3)
    assert scores["micro avg"]["recall"] == pytest.approx(1 / 3)


def test_reliability_bins_and_expected_calibration_error() -> None:
    rel = reliability([0.95, 0.95, 0.55, 0.55], [True, True, True, False])
    assert rel.counts[9] == 2 and rel.counts[5] == 2 and sum(rel.counts) == 4
    assert rel.accuracy[9] == 1.0 and rel.accuracy[5] == 0.5
    assert rel.ece == pytest.approx((2 * 0.05 + 2 * 0.05) / 4)
    assert rel.to_dict()["bins"][0] == [0.0, 0.1]


def test_held_out_scores_entities_and_sets_aside_untrained_intents(
    model: NLUModel, now: datetime
) -> None:
    examples = [
        parse_example("我[19](age)歲可以參加嗎", "ask_eligibility"),
        parse_example("優等總共多少錢", "ask_bonus"),
        parse_example("幫我把這個題目下架", "some_intent_not_trained"),
    ]
    evaluation = held_out(model, examples, now)
    assert evaluation.unknown_intents == ["some_intent_not_trained"]
    assert evaluation.known is not None and evaluation.known.accuracy == 1.0
    assert evaluation.entities["age"]["recall"] == 1.0
    assert sum(evaluation.reliability.counts) == 2
