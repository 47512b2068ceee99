"""``aigo challenges list|export|review``: the organisers' view of posted challenges."""

from __future__ import annotations

import argparse
from typing import Any

from bot.commands import _export, _table, challenge_review
from bot.config import Settings
from bot.exports import Sheet


def register(subparsers: Any) -> None:
    """Add ``challenges list``, ``export`` and ``review`` to the ``aigo`` parser."""
    from db.models import CHALLENGE_STATUSES

    parser = subparsers.add_parser("challenges", help="posted challenges (list, export, review)")
    sub = parser.add_subparsers(dest="challenges_command", metavar="SUBCOMMAND", required=True)
    for name, handler, text in (
        ("list", run_list, "print a table of challenges"),
        ("export", run_export, "write every field as CSV, XLSX or JSON"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument(
            "--status", choices=CHALLENGE_STATUSES, default=None, help="only this status"
        )
        command.add_argument(
            "--organisation", default=None, help="only this organisation (any spelling)"
        )
        command.set_defaults(handler=handler)
        if name == "export":
            _export.add_arguments(command)
    challenge_review.register(sub)


def _rows(args: argparse.Namespace, settings: Settings) -> list[dict[str, str | None]]:
    from db import challenge_rows, make_engine, make_session_factory, upgrade

    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            found = challenge_rows.rows(
                session=session, status=args.status, organisation=args.organisation
            )
            return [_shown(row.as_dict()) for row in found]
    finally:
        engine.dispose()


def _shown(row: dict[str, str | None]) -> dict[str, str | None]:
    """A row as organisers read it: the stored E.164 phone in national format."""
    from actions.contact import phone_display

    phone = row.get("phone")
    return row | {"phone": phone_display(phone) if phone else None}


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    """Print reference, status, organisation and title of each challenge."""
    rows = _rows(args, settings)
    cells = [
        [r["reference"] or "-", r["status"] or "", r["organisation"] or "", r["title"] or ""]
        for r in rows
    ]
    print(_table.table(cells, ["reference", "status", "organisation", "title"]))
    print(f"{len(rows)} challenge(s)")
    return 0


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write the challenges with every field to ``--output`` or stdout."""
    return _export.emit(Sheet("challenges", _rows(args, settings)), args, "challenge(s)")
