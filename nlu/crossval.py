"""Measuring the NLU: cross-validation on the training data and evaluation on a held-out set, each
giving intent scores (:class:`nlu.evaluate.Report`), entity scores and the reliability of the
confidence (:mod:`nlu.scoring`).

Cross-validation trains one classifier per fold exactly as :func:`nlu.model.model_from_data` does
(feature resources built from the fold's training texts only). Its confidences are calibrated
without peeking: each fold's temperature is fitted on the out-of-fold scores of the *other* folds.
Entities are extracted by rules and lookup tables, which do not learn from the examples, so their
cross-validated scores are the extractor run over every annotated training example.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from nlu.classifier import fit_temperature, softmax, train_classifier
from nlu.entities import EntityExtractor
from nlu.evaluate import Report, cross_validate, fold_assignment, score
from nlu.model import FALLBACK, NLUModel, build_resources
from nlu.normalize import normalize, to_traditional
from nlu.scoring import Reliability, entity_scores, reliability
from nlu.training_data import Example, TrainingData

__all__ = ["Evaluation", "cross_validation", "held_out"]

Scores = npt.NDArray[np.float32]


@dataclass
class Evaluation:
    """Intent report, entity scores and confidence reliability of one measurement."""

    intents: Report
    entities: dict[str, dict[str, float]]
    reliability: Reliability
    unknown_intents: list[str]  # gold intents the model was not trained on
    known: Report | None = None  # intents scored on the examples of trained intents only

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible form (the intent report's keys at the top level)."""
        return {
            **self.intents.to_dict(),
            "entities": self.entities,
            "reliability": self.reliability.to_dict(),
            "unknown_intents": self.unknown_intents,
            "known_intents_only": self.known.to_dict() if self.known else None,
        }


def _gold_entities(example: Example, synonyms: Mapping[str, str]) -> list[dict[str, Any]]:
    """The example's annotations, values mapped through the synonyms as Rasa does."""
    return [
        {
            "entity": a.entity,
            "value": synonyms.get(to_traditional(a.value), a.value),
            "start": a.start,
            "end": a.end,
        }
        for a in example.entities
    ]


def _top(ranking: list[dict[str, Any]]) -> dict[str, Any]:
    """The classifier's best intent (skipping the fallback the threshold may have put first)."""
    return next((r for r in ranking if r["name"] != FALLBACK), ranking[0])


def held_out(model: NLUModel, examples: Sequence[Example], now: datetime) -> Evaluation:
    """Parse every example with ``model`` (fallback threshold applied) and score it. Reliability
    and :attr:`Evaluation.known` count only examples of intents the model was trained on."""
    parsed = [model.parse(e.text, now) for e in examples]
    gold = [e.intent for e in examples]
    predicted = [p["intent"]["name"] for p in parsed]
    top = [_top(p["intent_ranking"]) for p in parsed]
    known = [i for i, g in enumerate(gold) if g in model.intents]
    synonyms = {to_traditional(k): v for k, v in model.extractor_data["synonyms"].items()}
    return Evaluation(
        intents=score(gold, predicted),
        entities=entity_scores(
            [_gold_entities(e, synonyms) for e in examples], [p["entities"] for p in parsed]
        ),
        reliability=reliability(
            [top[i]["confidence"] for i in known], [top[i]["name"] == gold[i] for i in known]
        ),
        unknown_intents=sorted(set(gold) - set(model.intents)),
        known=score([gold[i] for i in known], [predicted[i] for i in known]),
    )


def _fold_confidences(logits: list[Scores], labels: list[npt.NDArray[np.int64]]) -> list[float]:
    """Top-intent confidence of each fold's examples, with a temperature fitted on the others."""
    out: list[float] = []
    for k, fold_logits in enumerate(logits):
        others = [i for i in range(len(logits)) if i != k]
        temperature = fit_temperature(
            np.concatenate([logits[i] for i in others]), np.concatenate([labels[i] for i in others])
        )
        out.extend(float(softmax(row / temperature).max()) for row in fold_logits)
    return out


def cross_validation(data: TrainingData, now: datetime, folds: int = 5) -> Evaluation:
    """Stratified ``folds``-fold cross-validation of intents; entities as described above."""
    texts = [normalize(e.text).text for e in data.examples]
    intents = [e.intent for e in data.examples]
    names = sorted(set(intents))
    fold_of = fold_assignment(intents, folds)
    gold = [
        [names.index(intents[i]) for i in range(len(texts)) if fold_of[i] == k]
        for k in range(folds)
    ]
    logits: list[Scores] = []

    def train_and_predict(xs: list[str], ys: list[str], tests: list[str]) -> list[str]:
        clf = train_classifier(xs, ys, build_resources(xs), calibrate=False)
        rows = [clf.scores(t) for t in tests]
        logits.append(np.stack([r if r is not None else clf.bias for r in rows]))
        return [names[int(row.argmax())] for row in logits[-1]]

    report = cross_validate(texts, intents, train_and_predict, folds)
    labels = [np.asarray(g, dtype=np.int64) for g in gold]
    confidences = _fold_confidences(logits, labels)
    correct = [
        bool(row.argmax() == y)
        for rows, ys in zip(logits, labels, strict=True)
        for row, y in zip(rows, ys, strict=True)
    ]
    extractor = EntityExtractor(data.lookups, data.synonyms)
    annotated = [e for e in data.examples if e.entities]
    synonyms = {to_traditional(k): v for k, v in data.synonyms.items()}
    return Evaluation(
        intents=report,
        entities=entity_scores(
            [_gold_entities(e, synonyms) for e in annotated],
            [extractor.extract(normalize(e.text), now) for e in annotated],
        ),
        reliability=reliability(confidences, correct),
        unknown_intents=[],
    )
