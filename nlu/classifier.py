"""Intent classifier: a linear model (one-vs-rest linear SVM) over :mod:`nlu.features`, with
softmax-temperature calibration of its scores.

Training uses scikit-learn's ``LinearSVC`` (deterministic: fixed ``random_state`` and data
order). The fitted weights are exported to plain arrays, so inference needs only numpy:
``softmax((x @ W + b) · min(1, coverage / 0.8) / T)`` over the few non-zero features of one
message, where ``coverage`` is the share of its character n-grams seen in training (so text unlike
anything trained gets flat, low confidences and falls back). The
temperature ``T`` is fitted on out-of-fold predictions, so the
confidences of unseen messages are calibrated (minimum log-loss) rather than over-confident.
"""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from nlu.features import Resources, Vectorizer, features

__all__ = ["IntentClassifier", "fit_temperature", "softmax", "train_classifier"]

C = 3.0
CLASS_WEIGHT: str | None = None
CALIBRATION_FOLDS = 5
FULL_COVERAGE = 0.8  # share of known character n-grams at which confidence is not damped
Floats = npt.NDArray[np.float32]


def softmax(logits: Floats) -> Floats:
    """Softmax of one score vector."""
    exp = np.exp(logits - logits.max())
    result: Floats = exp / exp.sum()
    return result


def _encode(array: Floats) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f4").tobytes()).decode("ascii")


def _decode(text: str, shape: tuple[int, ...]) -> Floats:
    return np.frombuffer(base64.b64decode(text), dtype="<f4").reshape(shape).astype(np.float32)


@dataclass
class IntentClassifier:
    """Exported weights: ``weights`` is (n_features, n_intents), ``bias`` (n_intents,)."""

    intents: list[str]
    vectorizer: Vectorizer
    weights: Floats
    bias: Floats
    temperature: float = 1.0

    def scores(self, text: str) -> Floats | None:
        """Uncalibrated scores per intent; None if no feature of ``text`` is known."""
        return self.scores_of(features(text, self.vectorizer.resources))

    def scores_of(self, feats: Counter[str]) -> Floats | None:
        """:meth:`scores` of a text's :func:`~nlu.features.features`, already computed."""
        indices, values, coverage = self.vectorizer.transform_counts(feats)
        if not indices:
            return None
        logits = np.asarray(values, dtype=np.float32) @ self.weights[indices] + self.bias
        # Text mostly unlike the training data gets flatter (less confident) probabilities.
        result: Floats = logits * min(1.0, coverage / FULL_COVERAGE)
        return result

    def probabilities(self, text: str) -> Floats | None:
        """Calibrated probabilities per intent; None if no feature of ``text`` is known."""
        logits = self.scores(text)
        return None if logits is None else softmax(logits / self.temperature)

    def to_dict(self) -> dict[str, Any]:
        """Serialise to JSON-compatible data (weights as base64 little-endian float32)."""
        vocab = sorted(self.vectorizer.vocabulary, key=self.vectorizer.vocabulary.__getitem__)
        return {
            "intents": self.intents,
            "vocabulary": vocab,
            "idf": _encode(np.asarray(self.vectorizer.idf, dtype=np.float32)),
            "weights": _encode(self.weights),
            "bias": _encode(self.bias),
            "temperature": self.temperature,
            "lexicon": self.vectorizer.resources.lexicon,
            "spelling": self.vectorizer.resources.spelling,
            "words": self.vectorizer.resources.words,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IntentClassifier:
        """Inverse of :meth:`to_dict`."""
        vocab: list[str] = data["vocabulary"]
        intents: list[str] = data["intents"]
        idf = _decode(data["idf"], (len(vocab),))
        vocabulary = {name: i for i, name in enumerate(vocab)}
        resources = Resources(
            data.get("lexicon") or {}, data.get("spelling") or {}, data.get("words") or {}
        )
        vectorizer = Vectorizer(vocabulary, idf.tolist(), resources)
        weights = _decode(data["weights"], (len(vocab), len(intents)))
        bias = _decode(data["bias"], (len(intents),))
        return cls(intents, vectorizer, weights, bias, float(data["temperature"]))


def _matrix(vectorizer: Vectorizer, counts: Sequence[Counter[str]]) -> Any:
    from scipy.sparse import csr_matrix

    rows, cols, vals = [], [], []
    for row, feats in enumerate(counts):
        indices, values, _ = vectorizer.transform_counts(feats)
        rows.extend([row] * len(indices))
        cols.extend(indices)
        vals.extend(values)
    shape = (len(counts), len(vectorizer.vocabulary))
    return csr_matrix((vals, (rows, cols)), shape=shape, dtype=np.float64)


def _fit(
    counts: Sequence[Counter[str]], labels: Sequence[int], resources: Resources
) -> tuple[Vectorizer, Floats, Floats]:
    """Fit on the texts' :func:`~nlu.features.features` (computed once per text by the caller)."""
    from sklearn.svm import LinearSVC

    vectorizer = Vectorizer.fit_counts(counts, resources)
    model = LinearSVC(C=C, random_state=0, max_iter=20_000, class_weight=CLASS_WEIGHT)
    model.fit(_matrix(vectorizer, counts), np.asarray(labels))
    weights = np.asarray(model.coef_.T, dtype=np.float32)
    return vectorizer, weights, np.asarray(model.intercept_, dtype=np.float32)


def fit_temperature(logits: npt.NDArray[np.float64], labels: npt.NDArray[np.int64]) -> float:
    """Grid-search the temperature minimising the log-loss of out-of-fold ``logits``."""
    best, best_loss = 1.0, float("inf")
    for t in np.arange(0.02, 1.0, 0.01):
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        loss = float(-logp[np.arange(len(labels)), labels].mean())
        if loss < best_loss - 1e-9:
            best, best_loss = float(t), loss
    return best


def _calibrate(
    counts: Sequence[Counter[str]], labels: Sequence[int], names: list[str], resources: Resources
) -> float:
    """The temperature fitted on out-of-fold scores (computed exactly as at inference)."""
    y = np.asarray(labels, dtype=np.int64)
    logits = np.zeros((len(counts), len(names)))
    folds = np.arange(len(counts)) % CALIBRATION_FOLDS
    for fold in range(CALIBRATION_FOLDS):
        train = [i for i in range(len(counts)) if folds[i] != fold]
        fitted = _fit([counts[i] for i in train], [labels[i] for i in train], resources)
        clf = IntentClassifier(names, *fitted)
        for i in map(int, np.flatnonzero(folds == fold)):
            scores = clf.scores_of(counts[i])
            logits[i] = scores if scores is not None else clf.bias
    return fit_temperature(logits, y)


def train_classifier(
    texts: Sequence[str],
    intents: Sequence[str],
    resources: Resources | None = None,
    calibrate: bool = True,
) -> IntentClassifier:
    """Train on normalised ``texts`` with their ``intents``; deterministic for the same input."""
    names = sorted(set(intents))
    labels = [names.index(i) for i in intents]
    resources = resources or Resources()
    counts = [features(text, resources) for text in texts]
    vectorizer, weights, bias = _fit(counts, labels, resources)
    temperature = _calibrate(counts, labels, names, resources) if calibrate else 1.0
    return IntentClassifier(names, vectorizer, weights, bias, temperature)
