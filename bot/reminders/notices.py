"""Notices: one message to particular people about their own records, through the outbox.

Unlike reminders and broadcasts a notice goes to the users named, also when they stopped
reminders (it answers something they did: "your challenge was listed"); inactive users (blocked
the bot) get none. A user known only through the web chat gets a ``web`` row, which the dispatcher
never claims: the chat page shows it (:func:`db.notices.take_web_notices`). Users known only
over REST get none. Payload ``{"text", "notice":
true}``; ``reminder_key`` is ``notice:<subject>`` (one row per subject and user, so a repeated call
sends nothing twice). The caller owns the transaction; the dispatcher sends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.reminders.audience import PUSH_CHANNELS, Recipient
from bot.reminders.outbox import Message, enqueue
from db.models import ChannelIdentity, User
from db.notices import WEB_CHANNEL
from db.users import chat_language


def push_recipients(*, session: Session, user_ids: Iterable[int]) -> list[Recipient]:
    """One recipient per active user among ``user_ids`` (LINE, then Telegram, then the web chat;
    oldest identity), in the language they chat in (:func:`db.users.chat_language`)."""
    query = (
        sa.select(User.id, User.language, ChannelIdentity.channel, ChannelIdentity.external_id)
        .join(ChannelIdentity, ChannelIdentity.user_id == User.id)
        .where(User.id.in_(list(user_ids)), User.active.is_(True))
        .where(ChannelIdentity.channel.in_((*PUSH_CHANNELS, WEB_CHANNEL)))
        .order_by(User.id, ChannelIdentity.channel, ChannelIdentity.id)  # line < telegram < web
    )
    found: dict[int, Recipient] = {}
    for user_id, _, channel, external_id in session.execute(query):
        if user_id not in found:
            lang = chat_language(session=session, user_id=user_id) or "zh-TW"
            found[user_id] = Recipient(user_id, channel, external_id, lang, False)
    return list(found.values())


def notify(
    *,
    session: Session,
    subject: str,
    user_ids: Iterable[int],
    text: Callable[[str], str],
    now: datetime,
) -> int:
    """Enqueue ``text(lang)`` for each reachable user; return the number of rows offered."""
    messages = [
        Message(r, {"text": text(r.lang), "notice": True})
        for r in push_recipients(session=session, user_ids=user_ids)
    ]
    return enqueue(session=session, reminder_key=f"notice:{subject}", messages=messages, now=now)
