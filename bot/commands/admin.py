"""``aigo admin add|list|audit``: organiser accounts for the web console, and the audit log.

``add`` asks for the password twice (or reads one line from stdin with ``--password-stdin``, for
scripts); running it again for an existing e-mail changes the password and role. Each change is
written to the audit log with the actor ``cli``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.commands import _export
from bot.config import Settings
from bot.exports import Sheet
from db import make_engine, make_session_factory, upgrade
from db.models import ORGANISER_ROLES


def register(subparsers: Any) -> None:
    """Add ``admin add`` and ``admin list`` to the ``aigo`` parser."""
    parser = subparsers.add_parser("admin", help="organiser accounts of the web console")
    sub = parser.add_subparsers(dest="admin_command", metavar="SUBCOMMAND", required=True)
    add = sub.add_parser("add", help="create an account, or change its password and role")
    add.add_argument("email")
    add.add_argument(
        "--role", choices=ORGANISER_ROLES, required=True, help="viewer reads; editor also changes"
    )
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(handler=run_add)
    listing = sub.add_parser("list", help="print the accounts")
    listing.set_defaults(handler=run_list)
    audit = sub.add_parser("audit", help="write the audit log (who changed what, when)")
    _export.add_arguments(audit)
    audit.set_defaults(handler=run_audit)


def _open(settings: Settings) -> tuple[Engine, sessionmaker[Session]]:
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    return engine, make_session_factory(engine)


def _fail(message: str) -> int:
    print(f"aigo admin: {message}", file=sys.stderr)
    return 2


def _password(from_stdin: bool) -> str | None:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        return None
    return first


def run_add(args: argparse.Namespace, settings: Settings) -> int:
    """Create or update one account."""
    from bot import organisers
    from db.organisers import UnknownRole

    password = _password(args.password_stdin)
    if password is None:
        return _fail("the two passwords differ; nothing changed")
    engine, sessions = _open(settings)
    try:
        with sessions.begin() as session:
            created = organisers.add(
                session=session, email=args.email, password=password, role=args.role, actor="cli"
            )
    except (organisers.WeakPassword, UnknownRole, ValueError) as exc:
        return _fail(f"{exc}; nothing changed")
    finally:
        engine.dispose()
    print(f"{'added' if created else 'updated'} {args.email.strip().lower()} ({args.role})")
    return 0


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    """Print the accounts as a table."""
    from bot.commands._table import table
    from db.organisers import accounts

    engine, sessions = _open(settings)
    try:
        with sessions() as session:
            rows = [
                [a.email, a.role, "yes" if a.active else "no", _when(a.last_login_at)]
                for a in accounts(session=session)
            ]
    finally:
        engine.dispose()
    print(table(rows, ["email", "role", "active", "last sign-in"]) if rows else "no accounts")
    return 0


def _when(at: Any) -> str:
    from knowledge import TZ

    return at.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if at is not None else "-"


def run_audit(args: argparse.Namespace, settings: Settings) -> int:
    """Write the audit log as CSV, XLSX or JSON (the console's download, the same columns)."""
    from db.organisers import audit_rows

    engine, sessions = _open(settings)
    try:
        with sessions() as session:
            rows = audit_rows(session=session)
    finally:
        engine.dispose()
    return _export.emit(Sheet("audit", rows), args, "entry(ies)")
