"""Intent evaluation: per-intent precision / recall / F1, macro averages, confusions, and
stratified k-fold cross-validation (deterministic fold assignment).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Report", "cross_validate", "fold_assignment", "score"]


@dataclass
class Report:
    """Evaluation of predictions against gold labels."""

    labels: list[str]
    per_intent: dict[str, dict[str, float]]
    macro_precision: float
    macro_recall: float
    macro_f1: float
    accuracy: float
    confusions: list[tuple[str, str, int]]  # (gold, predicted, count), most frequent first
    matrix: list[list[int]] = field(default_factory=list)  # rows gold, columns predicted
    column_labels: list[str] = field(default_factory=list)  # labels, then e.g. nlu_fallback

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible form of the report."""
        return {
            "labels": self.labels,
            "per_intent": self.per_intent,
            "macro": {
                "precision": self.macro_precision,
                "recall": self.macro_recall,
                "f1": self.macro_f1,
            },
            "accuracy": self.accuracy,
            "confusions": [{"gold": g, "predicted": p, "count": n} for g, p, n in self.confusions],
            "confusion_matrix": {
                "rows": self.labels,
                "columns": self.column_labels,
                "counts": self.matrix,
            },
        }

    def table(self) -> str:
        """A plain-text table: one row per intent, then the macro averages."""
        width = max(len(name) for name in [*self.labels, "macro avg"])
        lines = [f"{'intent':<{width}}  precision  recall     f1  support"]
        for name in self.labels:
            row = self.per_intent[name]
            lines.append(
                f"{name:<{width}}  {row['precision']:9.3f}  {row['recall']:6.3f}  "
                f"{row['f1']:5.3f}  {int(row['support']):7d}"
            )
        lines.append(
            f"{'macro avg':<{width}}  {self.macro_precision:9.3f}  {self.macro_recall:6.3f}  "
            f"{self.macro_f1:5.3f}  {sum(int(r['support']) for r in self.per_intent.values()):7d}"
        )
        lines.append(f"accuracy {self.accuracy:.3f}")
        return "\n".join(lines)


def score(gold: Sequence[str], predicted: Sequence[str]) -> Report:
    """Score ``predicted`` against ``gold``; labels are the gold intents (sorted).

    Predictions outside the gold labels (e.g. ``nlu_fallback``) count as misses of the gold intent.
    """
    labels = sorted(set(gold))
    pairs = Counter(zip(gold, predicted, strict=True))
    per: dict[str, dict[str, float]] = {}
    for name in labels:
        tp = pairs[(name, name)]
        support = sum(n for (g, _), n in pairs.items() if g == name)
        predicted_n = sum(n for (_, p), n in pairs.items() if p == name)
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per[name] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    count = len(labels) or 1
    confusions = sorted(
        ((g, p, n) for (g, p), n in pairs.items() if g != p), key=lambda c: (-c[2], c[0], c[1])
    )
    columns = labels + sorted(set(predicted) - set(labels))
    matrix = [[pairs[(g, p)] for p in columns] for g in labels]
    return Report(
        labels=labels,
        per_intent=per,
        macro_precision=sum(r["precision"] for r in per.values()) / count,
        macro_recall=sum(r["recall"] for r in per.values()) / count,
        macro_f1=sum(r["f1"] for r in per.values()) / count,
        accuracy=sum(pairs[(n, n)] for n in labels) / (len(gold) or 1),
        confusions=confusions,
        matrix=matrix,
        column_labels=columns,
    )


def fold_assignment(intents: Sequence[str], folds: int) -> list[int]:
    """The fold of each example: round-robin within each intent (the same on every run)."""
    by_intent: dict[str, list[int]] = defaultdict(list)
    for i, intent in enumerate(intents):
        by_intent[intent].append(i)
    fold_of = [0] * len(intents)
    for members in by_intent.values():
        for rank, i in enumerate(members):
            fold_of[i] = rank % folds
    return fold_of


def cross_validate(
    texts: Sequence[str],
    intents: Sequence[str],
    train_and_predict: Callable[[list[str], list[str], list[str]], list[str]],
    folds: int = 5,
) -> Report:
    """Stratified ``folds``-fold cross-validation.

    ``train_and_predict(train_texts, train_intents, test_texts)`` returns predicted intents. Fold
    membership is round-robin within each intent, so it is the same on every run.
    """
    fold_of = fold_assignment(intents, folds)
    gold: list[str] = []
    predicted: list[str] = []
    for fold in range(folds):
        train = [i for i in range(len(texts)) if fold_of[i] != fold]
        test = [i for i in range(len(texts)) if fold_of[i] == fold]
        out = train_and_predict(
            [texts[i] for i in train], [intents[i] for i in train], [texts[i] for i in test]
        )
        gold.extend(intents[i] for i in test)
        predicted.extend(out)
    return score(gold, predicted)
