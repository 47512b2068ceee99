"""Sparse features of a normalised text, shared by training and inference.

Features are strings: character n-grams (1–4) of the text with digit runs masked to ``0`` and a
space at each end (so word starts/ends count), plus Latin word unigrams (``w:``) and bigrams
(``b:``) with digits kept (so ``3q`` or ``round 2`` stay distinct). :class:`Vectorizer` turns them
into sublinear-TF × IDF weights, L2-normalised, keyed by a fixed vocabulary.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

__all__ = ["Vectorizer", "features"]

_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[a-z0-9']+")
MIN_N, MAX_N = 1, 4


def features(text: str) -> Counter[str]:
    """Return the feature counts of the normalised ``text``."""
    counts: Counter[str] = Counter()
    masked = " " + _DIGITS.sub("0", text) + " "
    size = len(masked)
    for n in range(MIN_N, MAX_N + 1):
        for i in range(size - n + 1):
            gram = masked[i : i + n]
            if gram != " ":
                counts[gram] += 1
    words = _WORD.findall(text)
    counts.update("w:" + w for w in words)
    counts.update(f"b:{a}_{b}" for a, b in itertools.pairwise(words))
    return counts


class Vectorizer:
    """A fixed vocabulary with IDF weights; :meth:`transform` gives ``(indices, values)``."""

    def __init__(self, vocabulary: dict[str, int], idf: Sequence[float]) -> None:
        self.vocabulary = vocabulary
        self.idf = list(idf)

    @classmethod
    def fit(cls, texts: Iterable[str]) -> Vectorizer:
        """Build the vocabulary (sorted, so it is deterministic) and smoothed IDF from ``texts``."""
        df: Counter[str] = Counter()
        n_docs = 0
        for text in texts:
            df.update(features(text).keys())
            n_docs += 1
        names = sorted(df)
        idf = [math.log((1 + n_docs) / (1 + df[name])) + 1.0 for name in names]
        return cls({name: i for i, name in enumerate(names)}, idf)

    def transform(self, text: str) -> tuple[list[int], list[float]]:
        """Return the known features of ``text`` as sorted indices and L2-normalised weights."""
        pairs = []
        for name, count in features(text).items():
            idx = self.vocabulary.get(name)
            if idx is not None:
                pairs.append((idx, (1.0 + math.log(count)) * self.idf[idx]))
        pairs.sort()
        norm = math.sqrt(sum(v * v for _, v in pairs)) or 1.0
        return [i for i, _ in pairs], [v / norm for _, v in pairs]
