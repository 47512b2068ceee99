"""Organisation names compared as the same organisation: :func:`normalise_org_name`.

Two spellings name one organisation when their keys are equal. The key is built by, in order:

1. Unicode NFKC (full-width letters, digits and spaces become ASCII: ``ＡＢＣ`` → ``ABC``);
2. case folding (``Acme`` = ``ACME``);
3. ``臺`` → ``台`` (``臺灣`` = ``台灣``);
4. dropping whitespace, punctuation and symbols
   (``宏達智能 股份有限公司`` = ``宏達智能股份有限公司``, ``A.C.M.E.`` = ``ACME``);
5. dropping one trailing company form (:data:`COMPANY_SUFFIXES`, longest first:
   ``股份有限公司``, ``(股)公司``, ``有限公司``, ``公司``, and the trailing words ``Co., Ltd.``,
   ``Inc.``, ``Corp.`` …), unless nothing would remain.

The key is what the database stores in ``organisations.name_key`` and what the per-organisation
challenge limit counts by. Pure and deterministic; changing it needs a data migration.
"""

from __future__ import annotations

import unicodedata

# Chinese company forms, longest first (matched at the end of the joined name).
CJK_SUFFIXES: tuple[str, ...] = ("股份有限公司", "股公司", "有限公司", "公司")  # 股公司: (股)公司
# English company forms as trailing words (so "Zinc" keeps its "inc" and "Costco" its "co").
WORD_SUFFIXES: tuple[tuple[str, ...], ...] = (
    ("company", "limited"),
    ("co", "limited"),
    ("co", "ltd"),
    ("corporation",),
    ("company",),
    ("limited",),
    ("corp",),
    ("ltd",),
    ("inc",),
)
COMPANY_SUFFIXES = CJK_SUFFIXES + tuple(" ".join(w) for w in WORD_SUFFIXES)


def _words(text: str) -> list[str]:
    """``text`` split on whitespace, punctuation and symbols (letters, digits and marks kept)."""
    spaced = "".join(c if unicodedata.category(c)[0] in "LNM" else " " for c in text)
    return spaced.split()


def _without_word_suffix(words: list[str]) -> list[str]:
    for suffix in WORD_SUFFIXES:
        if len(words) > len(suffix) and tuple(words[-len(suffix) :]) == suffix:
            return words[: -len(suffix)]
    return words


def normalise_org_name(name: str) -> str:
    """The comparison key of an organisation name (see the module docstring); ``""`` for none."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("臺", "台")
    key = "".join(_without_word_suffix(_words(text)))
    for suffix in CJK_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key
