"""``aigo mail status|send``: the e-mail outbox (organisation codes) and sending it now."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from bot.config import Settings


def register(subparsers: Any) -> None:
    """Add ``mail`` (with ``status`` and ``send``) to the ``aigo`` parser."""
    parser = subparsers.add_parser("mail", help="the e-mail outbox (organisation codes)")
    commands = parser.add_subparsers(dest="mail_command", metavar="COMMAND", required=True)
    status = commands.add_parser("status", help="e-mails per state (pending, sent, dead …)")
    status.set_defaults(handler=run_status)
    send = commands.add_parser("send", help="send what is due now through AIGO_SMTP_*, exit")
    send.set_defaults(handler=run_send)


def run_status(args: argparse.Namespace, settings: Settings) -> int:
    """Print the outbox's count per state; exit 1 when some are dead or of unknown outcome."""
    from bot.reminders.runtime import open_db
    from db import email_outbox

    engine, sessions = open_db(settings)
    try:
        with sessions() as session:
            counts = email_outbox.counts(session=session)
    finally:
        engine.dispose()
    print("  ".join(f"{status} {count}" for status, count in counts.items()))
    if not settings.smtp_host and counts["pending"]:
        print("AIGO_SMTP_HOST is not set: pending e-mails wait for it", file=sys.stderr)
    return 1 if counts["dead"] or counts["unknown"] else 0


def run_send(args: argparse.Namespace, settings: Settings) -> int:
    """Send every due e-mail now and print what happened."""
    from bot.mail.service import dispatcher_for
    from bot.reminders.runtime import open_db

    engine, sessions = open_db(settings)
    try:
        dispatcher = dispatcher_for(settings, sessions)
        if dispatcher is None:
            print("aigo mail send: set AIGO_SMTP_HOST (and AIGO_SMTP_FROM) first", file=sys.stderr)
            return 2
        stats = asyncio.run(dispatcher.drain())
    finally:
        engine.dispose()
    print(f"sent {stats.sent}, retried {stats.retried}, dead {stats.dead}, unknown {stats.unknown}")
    return 1 if stats.dead or stats.unknown else 0
