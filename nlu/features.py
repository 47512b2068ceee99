"""Sparse features of a normalised text, shared by training and inference.

Features are strings: character n-grams (1–2; longer n-grams cross-validated worse) of the text
with digit runs masked to ``0`` and a space at each end (so word starts/ends count); Latin word
unigrams (``w:``) and bigrams (``b:``) with digits kept (``3q``, ``round 2``); and concept features
(``c:``) from the lexicon (``nlu/lexicon.yml``: concept → trigger words, ASCII triggers matched as
whole words). :class:`Vectorizer` turns them into sublinear-TF × IDF weights, L2-normalised, keyed
by a fixed vocabulary.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

from nlu.normalize import to_traditional
from nlu.segment import Segmenter, stem

__all__ = [
    "LEXICON_PATH",
    "MAINLAND_PATH",
    "SPELLING_PATH",
    "Lexicon",
    "Resources",
    "Spelling",
    "Vectorizer",
    "features",
    "fix_spelling",
    "load_lexicon",
    "load_spelling",
]

LEXICON_PATH = Path(__file__).parent / "lexicon.yml"
SPELLING_PATH = Path(__file__).parent / "spelling.yml"
MAINLAND_PATH = Path(__file__).parent / "mainland.yml"
Lexicon = dict[str, list[str]]
Spelling = dict[str, str]

_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[a-z0-9']+")
MIN_N, MAX_N = 1, 2
NEGATION = "negation"
NEGATION_WINDOW = 8  # characters from a negation trigger's start to the negated trigger's start
# Concepts that are not about the programme (they do not count against c:<none>).
META_CONCEPTS = frozenset({"negation", "question", "want", "agree", "greet", "bye", "thanks"})


def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """Read the concept lexicon; triggers are normalised like messages."""
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}
    return {str(k): sorted({to_traditional(str(t)) for t in v}) for k, v in sorted(raw.items())}


def load_spelling(*paths: Path) -> Spelling:
    """Read the misspelling → word tables (default: ``nlu/spelling.yml`` and the mainland → Taiwan
    words of ``nlu/mainland.yml``); pairs of unequal length are dropped, keys and words are
    normalised like messages."""
    pairs: dict[str, str] = {}
    for path in paths or (SPELLING_PATH, MAINLAND_PATH):
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}
        pairs.update({to_traditional(str(k)): to_traditional(str(v)) for k, v in raw.items()})
    return {k: v for k, v in sorted(pairs.items()) if len(k) == len(v) and k != v}


@lru_cache(maxsize=8)
def _spelling_pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True)))


def fix_spelling(text: str, spelling: Spelling) -> str:
    """``text`` with the table's misspellings replaced (same length, so offsets still hold)."""
    if not spelling:
        return text
    return _spelling_pattern(tuple(spelling)).sub(lambda m: spelling[m.group()], text)


_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
# first character → (trigger, whole-word start, whole-word end, its concepts), longest first
ConceptIndex = dict[str, list[tuple[str, bool, bool, tuple[str, ...]]]]


def concept_index(lexicon: Lexicon) -> ConceptIndex:
    """The lexicon's triggers by first character. An ASCII trigger matches as a whole word: no
    letter or digit right before a trigger that starts with one, nor right after one that ends
    with one ("?" still matches in "award?")."""
    concepts_of: dict[str, list[str]] = {}
    for concept, triggers in lexicon.items():
        for trigger in triggers:
            if trigger:
                concepts_of.setdefault(trigger, []).append(concept)
    index: ConceptIndex = {}
    for trigger in sorted(concepts_of, key=len, reverse=True):
        ascii_ = trigger.isascii()
        entry = (trigger, ascii_ and trigger[0].isalnum(), ascii_ and trigger[-1].isalnum())
        index.setdefault(trigger[0], []).append((*entry, tuple(concepts_of[trigger])))
    return index


