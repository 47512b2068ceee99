"""Organiser exports: rows of plain values → CSV, XLSX or JSON that open cleanly in Excel.

One module for every export (the ``aigo`` CLI now, the organisers' web console too). It knows no
database: callers pass a :class:`Sheet` of rows (mappings of column key → value) and the sheet's
name in ``exports.yml``, which lists the columns in order with their zh-TW and English headers.

- CSV: UTF-8 with a byte-order mark and CRLF line ends (Excel in a zh-TW locale reads it as
  UTF-8); a cell starting with ``= + - @`` gets a leading ``'`` so Excel never runs it as a formula.
- XLSX (openpyxl): every cell is text or a number, never a formula; a frozen header row. Control
  characters a workbook cannot hold (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F, which a chat
  user can type) are left out of the cell.
- JSON: a list of objects keyed by column key (``headers`` does not apply), values as text.
- Date-times (``datetime`` values, or ISO strings in columns of kind ``datetime``) are written in
  Asia/Taipei with the offset, e.g. ``2019-05-20 10:00:00+08:00``; missing values are empty cells.
- Flags (columns of kind ``flag``, boolean values) read 是/否 under zh-TW headers and yes/no under
  English ones (JSON: ``true`` / ``false``), so a "foreign national" column filters in Excel.

Errors: :class:`UnknownSheet` (``KeyError``) for a sheet name not in ``exports.yml``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import IO, Literal

import yaml

from knowledge import TZ

Value = str | int | float | bool | date | datetime | None
Format = Literal["csv", "xlsx", "json"]
Headers = Literal["zh", "en"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx", "json")
HEADERS: tuple[Headers, ...] = ("zh", "en")
_XLSX_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # openpyxl refuses these in a cell
MEDIA_TYPES: dict[Format, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
COLUMNS_PATH = Path(__file__).with_name("exports.yml")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FLAG_WORDS: dict[Headers, tuple[str, str]] = {"zh": ("是", "否"), "en": ("yes", "no")}


class UnknownSheet(KeyError):
    """No sheet of this name in ``exports.yml``; ``.sheet`` is the name asked for."""

    def __init__(self, sheet: str) -> None:
        super().__init__(sheet)
        self.sheet = sheet


@dataclass(frozen=True)
class Column:
    """One export column: its key in the rows, headers, and kind (``text`` or ``datetime``)."""

    key: str
    zh: str
    en: str
    kind: str = "text"  # text, datetime or flag

    def header(self, headers: Headers) -> str:
        """The header text in ``headers`` (``zh`` or ``en``)."""
        return self.zh if headers == "zh" else self.en


@dataclass(frozen=True)
class Sheet:
    """Rows to export under the columns of sheet ``name`` in ``exports.yml``."""

    name: str
    rows: Sequence[Mapping[str, Value]]

    @property
    def columns(self) -> tuple[Column, ...]:
        """The sheet's columns, in order."""
        return columns(self.name)


@cache
def _all_columns() -> dict[str, tuple[Column, ...]]:
    data = yaml.load(COLUMNS_PATH.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return {
        name: tuple(Column(key=key, **spec) for key, spec in cols.items())
        for name, cols in data.items()
    }


def columns(sheet: str) -> tuple[Column, ...]:
    """The columns of ``sheet``; raise :class:`UnknownSheet` if it is not in ``exports.yml``."""
    try:
        return _all_columns()[sheet]
    except KeyError:
        raise UnknownSheet(sheet) from None


def cell(value: Value, kind: str = "text", headers: Headers = "zh") -> str | int | float:
    """One value as written: date-times in Asia/Taipei with the offset, flags as 是/否 (yes/no
    under English ``headers``), ``None`` as ``""``."""
    if value is None:
        return ""
    if kind == "flag":
        yes, no = FLAG_WORDS[headers]
        return yes if value else no
    if kind == "datetime" and isinstance(value, str) and value:
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        local = value.astimezone(TZ) if value.tzinfo else value.replace(tzinfo=TZ)
        return local.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _table(sheet: Sheet, headers: Headers) -> Iterable[list[str | int | float]]:
    cols = sheet.columns
    yield [c.header(headers) for c in cols]
    for row in sheet.rows:
        yield [cell(row.get(c.key), c.kind, headers) for c in cols]


def _csv_safe(value: str | int | float) -> str | int | float:
    return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_STARTS) else value


def write_csv(sheet: Sheet, out: IO[bytes], headers: Headers = "zh") -> None:
    """Write ``sheet`` as CSV (UTF-8 with BOM, CRLF) to the binary stream ``out``."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    for values in _table(sheet, headers):
        writer.writerow([_csv_safe(v) for v in values])
    out.write(text.getvalue().encode("utf-8-sig"))


def _xlsx_safe(value: str | int | float) -> str | int | float:
    return _XLSX_ILLEGAL.sub("", value) if isinstance(value, str) else value


def write_xlsx(sheet: Sheet, out: IO[bytes], headers: Headers = "zh") -> None:
    """Write ``sheet`` as an XLSX workbook (one worksheet, header row frozen) to ``out``."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    assert ws is not None  # a new workbook always has one sheet
    ws.title = sheet.name
    for values in _table(sheet, headers):
        ws.append([_xlsx_safe(v) for v in values])
    for row in ws.iter_rows(min_row=1):
        for xl_cell in row:
            if xl_cell.data_type == "f":  # text that merely looks like a formula
                xl_cell.data_type = "s"
    ws.freeze_panes = "A2"
    book.save(out)


def write_json(sheet: Sheet, out: IO[bytes]) -> None:
    """Write ``sheet`` as a JSON list of objects keyed by column key (UTF-8, no escapes)."""
    cols = sheet.columns
    doc = [{c.key: _json_value(row.get(c.key), c.kind) for c in cols} for row in sheet.rows]
    out.write(json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")


def _json_value(value: Value, kind: str) -> str | int | float | bool | None:
    if value is None or kind == "flag":
        return None if value is None else bool(value)
    return cell(value, kind)


def write(sheet: Sheet, fmt: Format, out: IO[bytes], headers: Headers = "zh") -> None:
    """Write ``sheet`` to ``out`` in ``fmt`` (``csv``, ``xlsx`` or ``json``)."""
    if fmt == "csv":
        write_csv(sheet, out, headers)
    elif fmt == "xlsx":
        write_xlsx(sheet, out, headers)
    else:
        write_json(sheet, out)


def to_bytes(sheet: Sheet, fmt: Format, headers: Headers = "zh") -> bytes:
    """The export as bytes (for an HTTP response: see :data:`MEDIA_TYPES`, :func:`filename`)."""
    buffer = io.BytesIO()
    write(sheet, fmt, buffer, headers)
    return buffer.getvalue()


def filename(sheet: Sheet, fmt: Format, now: datetime) -> str:
    """A download name such as ``challenges-20190520-1000.xlsx`` (``now`` in Asia/Taipei)."""
    return f"{sheet.name}-{now.astimezone(TZ):%Y%m%d-%H%M}.{fmt}"
