"""Word-level evidence: Chinese words (jieba) and English stems.

Chinese: jieba's dictionary is mostly Simplified and takes over a second to load, so the model
carries its own compact dictionary instead (:func:`build_dictionary`, at training time): the words
of jieba's dictionary, converted to Traditional, that occur in the training texts, plus the
programme's terms (``nlu/terms.yml``) with a high frequency so they are never split. At load,
:class:`Segmenter` builds a jieba tokenizer over that dictionary in well under a millisecond, and
:meth:`Segmenter.words` returns the words of two or more characters (single characters are already
character n-grams). The HMM for unknown words is off: unknown runs stay single characters.

English: :func:`stem` is a light suffix stripper (deadlines/deadline, applying/applied/apply,
registered/register) so word features share evidence across inflections.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import yaml

from nlu.normalize import to_traditional, traditional_table

__all__ = ["TERMS_PATH", "Segmenter", "build_dictionary", "stem"]

TERMS_PATH = Path(__file__).parent / "terms.yml"
TERM_FREQ = 200_000  # above almost every jieba word, so a programme term is kept whole
MAX_WORD = 6
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{2,}")
_VOWEL = re.compile(r"[aeiouy]")


def _jieba_words() -> dict[str, int]:
    """jieba's main dictionary as Traditional word → frequency (the highest of merged forms)."""
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    out: dict[str, int] = {}
    table = traditional_table()
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split(" ")
        if len(parts) >= 2 and 2 <= len(parts[0]) <= MAX_WORD and parts[1].isdigit():
            word = parts[0].translate(table)
            out[word] = max(out.get(word, 0), int(parts[1]))
    return out


@lru_cache(maxsize=1)
def _jieba_words_cached() -> dict[str, int]:
    return _jieba_words()


def load_terms(path: Path = TERMS_PATH) -> list[str]:
    """The programme's terms, normalised like messages."""
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or []
    return sorted({to_traditional(str(t)) for t in raw})


def build_dictionary(texts: Iterable[str], terms: Iterable[str] = ()) -> dict[str, int]:
    """The compact word → frequency dictionary for normalised ``texts`` (sorted by word)."""
    known = _jieba_words_cached()
    found: dict[str, int] = {}
    for text in texts:
        for run in _CJK_RUN.findall(text):
            for i in range(len(run) - 1):
                for j in range(i + 2, min(len(run), i + MAX_WORD) + 1):
                    freq = known.get(run[i:j])
                    if freq:
                        found[run[i:j]] = freq
    for term in terms:
        if len(term) >= 2 and not term.isascii():
            found[term] = max(found.get(term, 0), TERM_FREQ)
    return dict(sorted(found.items()))


class Segmenter:
    """A jieba tokenizer over a compact dictionary; :meth:`words` lists multi-character words."""

    def __init__(self, dictionary: dict[str, int]) -> None:
        import jieba

        self.dictionary = dictionary
        self._tokenizer = jieba.Tokenizer()
        lines = "\n".join(f"{w} {f}" for w, f in dictionary.items()) or "的 1"
        # jieba reads its dictionary from a file object; it is built here from the model's own
        # words, so nothing is read from disk or cached in the temporary directory.
        freq, total = self._tokenizer.gen_pfdict(io.BytesIO(lines.encode("utf-8")))
        self._tokenizer.FREQ, self._tokenizer.total = freq, total
        self._tokenizer.initialized = True

    def words(self, text: str) -> list[str]:
        """Chinese words of two or more characters in ``text``, in order."""
        out: list[str] = []
        for run in _CJK_RUN.findall(text):
            out.extend(w for w in self._tokenizer.cut(run, HMM=False) if len(w) >= 2)
        return out


# Irregular and spelling-variant forms the suffix rules below cannot reach, as the base word
# (or the word the training data uses for it).
IRREGULAR = {
    "withheld": "withhold",
    "paid": "pay",
    "won": "win",
    "sent": "send",
    "chose": "choose",
    "chosen": "choose",
    # enrol is what the training data calls register (British and American spellings)
    "enrol": "register",
    "enrols": "register",
    "enroll": "register",
    "enrolls": "register",
    "enrolled": "register",
    "enrolling": "register",
    "enrolment": "registration",
    "enrollment": "registration",
    "cancelled": "cancel",
    "cancelling": "cancel",
    "subsidised": "subsidize",
    "subsidise": "subsidize",
    "organisation": "organization",
    "organisations": "organization",
}


def stem(word: str) -> str:
    """A light English stem: irregular forms (:data:`IRREGULAR`: ``withheld`` → ``withhold``),
    then plural, -ing / -ed, then a final e removed (``dates`` → ``dat``, ``postings`` →
    ``post``)."""
    word = IRREGULAR.get(word, word)
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies"):
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix, repl in (("ied", "y"), ("ing", ""), ("ed", "")):
        base = word[: -len(suffix)] + repl
        if word.endswith(suffix) and len(base) >= 3 and _VOWEL.search(base):
            word = base
            if suffix != "ied" and len(word) > 3 and word[-1] == word[-2] not in "lsz":
                word = word[:-1]
            break
    return word[:-1] if len(word) > 3 and word.endswith("e") else word
