"""``aigo teams list|export``: the organisers' view of teams and their members."""

from __future__ import annotations

import argparse
from typing import Any

from bot.commands import _export, _table
from bot.config import Settings
from bot.exports import Sheet


def register(subparsers: Any) -> None:
    """Add ``teams list`` and ``teams export`` to the ``aigo`` parser."""
    parser = subparsers.add_parser("teams", help="solving teams (list, export)")
    sub = parser.add_subparsers(dest="teams_command", metavar="SUBCOMMAND", required=True)
    listing = sub.add_parser("list", help="print a table of teams")
    listing.set_defaults(handler=run_list)
    export = sub.add_parser("export", help="write one row per member as CSV, XLSX or JSON")
    _export.add_arguments(export)
    export.set_defaults(handler=run_export)


def _rows(settings: Settings) -> list[dict[str, str | bool | None]]:
    from db import make_engine, make_session_factory, upgrade
    from db.teams import member_rows

    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            return member_rows(session=session)
    finally:
        engine.dispose()


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    """Print each team with its size, leader and applications."""
    rows = _rows(settings)
    teams: dict[str, list[dict[str, str | bool | None]]] = {}
    for row in rows:
        teams.setdefault(str(row["team"]), []).append(row)
    cells = []
    for name, members in teams.items():
        leader = next((m["name"] or m["user_id"] for m in members if m["role"] == "leader"), "")
        cells.append([name, str(len(members)), str(leader), str(members[0]["applications"] or "-")])
    print(_table.table(cells, ["team", "members", "leader", "applications"]))
    print(f"{len(teams)} team(s)")
    return 0


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write one row per member (team, role, profile, applications)."""
    return _export.emit(Sheet("teams", _rows(settings)), args, "row(s)")
