"""``aigo chat``: talk to the bot in the terminal (or through a pipe)."""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
from typing import Any

from bot.config import Settings


def register(subparsers: Any) -> None:
    """Add ``chat`` to the ``aigo`` parser."""
    parser = subparsers.add_parser(
        "chat", help="talk to the bot in the terminal (buttons are numbered choices)"
    )
    parser.add_argument(
        "--sender",
        default=None,
        help="continue the conversation with this name (default: a new conversation each run)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Converse on stdin/stdout until end of input: a new conversation unless ``--sender``."""
    from bot.channels.console import run_console
    from bot.services import build_services

    services = build_services(settings)
    interactive = sys.stdin.isatty()
    sender = args.sender or f"local-{secrets.token_hex(4)}"
    if interactive:
        print(f"conversation {sender!r}; /quit or Ctrl-D leaves", flush=True)
    try:
        return asyncio.run(
            run_console(
                services.engine,
                sender=sender,
                stdin=sys.stdin,
                stdout=sys.stdout,
                prompt=interactive,
                echo=not interactive,
            )
        )
    finally:
        services.close()
