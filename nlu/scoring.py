"""Entity scoring and confidence calibration, next to the intent scores of :mod:`nlu.evaluate`.

Entities: a predicted entity is a true positive when an annotated entity of the same name has the
same value (compared as text: ``"20"`` = ``20``) and the spans overlap; an annotation matches
at most once. Per entity name: precision, recall, F1 and support (annotations), plus micro averages.
Entities the test data never annotates (only predicted) are reported as well, with support 0, so
spurious extractions show.

Calibration: the reliability of the top intent's confidence in :data:`BINS` equal-width bins
(count, mean confidence, accuracy per bin) and the expected calibration error (ECE: the
count-weighted mean of |accuracy − confidence|).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["BINS", "Reliability", "entity_scores", "reliability"]

BINS = 10
Span = dict[str, Any]  # {"entity", "value", "start", "end", ...}


def _match(gold: list[Span], predicted: list[Span]) -> list[tuple[str, str]]:
    """(gold name or '', predicted name or '') pairs: matches, misses and spurious predictions."""
    pairs: list[tuple[str, str]] = []
    free = list(gold)
    for p in predicted:
        hit = next(
            (
                g
                for g in free
                if g["entity"] == p["entity"]
                and str(g["value"]).lower() == str(p["value"]).lower()
                and g["start"] < p["end"]
                and p["start"] < g["end"]
            ),
            None,
        )
        if hit is None:
            pairs.append(("", p["entity"]))
        else:
            free.remove(hit)
            pairs.append((p["entity"], p["entity"]))
    pairs.extend((g["entity"], "") for g in free)
    return pairs


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": float(n_gold)}


def entity_scores(
    gold: Sequence[list[Span]], predicted: Sequence[list[Span]]
) -> dict[str, dict[str, float]]:
    """Per entity name (sorted), then ``"micro avg"``: precision / recall / F1 / support."""
    tp: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    for g, p in zip(gold, predicted, strict=True):
        for gold_name, pred_name in _match(g, p):
            n_gold[gold_name] += bool(gold_name)
            n_pred[pred_name] += bool(pred_name)
            tp[gold_name] += bool(gold_name) and gold_name == pred_name
    names = sorted((set(n_gold) | set(n_pred)) - {""})
    out = {name: _prf(tp[name], n_pred[name], n_gold[name]) for name in names}
    out["micro avg"] = _prf(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    return out


@dataclass
class Reliability:
    """Per-bin counts, mean confidences and accuracies (bins of width 1 / :data:`BINS`)."""

    counts: list[int]
    confidence: list[float]
    accuracy: list[float]
    ece: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible form."""
        edges = [round(i / BINS, 2) for i in range(BINS + 1)]
        return {
            "bins": [[edges[i], edges[i + 1]] for i in range(BINS)],
            "count": self.counts,
            "mean_confidence": self.confidence,
            "accuracy": self.accuracy,
            "ece": self.ece,
        }


def reliability(confidences: Sequence[float], correct: Sequence[bool]) -> Reliability:
    """Bin the top-intent ``confidences`` and compare with how often the intent was ``correct``."""
    counts = [0] * BINS
    conf_sum = [0.0] * BINS
    hits = [0] * BINS
    for conf, ok in zip(confidences, correct, strict=True):
        b = min(BINS - 1, max(0, int(conf * BINS)))
        counts[b] += 1
        conf_sum[b] += conf
        hits[b] += ok
    mean = [conf_sum[b] / counts[b] if counts[b] else 0.0 for b in range(BINS)]
    acc = [hits[b] / counts[b] if counts[b] else 0.0 for b in range(BINS)]
    total = sum(counts) or 1
    ece = sum(counts[b] * abs(acc[b] - mean[b]) for b in range(BINS)) / total
    return Reliability(counts, mean, acc, ece)
