"""The organisers' review of a challenge: list it, return it with a reason, or close it.

One function for ``aigo challenges review`` and the console's challenge page. :func:`review`, in the
caller's transaction: finds the challenge, applies the transition (:mod:`db.challenge_states`),
queues the notice to the organisation's chat in its language (:mod:`bot.reminders.notices`: the
dispatcher pushes it over LINE or Telegram) and writes the audit entry
(:func:`bot.organisers.audit`). Nothing is written when the review is refused.

Errors (one class, :class:`ReviewRefused`, with ``key``)::

    not_found     no challenge has this reference
    needs_reason  "return" without a reason the organisation can act on
    not_allowed   the challenge's state does not allow the action (e.g. close while submitted)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from bot import organisers
from bot.reminders import notices
from bot.reminders.texts import lang_of, messages
from db import challenges
from db.challenge_states import InvalidTransition
from db.models import Challenge

ReviewAction = Literal["list", "return", "close"]
ACTIONS: tuple[ReviewAction, ...] = ("list", "return", "close")
# action -> the notice in bot/reminders/messages.yml
NOTICES: dict[ReviewAction, str] = {
    "list": "challenge_listed", "return": "challenge_returned", "close": "challenge_closed",
}  # fmt: skip
MAX_REASON = 1000


class ReviewRefused(Exception):
    """The review was not applied: ``key`` says why (see the module docstring)."""

    def __init__(self, key: str, reference: str, detail: str) -> None:
        super().__init__(detail)
        self.key, self.reference, self.detail = key, reference, detail


@dataclass(frozen=True)
class Reviewed:
    """A review applied: the challenge's new ``status``, and how many notices were queued."""

    reference: str
    status: str
    organisation: str
    queued: int


def owners(challenge: Challenge) -> list[int]:
    """The users who speak for the challenge's organisation in chat (told about its review)."""
    owner = challenge.created_by_user_id or challenge.organisation.created_by_user_id
    return [owner] if owner else []


def review(
    *,
    session: Session,
    reference: str,
    action: ReviewAction,
    now: datetime,
    actor: str,
    reason: str = "",
) -> Reviewed:
    """Apply ``action`` to the challenge ``reference`` (see the module docstring); ``actor`` is the
    organiser's e-mail or ``cli``. Raises :class:`ReviewRefused`."""
    wanted = reference.strip().upper()
    reason = reason.strip()[:MAX_REASON]
    if action == "return" and not reason:
        raise ReviewRefused(
            "needs_reason", wanted, "a return needs a reason the organisation can act on"
        )
    found = challenges.find_by_reference(session=session, reference=wanted)
    if found is None:
        raise ReviewRefused("not_found", wanted, f"no challenge {wanted}")
    try:
        challenges.transition(
            session=session, challenge=found, action=action, now=now, note=reason or None
        )
    except InvalidTransition as bad:
        raise ReviewRefused("not_allowed", wanted, str(bad)) from None
    values: dict[str, Any] = {"reference": found.reference, "title": found.title or "-",
                              "reason": reason}  # fmt: skip
    template = messages()[NOTICES[action]]
    queued = notices.notify(
        session=session,
        subject=f"{found.reference}:{action}:{now.isoformat()}",
        user_ids=owners(found),
        text=lambda lang: str(template[lang_of(lang)]).format(**values),
        now=now,
    )
    detail = {"reason": reason} if reason else {}
    organisers.audit(
        session=session, actor=actor, action=f"challenge.{action}", target=wanted, **detail
    )
    return Reviewed(str(found.reference), found.status, found.organisation.name, queued)
