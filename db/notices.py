"""Personal notices pushed through the reminders' outbox (``deliveries``).

:func:`notify` writes one pending delivery to the user's oldest push-capable identity (LINE or
Telegram), with payload ``{"text", "broadcast": true, "notice": kind}`` so the dispatcher sends it
like a broadcast (no subscription needed; users who opted out or blocked the bot get none).
A user known only through the web chat gets a ``web`` row instead: the dispatcher never claims it;
the chat page collects it with :func:`take_web_notices` when the user next opens or uses the chat.
Users known only over REST or the console get no row: there is nowhere to deliver. A LINE row gets
its own retry key (the dispatcher claims LINE rows by batch key; this batch has one row).

Functions take a keyword-only ``session``, may flush, never commit.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from db.models import Delivery
from db.users import identities_of

PUSH_CHANNELS = ("line", "telegram")
WEB_CHANNEL = "web"  # collected by the web chat page, never by the dispatcher


def notify(*, session: Session, user_id: int, text: str, kind: str, now: datetime) -> int:
    """Queue ``text`` for the user; return the number of rows written (0 or 1)."""
    key = f"notice:{kind}:{uuid.uuid4().hex[:12]}"
    identities = identities_of(session=session, user_id=user_id)
    reachable = [i for i in identities if i.channel in PUSH_CHANNELS] or [
        i for i in identities if i.channel == WEB_CHANNEL
    ]
    targets = [
        Delivery(
            reminder_key=key,
            user_id=user_id,
            channel=identity.channel,
            external_id=identity.external_id,
            payload={"text": text, "broadcast": True, "notice": kind},
            retry_key=str(uuid.uuid4()) if identity.channel == "line" else None,
            next_attempt_at=now,
            created_at=now,
        )
        for identity in reachable
    ][:1]  # UNIQUE(reminder_key, user_id): one row per user
    session.add_all(targets)
    session.flush()
    return len(targets)


def take_web_notices(*, session: Session, user_id: int, now: datetime) -> list[str]:
    """The user's undelivered web-chat notices, oldest first, marked sent (each is shown once)."""
    rows = list(
        session.scalars(
            sa.select(Delivery)
            .where(
                Delivery.user_id == user_id,
                Delivery.channel == WEB_CHANNEL,
                Delivery.status == "pending",
            )
            .order_by(Delivery.id)
            .with_for_update(skip_locked=True)
        )
    )
    for row in rows:
        row.status, row.sent_at, row.attempts = "sent", now, row.attempts + 1
    session.flush()
    return [str(row.payload.get("text", "")) for row in rows if row.payload.get("text")]
