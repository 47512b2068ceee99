"""Options and output of the ``export`` sub-commands (files are made by :mod:`bot.exports`)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot import exports


def add_arguments(parser: Any) -> None:
    """Add ``--format``, ``--headers`` and ``--output`` to an export sub-command."""
    parser.add_argument(
        "--format",
        choices=exports.FORMATS,
        default="csv",
        help="csv: UTF-8 with BOM for Excel; xlsx: an Excel workbook; json: keyed by column",
    )
    parser.add_argument(
        "--headers", choices=exports.HEADERS, default="zh", help="header row language"
    )
    parser.add_argument("--output", default=None, help="file to write (default: stdout)")


def emit(sheet: exports.Sheet, args: argparse.Namespace, what: str) -> int:
    """Write ``sheet`` to ``--output`` (or stdout); refuse XLSX on a terminal. Exit code."""
    if args.output is None and args.format == "xlsx" and sys.stdout.isatty():
        print("aigo: an XLSX export needs --output FILE", file=sys.stderr)
        return 2
    if args.output is None:
        sys.stdout.flush()
        exports.write(sheet, args.format, sys.stdout.buffer, args.headers)
        sys.stdout.buffer.flush()
        return 0
    with open(args.output, "wb") as out:
        exports.write(sheet, args.format, out, args.headers)
    print(f"wrote {len(sheet.rows)} {what} to {args.output}", file=sys.stderr)
    return 0
