"""Personal notices pushed through the reminders' outbox (``deliveries``).

:func:`notify` writes one pending delivery to the user's oldest push-capable identity (LINE or
Telegram), with payload ``{"text", "broadcast": true, "notice": kind}`` so the dispatcher sends it
like a broadcast (no subscription needed; users who opted out or blocked the bot get none).
Users known only over REST or the console get no row: there is nowhere to push. A LINE row gets
its own retry key (the dispatcher claims LINE rows by batch key; this batch has one row).

Functions take a keyword-only ``session``, may flush, never commit.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from db.models import Delivery
from db.users import identities_of

PUSH_CHANNELS = ("line", "telegram")


def notify(*, session: Session, user_id: int, text: str, kind: str, now: datetime) -> int:
    """Queue ``text`` for the user; return the number of rows written (0 or 1)."""
    key = f"notice:{kind}:{uuid.uuid4().hex[:12]}"
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
        for identity in identities_of(session=session, user_id=user_id)
        if identity.channel in PUSH_CHANNELS
    ][:1]  # UNIQUE(reminder_key, user_id): one row per user
    session.add_all(targets)
    session.flush()
    return len(targets)
