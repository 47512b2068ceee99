"""What the LINE and Telegram channel adapters need from the rest of the service.

``turn(sender_key, text, channel, metadata)`` runs one dialogue turn and returns the engine's
Rasa-style responses; the app wires it to ``engine.handle(UserMessage(...))``. Everything here
that touches the database runs in a worker thread (sessions are synchronous).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.ratelimit import Verdict
from db import defer_flush, event_outputs, ratelimits, users
from db.models import CallbackPayload

log = logging.getLogger(__name__)

TurnHandler = Callable[[str, str, str, dict[str, Any]], Awaitable[list[dict[str, Any]]]]


@dataclass
class ChannelContext:
    """Shared dependencies of the channel adapters."""

    session_factory: sessionmaker[Session]
    now: Callable[[], datetime]
    turn: TurnHandler
    rate_limit: int = 20  # messages per sender per ``rate_window`` (shared by every worker)
    rate_window: timedelta = timedelta(seconds=10)

    async def check_rate(self, sender_key: str, sent_at: float) -> Verdict:
        """Count a message ``sender_key`` sent at ``sent_at`` (epoch seconds) in the database:
        ALLOW within the limit, NOTIFY for the first message over it, DROP after that."""
        hits = await asyncio.to_thread(self._hit, f"chat:{sender_key}", sent_at)
        if hits <= self.rate_limit:
            return Verdict.ALLOW
        return Verdict.NOTIFY if hits == self.rate_limit + 1 else Verdict.DROP

    def _hit(self, key: str, sent_at: float) -> int:
        at = datetime.fromtimestamp(sent_at, UTC)
        with self.session_factory.begin() as session:
            return ratelimits.hit(session=session, key=key, now=at, window=self.rate_window)

    async def set_active(self, channel: str, external_id: str, active: bool) -> None:
        """Mark the user behind an identity (in)active (creating the user when unknown)."""
        await asyncio.to_thread(self._set_active, channel, external_id, active)

    def _set_active(self, channel: str, external_id: str, active: bool) -> None:
        with self.session_factory.begin() as session:
            users.get_or_create_user(session=session, channel=channel, external_id=external_id)
            users.set_active(
                session=session, channel=channel, external_id=external_id, active=active
            )
        log.info("%s user %s marked %s", channel, external_id, "active" if active else "inactive")

    async def output(self, event_key: str) -> event_outputs.Output | None:
        """What ``event_key`` produced so far (responses and sending progress), or None."""
        return await asyncio.to_thread(self._output, event_key)

    def _output(self, event_key: str) -> event_outputs.Output | None:
        with self.session_factory() as session:
            return event_outputs.find(session=session, event_key=event_key)

    async def save_progress(
        self,
        event_key: str,
        sender_key: str,
        responses: list[dict[str, Any]],
        progress: dict[str, Any],
        *,
        durable: bool = True,
    ) -> None:
        """Record how far sending ``event_key``'s responses got (before and after).

        ``durable=False``: the commit does not wait for the disk (:func:`db.defer_flush`); only
        for progress whose loss merely repeats an idempotent send.
        """
        await asyncio.to_thread(
            self._save_progress, event_key, sender_key, responses, progress, durable
        )

    def _save_progress(
        self,
        event_key: str,
        sender_key: str,
        responses: list[dict[str, Any]],
        progress: dict[str, Any],
        durable: bool = True,
    ) -> None:
        with self.session_factory.begin() as session:
            if not durable:
                defer_flush(session)
            event_outputs.set_progress(
                session=session, event_key=event_key, sender_key=sender_key,
                responses=responses, progress=progress, now=self.now(),
            )  # fmt: skip

    async def store_payloads(self, payloads: list[str]) -> dict[str, str]:
        """Store long button payloads; return payload → short reference (``cb:<token>``)."""
        if not payloads:
            return {}
        return await asyncio.to_thread(self._store_payloads, sorted(set(payloads)))

    def _store_payloads(self, payloads: list[str]) -> dict[str, str]:
        refs = {p: secrets.token_urlsafe(12) for p in payloads}
        with self.session_factory.begin() as session:
            now = self.now()
            session.add_all(
                CallbackPayload(token=t, payload=p, created_at=now) for p, t in refs.items()
            )
        return {p: f"cb:{t}" for p, t in refs.items()}

    async def load_payload(self, ref: str) -> str | None:
        """The payload stored for a ``cb:<token>`` reference, or None if unknown."""
        token = ref.removeprefix("cb:")
        return await asyncio.to_thread(self._load_payload, token)

    def _load_payload(self, token: str) -> str | None:
        with self.session_factory() as session:
            stmt = sa.select(CallbackPayload.payload).where(CallbackPayload.token == token)
            return session.scalars(stmt).first()
