"""``aigo line setup``: check the webhook URL, optionally register it and create the rich menu.

``aigo line setup --url https://bot.example.org`` prints the full webhook URL to paste into the
LINE Developers console (the path ``/webhooks/line/webhook`` is added when missing) and refuses
anything that LINE would not call (not https, a query string …). ``--set-endpoint`` also registers
it through the Messaging API; ``--rich-menu FILE`` creates the rich menu described by the JSON
file (default ``bot/line_richmenu.json``) and makes it the default menu. Secrets are never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.config import ConfigError, Settings

WEBHOOK_PATH = "/webhooks/line/webhook"
DEFAULT_RICH_MENU = Path(__file__).resolve().parent.parent / "line_richmenu.json"


def register(subparsers: Any) -> None:
    """Add ``line setup`` to the ``aigo`` parser."""
    line = subparsers.add_parser("line", help="LINE channel tools")
    sub = line.add_subparsers(dest="line_command", metavar="COMMAND", required=True)
    setup = sub.add_parser("setup", help="check the webhook URL; register it; create the rich menu")
    setup.add_argument("--url", required=True, help="public https base or full webhook URL")
    setup.add_argument("--set-endpoint", action="store_true", help="register the URL with LINE")
    setup.add_argument(
        "--rich-menu",
        type=Path,
        nargs="?",
        const=DEFAULT_RICH_MENU,
        default=None,
        help=f"create the rich menu from a JSON file (default {DEFAULT_RICH_MENU.name})",
    )
    setup.set_defaults(handler=run_setup)


def webhook_url(url: str) -> str:
    """The full webhook URL for ``url``; raises :class:`ConfigError` when LINE can't use it."""
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.netloc:
        raise ConfigError(f"--url {url!r} must be an https:// URL (LINE only calls https webhooks)")
    if parts.query or parts.fragment:
        raise ConfigError(f"--url {url!r} must not carry a query string or fragment")
    path = parts.path.rstrip("/")
    if not path.endswith(WEBHOOK_PATH):
        path += WEBHOOK_PATH
    return f"https://{parts.netloc}{path}"


def run_setup(args: argparse.Namespace, settings: Settings) -> int:
    """Print (and optionally register) the webhook URL; create the rich menu when asked."""
    url = webhook_url(args.url)
    print(f"LINE webhook URL: {url}")
    if not settings.line_channel_secret:
        print("warning: LINE_CHANNEL_SECRET is not set; the service will refuse LINE webhooks")
    if args.set_endpoint or args.rich_menu is not None:
        if not settings.line_channel_access_token:
            raise ConfigError("LINE_CHANNEL_ACCESS_TOKEN must be set to call the LINE API")
        menu = _load_menu(args.rich_menu) if args.rich_menu is not None else None
        asyncio.run(_call_line(settings, url if args.set_endpoint else None, menu))
    return 0


def _load_menu(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read the rich menu JSON: {exc}") from exc
    return data


async def _call_line(settings: Settings, endpoint: str | None, menu: dict[str, Any] | None) -> None:
    from linebot.v3.messaging import ApiException, RichMenuRequest, SetWebhookEndpointRequest

    from bot.channels.line_sender import LineSender

    sender = LineSender(
        access_token=settings.line_channel_access_token.get(), base_url=settings.line_api_base_url
    )
    await sender.start()
    try:
        if endpoint is not None:
            await sender.api.set_webhook_endpoint(SetWebhookEndpointRequest(endpoint=endpoint))
            print("webhook endpoint registered with LINE")
        if menu is not None:
            try:
                request = RichMenuRequest.from_dict(menu)
            except ValueError as exc:
                raise ConfigError(f"rich menu JSON does not match LINE's schema: {exc}") from exc
            created = await sender.api.create_rich_menu(request)
            await sender.api.set_default_rich_menu(created.rich_menu_id)
            print(f"rich menu created and set as default: {created.rich_menu_id}")
            print("upload its image with the LINE console or the blob API (2500x843 PNG/JPEG)")
    except ApiException as exc:
        raise ConfigError(f"LINE API refused the request ({exc.status}): {exc.body!r}") from None
    finally:
        await sender.close()
