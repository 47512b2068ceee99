"""``aigo actions serve``: the real ``rasa_sdk`` action server over the ``actions`` package.

For teams running Rasa itself: point Rasa's ``endpoints.yml`` ``action_endpoint`` at
``http://HOST:5055/webhook``. The database at ``AIGO_DATABASE_URL`` is migrated before the server
starts; Rasa's plain sender ids (``alice``) are the ``rasa`` channel's users (``rasa:alice``).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from bot.config import Settings


def register(subparsers: Any) -> None:
    """Add ``actions serve`` to the ``aigo`` parser."""
    parser = subparsers.add_parser("actions", help="the Rasa action server (rasa_sdk)")
    sub = parser.add_subparsers(dest="actions_command", metavar="SUBCOMMAND", required=True)
    serve = sub.add_parser("serve", help="run the rasa_sdk action server over our actions")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=5055, help="TCP port (Rasa's default: 5055)")
    serve.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Migrate the database, then serve the actions until interrupted."""
    from rasa_sdk.endpoint import run as run_action_server

    from bot.services import make_executor
    from db import upgrade

    try:
        upgrade(settings.database_url)
    except Exception as exc:  # the operator gets one line, not a traceback
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"aigo: cannot migrate the database: {first}", file=sys.stderr)
        return 1
    # The actions open their own sessions on this URL (actions.context.turn_session).
    os.environ["AIGO_DATABASE_URL"] = settings.database_url
    if settings.now is not None:
        os.environ["AIGO_NOW"] = settings.now.isoformat()
    os.environ["SANIC_HOST"] = args.host
    print(f"AIGO actions: http://{args.host}:{args.port}/webhook", flush=True)
    run_action_server(make_executor(), port=args.port)
    return 0
