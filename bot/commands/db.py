"""``aigo db upgrade``: apply the bundled migrations to ``AIGO_DATABASE_URL``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.config import Settings


def register(subparsers: Any) -> None:
    """Add ``db`` (with ``upgrade`` and ``current``) to the ``aigo`` parser."""
    parser = subparsers.add_parser("db", help="database migrations")
    commands = parser.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    upgrade = commands.add_parser("upgrade", help="apply migrations up to the newest revision")
    upgrade.set_defaults(handler=run_upgrade)
    current = commands.add_parser("current", help="print the database's migration revision")
    current.set_defaults(handler=run_current)


def _where(url: str) -> str:
    from db import normalise_url

    return normalise_url(url).render_as_string(hide_password=True)


def run_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    """Upgrade the database to head and print the revision it is at."""
    import db

    try:
        db.upgrade(settings.database_url)
        revision = db.current_revision(settings.database_url)
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(
            f"aigo db upgrade: failed on {_where(settings.database_url)}: {first}", file=sys.stderr
        )
        return 1
    print(f"database {_where(settings.database_url)} is at revision {revision} (head)")
    return 0


def run_current(args: argparse.Namespace, settings: Settings) -> int:
    """Print the database's revision and the newest bundled one."""
    import db

    try:
        revision = db.current_revision(settings.database_url)
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(
            f"aigo db current: failed on {_where(settings.database_url)}: {first}", file=sys.stderr
        )
        return 1
    print(
        f"database {_where(settings.database_url)}: revision {revision or 'none'}; "
        f"head {db.head_revision()}"
    )
    return 0 if revision == db.head_revision() else 1
