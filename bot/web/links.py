"""Links to web pages in chat replies.

An action asks for a page with a reply ``{"text": intro, "custom": {"type": "web_page",
"purpose": <a page of bot.web.identity.PAGES>, "title": button label}}`` (actions never sign
anything: they don't know the secret key). After the turn, :func:`add_page_links` turns it into
a signed link for the sender (:func:`bot.web.identity.link_for`): on the web chat a link button
(``links: [{"title", "url"}]``), on every other channel the URL on its own line under the text
(LINE and Telegram make it tappable; a Telegram URL button would refuse ``http://127.0.0.1``).
"""

from __future__ import annotations

from typing import Any

from bot.config import Settings
from bot.dialogue import UserMessage
from bot.web.identity import PAGES, link_for

WEB_CHANNEL = "web"


def _page(reply: dict[str, Any]) -> dict[str, Any] | None:
    custom = reply.get("custom")
    if isinstance(custom, dict) and custom.get("type") == "web_page":
        return custom
    return None


def add_page_links(
    replies: list[dict[str, Any]], message: UserMessage, settings: Settings
) -> list[dict[str, Any]]:
    """``replies`` with every ``web_page`` request replaced by a signed link (see the module)."""
    out = []
    for reply in replies:
        page = _page(reply)
        if page is None or page.get("purpose") not in PAGES:
            out.append(reply)
            continue
        url = link_for(settings, purpose=str(page["purpose"]), sender_key=message.sender_key)
        shown = {k: v for k, v in reply.items() if k != "custom"}
        if message.channel == WEB_CHANNEL:
            title = str(page.get("title") or reply.get("text") or url)
            shown["links"] = [*(reply.get("links") or []), {"title": title, "url": url}]
        else:
            shown["text"] = "\n".join(p for p in (str(reply.get("text") or ""), url) if p)
        out.append(shown)
    return out
