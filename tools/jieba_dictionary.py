#!/usr/bin/env python3
"""Regenerate nlu/rasa/jieba/aigo_terms.txt from nlu/data (needs jieba: the test extra).

Writes every annotated entity text as a high-frequency word, then suppresses (frequency 0) the
Jieba words that would still cut an annotation, until none does; prints what is left misaligned
(exit 1 then: fix those annotations in nlu/data).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import jieba

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlu.rasa_interop import (
    DATA_DIR,
    DICTIONARY,
    covering_words,
    dictionary_text,
    misaligned,
    terms,
)
from nlu.training_data import load_training_data


def main() -> int:
    """Write the dictionary from ``nlu/data`` (needs ``jieba``); print what is left misaligned."""
    jieba.setLogLevel(logging.WARNING)
    data = load_training_data(DATA_DIR)
    DICTIONARY.parent.mkdir(parents=True, exist_ok=True)
    suppressed: set[str] = set()
    for _ in range(5):  # suppressing a word can expose another long word: repeat until stable
        DICTIONARY.write_text(dictionary_text(data, suppressed), encoding="utf-8")
        tokenizer = jieba.Tokenizer()
        tokenizer.load_userdict(str(DICTIONARY))
        more = covering_words(data, tokenizer.tokenize) - suppressed
        if not more:
            break
        suppressed |= more
    left = misaligned(data, tokenizer.tokenize)
    print(f"{len(terms(data))} terms, {len(suppressed)} words suppressed → {DICTIONARY}")
    print("\n".join(["misaligned:", *left]) if left else "no misaligned annotations")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())


if __name__ == "__main__":
    sys.exit(main())
