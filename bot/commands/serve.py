"""``aigo serve``: run the ASGI service with uvicorn."""

from __future__ import annotations

import argparse
from typing import Any

from bot.config import Settings


def register(subparsers: Any) -> None:
    """Add ``serve`` to the ``aigo`` parser."""
    parser = subparsers.add_parser("serve", help="start the service (HTTP)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=5005, help="TCP port to listen on")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Start uvicorn on ``--host``/``--port`` and serve until interrupted."""
    import uvicorn

    from bot.app import create_app

    where = _where(settings)
    print(f"AIGO Assistant: http://{args.host}:{args.port} (database {where})", flush=True)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="warning")
    return 0


def _where(settings: Settings) -> str:
    """The database in a form safe to print (no password)."""
    url = settings.database_url
    if url.startswith("sqlite"):
        return url.split("///", 1)[-1]
    return url.split("@", 1)[-1]