def _concept_hits(text: str, index: ConceptIndex) -> dict[str, list[int]]:
    """Start offsets of each concept's triggers in ``text``: per concept, leftmost and longest
    first, not overlapping (as one regular expression of its triggers, longest first, would find
    them; one pass over the text instead of one search per concept)."""
    found: dict[str, list[tuple[int, int]]] = {}
    size = len(text)
    for i, char in enumerate(text):
        for trigger, word_start, word_end, concepts in index.get(char, ()):
            if not text.startswith(trigger, i):
                continue
            end = i + len(trigger)
            if word_start and i > 0 and text[i - 1] in _WORD_CHARS:
                continue
            if word_end and end < size and text[end] in _WORD_CHARS:
                continue
            for concept in concepts:
                found.setdefault(concept, []).append((i, end))
    hits = {}
    for concept, spans in found.items():
        starts, until = [], 0
        for start, end in spans:  # by start, the longest first at one start
            if start >= until:
                starts.append(start)
                until = end
        hits[concept] = starts
    return hits


def _concept_features(text: str, index: ConceptIndex, counts: Counter[str]) -> None:
    hits = _concept_hits(text, index)
    negations = hits.get(NEGATION, [])
    fired = set()
    for concept, starts in hits.items():
        if concept in META_CONCEPTS:
            fired.add(concept)
            continue
        # A trigger with a negation shortly before it ("不要再提醒", "don't remind") is a
        # different concept from the bare one: c:!remind.
        negated = any(0 < s - n <= NEGATION_WINDOW for s in starts for n in negations)
        fired.add("!" + concept if negated else concept)
    counts.update("c:" + c for c in fired)
    if not fired - META_CONCEPTS:
        counts["c:<none>"] += 1  # no programme concept at all: evidence for out_of_scope
    # Pairs of concepts ("question" + "post" = asking about posting) that a linear model cannot
    # combine from the single features.
    counts.update(f"cc:{a}+{b}" for a, b in itertools.combinations(sorted(fired), 2))


@dataclass
class Resources:
    """What features are computed with: the concept lexicon, the misspelling table and the
    segmenter's word dictionary (all saved in the model, so a model file is self-contained)."""

    lexicon: Lexicon = field(default_factory=dict)
    spelling: Spelling = field(default_factory=dict)
    words: dict[str, int] = field(default_factory=dict)

    @cached_property
    def concept_index(self) -> ConceptIndex:
        """The lexicon's triggers by first character (:func:`concept_index`), built once."""
        return concept_index(self.lexicon)

    @cached_property
    def segmenter(self) -> Segmenter | None:
        """The Chinese word segmenter over :attr:`words` (None without words)."""
        return Segmenter(self.words) if self.words else None


# "Not X, (but) Y": 「不是要解散隊伍 只是這題不做了」, 「不用提醒我 我只是想知道…」,
# "not just me, the whole team is quitting". X names what the message is *not* about, so its
# words are evidence for the wrong intent; :func:`without_contrasted` blanks X when Y follows
# (after a separator, or a Chinese contrast word such as 是要 / 只是 / 而是). A negation with
# nothing after it (「不要推播了」, "not that one") is left alone: there the negation is the
# message. 是不是 / 要不要 / 用不用 are questions, not negations.
_CONTRASTED = re.compile(
    r"(?:(?<![是要用])(?:不是|不用|不要)|並不是|沒有要)"
    r"(?P<zh>[^\s,，。.!！?？;；~～、]{1,12}?)"
    r"(?:[\s,，。.!！?？;；~～、]+(?=\S{2})"
    r"|(?=(?:而是|只是|是要|是想|是問|是我|我是|我要|我只|只有|只要|只想)\S))"
    r"|(?<![a-z])(?:not|don't|dont|no need to)(?![a-z])(?P<en>[^,.;!?]{1,40}?)[,.;!?]+\s*(?=\S{2})"
)


def without_contrasted(text: str) -> str:
    """``text`` with the negated part of a "not X, Y" contrast replaced by spaces."""
    out = list(text)
    for match in _CONTRASTED.finditer(text):
        start, end = match.span("zh") if match.group("zh") else match.span("en")
        out[start:end] = " " * (end - start)
    return "".join(out)


