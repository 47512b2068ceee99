"""``aigo users export SENDER``: everything held about one person, as JSON (a copy for a data
subject's request under Taiwan's Personal Data Protection Act)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.config import Settings


def register(subparsers: Any) -> None:
    """Add ``users export`` to the ``aigo`` parser."""
    parser = subparsers.add_parser("users", help="one person's data (export)")
    sub = parser.add_subparsers(dest="users_command", metavar="SUBCOMMAND", required=True)
    export = sub.add_parser("export", help="print everything held about SENDER as JSON")
    export.add_argument("sender", help="sender key, e.g. line:U123…, telegram:12345, rest:alice")
    export.add_argument("--output", default=None, help="file to write (default: stdout)")
    export.set_defaults(handler=run_export)


def _data(settings: Settings, sender: str) -> dict[str, Any] | None:
    from db import make_engine, make_session_factory, upgrade
    from db.privacy import personal_data
    from db.users import find_user, parse_sender_key

    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            channel, external_id = parse_sender_key(sender)
            user = find_user(session=session, channel=channel, external_id=external_id)
            return None if user is None else personal_data(session=session, user_id=user.id)
    finally:
        engine.dispose()


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write the person's data as JSON; exit 1 with a message when nobody has that sender key."""
    try:
        data = _data(settings, args.sender)
    except ValueError:
        data = None
    if data is None:
        print(f"aigo: no user with sender key {args.sender!r}", file=sys.stderr)
        return 1
    text = json.dumps({"sender": args.sender, **data}, ensure_ascii=False, indent=2)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(text + "\n")
    else:
        print(text)
    return 0
