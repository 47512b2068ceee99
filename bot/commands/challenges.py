"""``aigo challenges list|export``: the organisers' view of posted challenges."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.commands import _export
from bot.config import Settings


def register(subparsers: Any) -> None:
    """Add ``challenges list`` and ``challenges export`` to the ``aigo`` parser."""
    parser = subparsers.add_parser("challenges", help="posted challenges (list, export)")
    sub = parser.add_subparsers(dest="challenges_command", metavar="SUBCOMMAND", required=True)
    for name, handler, text in (
        ("list", run_list, "print a table of challenges"),
        ("export", run_export, "write every field as JSON or CSV"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("--status", choices=["draft", "submitted"], default=None)
        command.add_argument(
            "--organisation", default=None, help="only this organisation (exact name)"
        )
        command.set_defaults(handler=handler)
        if name == "export":
            command.add_argument("--format", choices=_export.FORMATS, required=True)
            command.add_argument("--output", default=None, help="file to write (default: stdout)")


def _rows(args: argparse.Namespace, settings: Settings) -> list[dict[str, str | None]]:
    from db import challenges, make_engine, make_session_factory, upgrade

    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            found = challenges.rows(
                session=session, status=args.status, organisation=args.organisation
            )
            return [row.as_dict() for row in found]
    finally:
        engine.dispose()


def columns() -> list[str]:
    """The export's column order."""
    from db.challenges import CHALLENGE_FIELDS, DATASET_FIELDS

    head = ["reference", "status", "organisation", "contact_name", "phone", "email"]
    return [*head, *CHALLENGE_FIELDS, *(f"dataset_{f}" for f in DATASET_FIELDS)]


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    """Print reference, status, organisation and title of each challenge."""
    rows = _rows(args, settings)
    cells = [
        [r["reference"] or "-", r["status"] or "", r["organisation"] or "", r["title"] or ""]
        for r in rows
    ]
    print(_export.table(cells, ["reference", "status", "organisation", "title"]))
    print(f"{len(rows)} challenge(s)")
    return 0


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write the challenges with every field to ``--output`` or stdout."""
    rows = _rows(args, settings)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            _export.write(rows, columns(), args.format, out)
        print(f"wrote {len(rows)} challenge(s) to {args.output}", file=sys.stderr)
    else:
        _export.write(rows, columns(), args.format, sys.stdout)
    return 0