# Numbers that are chat words when they are the whole message (88 = 拜拜, 886 = 拜拜了): read as
# those words, not masked as a number (a message that is only a number is data otherwise).
CHAT_NUMBERS = {
    "88": "掰掰",
    "886": "掰掰囉",
    "881": "掰掰囉",
    "8888": "掰掰掰掰",
    "88888": "掰掰掰掰掰",
}


def chat_word(text: str) -> str | None:
    """The word a whole-message chat number stands for (``"88"`` → ``"掰掰"``), else None."""
    return CHAT_NUMBERS.get(text.strip(" ~～!！.。"))


def features(text: str, resources: Resources | None = None) -> Counter[str]:
    """Return the feature counts of the normalised ``text``."""
    res = resources or Resources()
    counts: Counter[str] = Counter()
    text = chat_word(text) or text
    text = fix_spelling(without_contrasted(text), res.spelling)
    masked = " " + _DIGITS.sub("0", text) + " "
    size = len(masked)
    for n in range(MIN_N, MAX_N + 1):
        for i in range(size - n + 1):
            gram = masked[i : i + n]
            if gram != " ":
                counts[gram] += 1
    words = [stem(w) for w in _WORD.findall(text)]
    counts.update("w:" + w for w in words)
    counts.update(f"b:{a}_{b}" for a, b in itertools.pairwise(words))
    if res.segmenter is not None:
        counts.update("j:" + w for w in res.segmenter.words(text))
    if res.lexicon:
        _concept_features(text, res.concept_index, counts)
    return counts


class Vectorizer:
    """A fixed vocabulary with IDF weights; :meth:`transform` gives ``(indices, values)``."""

    def __init__(
        self, vocabulary: dict[str, int], idf: Sequence[float], resources: Resources | None = None
    ) -> None:
        self.vocabulary = vocabulary
        self.idf = list(idf)
        self.resources = resources or Resources()

    @classmethod
    def fit(cls, texts: Iterable[str], resources: Resources | None = None) -> Vectorizer:
        """Build the vocabulary (sorted, so it is deterministic) and smoothed IDF from ``texts``."""
        return cls.fit_counts((features(text, resources) for text in texts), resources)

    @classmethod
    def fit_counts(
        cls, counts: Iterable[Counter[str]], resources: Resources | None = None
    ) -> Vectorizer:
        """:meth:`fit` from the texts' :func:`features`, already computed (training computes them
        once for the model and its calibration folds)."""
        df: Counter[str] = Counter()
        n_docs = 0
        for feats in counts:
            df.update(feats.keys())
            n_docs += 1
        names = sorted(df)
        idf = [math.log((1 + n_docs) / (1 + df[name])) + 1.0 for name in names]
        return cls({name: i for i, name in enumerate(names)}, idf, resources)

    def transform(self, text: str) -> tuple[list[int], list[float]]:
        """Return the known features of ``text`` as sorted indices and L2-normalised weights."""
        indices, values, _ = self.transform_with_coverage(text)
        return indices, values

    def transform_with_coverage(self, text: str) -> tuple[list[int], list[float], float]:
        """:meth:`transform` plus the share of the text's character n-grams that are known
        (1.0 = every n-gram was seen in training; low for text unlike anything trained)."""
        return self.transform_counts(features(text, self.resources))

    def transform_counts(self, feats: Counter[str]) -> tuple[list[int], list[float], float]:
        """:meth:`transform_with_coverage` of a text's :func:`features`, already computed."""
        pairs = []
        grams = known = 0
        for name, count in feats.items():
            idx = self.vocabulary.get(name)
            is_gram = ":" not in name or len(name) <= MAX_N
            grams += count if is_gram else 0
            if idx is not None:
                known += count if is_gram else 0
                pairs.append((idx, (1.0 + math.log(count)) * self.idf[idx]))
        pairs.sort()
        norm = math.sqrt(sum(v * v for _, v in pairs)) or 1.0
        coverage = known / grams if grams else 0.0
        return [i for i, _ in pairs], [v / norm for _, v in pairs], coverage
