"""Telegram deep links that join a team: ``t.me/<bot>?start=join-<invite code>``.

Kept apart from :mod:`bot.channels.telegram` so that the web pages can build the link without
importing python-telegram-bot (the service imports the SDKs only when a channel is configured).
"""

from __future__ import annotations

import json
import re

JOIN_PREFIX = "join-"  # t.me/<bot>?start=join-<invite code> joins that team
_START_PARAMETER = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what Telegram allows in ?start=


def join_link(username: str, code: str) -> str:
    """The deep link that opens the bot and joins the team with invite ``code``."""
    return f"https://t.me/{username}?start={JOIN_PREFIX}{code}"


def start_payload(text: str) -> str | None:
    """The turn for ``/start <parameter>``: ``join-<code>`` is the invite code typed (the join
    form checks and counts it like any typed code); None for a plain or another ``/start``."""
    _, _, parameter = text.partition(" ")
    parameter = parameter.strip()
    if not parameter.startswith(JOIN_PREFIX) or not _START_PARAMETER.fullmatch(parameter):
        return None
    code = parameter[len(JOIN_PREFIX) :]
    return "/join_team" + json.dumps({"invite_code": code}) if code else None
