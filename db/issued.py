"""Button payloads the bot issued for one exact action (stored in ``callback_payloads``).

A destructive action (remove a member, withdraw, leave, unsubscribe …) runs without asking again
only when the message is a button the bot itself issued to that sender for that exact action and
arguments. :func:`issue` stores ``{"sender", "intent", "args"}`` under a random token (prefixed
:data:`TOKEN_PREFIX` so it never collides with the channels' long-payload references) and
:func:`matches` checks a token against what the message asks. A typed ``/remove_member{…}`` carries
no valid token, so it is confirmed like any typed request; so does a button older than
:data:`ISSUED_TTL` (the team may have changed since it was shown).

Functions take a keyword-only ``session``, may flush, never commit.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from db.models import CallbackPayload

TOKEN_PREFIX = "act."
ISSUED_TTL = timedelta(days=1)


def _canonical(sender_key: str, intent: str, args: Mapping[str, str]) -> str:
    body = {"sender": sender_key, "intent": intent, "args": {k: str(v) for k, v in args.items()}}
    return json.dumps(body, ensure_ascii=False, sort_keys=True)


def issue(
    *, session: Session, sender_key: str, intent: str, args: Mapping[str, str], now: datetime
) -> str:
    """Store the action and return its token (URL-safe, 12 characters)."""
    token = secrets.token_urlsafe(9)
    payload = _canonical(sender_key, intent, args)
    session.add(CallbackPayload(token=TOKEN_PREFIX + token, payload=payload, created_at=now))
    session.flush()
    return token


def matches(
    *,
    session: Session,
    token: str,
    sender_key: str,
    intent: str,
    args: Mapping[str, str],
    now: datetime,
) -> bool:
    """True when ``token`` was issued to ``sender_key`` for exactly ``intent`` with ``args`` less
    than :data:`ISSUED_TTL` before ``now``."""
    row = session.scalar(
        sa.select(CallbackPayload).where(CallbackPayload.token == TOKEN_PREFIX + token)
    )
    fresh = row is not None and now - row.created_at <= ISSUED_TTL
    return fresh and row is not None and row.payload == _canonical(sender_key, intent, args)
