"""The ``aigo`` command line.

Each area adds its sub-commands from its own module (see ``_COMMAND_MODULES``); this module only
parses arguments, loads the settings once, and turns expected errors into one-line messages.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from bot import logs, redact
from bot.commands._help import AigoParser, package_version
from bot.config import ConfigError, Settings

Handler = Callable[[argparse.Namespace, Settings], int]

# Modules exposing ``register(subparsers) -> None``; each sets ``handler`` on its parsers.
_COMMAND_MODULES = [
    "bot.commands.chat",
    "bot.commands.serve",
    "bot.commands.db",
    "bot.commands.knowledge",
    "bot.commands.challenges",
    "bot.commands.teams",
    "bot.commands.users",
    "bot.commands.nlu",
    "bot.commands.reminders",
    "bot.commands.mail",
    "bot.commands.broadcast",
    "bot.commands.line",
    "bot.commands.telegram",
    "bot.commands.admin",
    "bot.commands.actions",
]


def build_parser() -> argparse.ArgumentParser:
    """Return the ``aigo`` parser with every area's sub-commands."""
    parser = AigoParser(
        prog="aigo",
        description="AIGO Assistant: the programme's chatbot service and its organiser tools.",
    )
    parser.add_argument("--version", action="version", version=f"aigo {package_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``aigo``; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Any = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        settings = Settings.from_env(os.environ)
    except ConfigError as exc:
        print(f"aigo: configuration error: {exc}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level, settings.log_format)
    redact.install(settings.secret_values())
    try:
        return int(handler(args, settings))
    except ConfigError as exc:
        print(f"aigo: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
