"""Writing organiser exports: rows of flat string fields as JSON or CSV on a text stream.

JSON is a list of objects (``ensure_ascii=False``, so Chinese stays readable); CSV has a header
row and uses empty cells for missing values. Both keep every value exactly as stored.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from typing import IO

FORMATS = ("json", "csv")


def write(
    rows: Sequence[dict[str, str | None]], columns: Sequence[str], fmt: str, out: IO[str]
) -> None:
    """Write ``rows`` (keys = ``columns``) to ``out`` in ``fmt`` (``json`` or ``csv``)."""
    if fmt == "json":
        json.dump(
            [{c: row.get(c) for c in columns} for row in rows], out, ensure_ascii=False, indent=2
        )
        out.write("\n")
        return
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: "" if row.get(c) is None else row.get(c) for c in columns})


def table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> str:
    """A plain text table (columns padded to the widest cell)."""
    all_rows = [list(headers), *[list(r) for r in rows]]
    widths = [max(_width(r[i]) for r in all_rows) for i in range(len(headers))]
    return "\n".join(
        "  ".join(
            cell + " " * (w - _width(cell)) for cell, w in zip(r, widths, strict=True)
        ).rstrip()
        for r in all_rows
    )


def _width(text: str) -> int:
    """Display width: CJK characters count twice."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
