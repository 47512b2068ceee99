"""``aigo chat``: talk to the bot in the terminal (or through a pipe)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from bot.config import Settings


def register(subparsers: Any) -> None:
    """Add ``chat`` to the ``aigo`` parser."""
    parser = subparsers.add_parser(
        "chat", help="talk to the bot in the terminal (buttons are numbered choices)"
    )
    parser.add_argument("--sender", default="local", help="conversation id (default: local)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Build the services and converse on stdin/stdout until end of input."""
    from bot.channels.console import run_console
    from bot.services import build_services

    services = build_services(settings)
    try:
        return asyncio.run(
            run_console(
                services.engine,
                sender=args.sender,
                stdin=sys.stdin,
                stdout=sys.stdout,
                prompt=sys.stdin.isatty(),
            )
        )
    finally:
        services.close()
