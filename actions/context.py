"""What an action knows about the turn it runs in: the clock and the database session.

- **Now**: the engine puts the turn's time (ISO 8601 with offset) in the latest message's metadata
  under ``"now"``; :func:`turn_now` reads it (falling back to the real time in Asia/Taipei when an
  action server is driven by a Rasa server that doesn't send it).
- **Session**: in-process, the engine binds the turn's SQLAlchemy session with :func:`bind_session`
  (a ``ContextVar``), so an action's writes commit in the same single transaction as the turn's
  events. :func:`turn_session` yields that session and never commits it. Under the standalone
  action server (``python -m rasa_sdk --actions actions``) nothing is bound: :func:`turn_session`
  opens its own session on ``AIGO_DATABASE_URL`` (default ``sqlite:///var/aigo.db``), migrating
  that database first (:class:`DatabaseUnavailable` says clearly when it cannot), and commits it
  when the block ends without error (rolls back otherwise).
- **Sender**: :func:`sender_key` is the tracker's sender as a ``<channel>:<id>`` key; a Rasa
  server's plain ids (``alice``) belong to the ``rasa`` channel (``rasa:alice``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Tracker
from sqlalchemy.orm import Session, sessionmaker

from db.models import CHANNELS
from db.session import make_engine, make_session_factory, upgrade

TZ = ZoneInfo("Asia/Taipei")
_SESSION: ContextVar[Session | None] = ContextVar("aigo_turn_session", default=None)
RASA_CHANNEL = "rasa"


class DatabaseUnavailable(RuntimeError):
    """The standalone action server cannot migrate or open its database (``url``: no password)."""

    def __init__(self, url: str, problem: str) -> None:
        super().__init__(
            f"the action server cannot use the database {url}: {problem} "
            "(check AIGO_DATABASE_URL, then run `aigo db upgrade`)"
        )
        self.url, self.problem = url, problem


def sender_key(tracker: Tracker) -> str:
    """``tracker.sender_id`` as a sender key; a plain Rasa id ``alice`` is ``rasa:alice``."""
    key = str(tracker.sender_id)
    channel, sep, rest = key.partition(":")
    return key if sep and rest and channel in CHANNELS else f"{RASA_CHANNEL}:{key}"


def turn_now(tracker: Tracker) -> datetime:
    """The turn's ``now`` (aware, Asia/Taipei) from the latest message's metadata."""
    metadata: dict[str, Any] = (tracker.latest_message or {}).get("metadata") or {}
    raw = metadata.get("now")
    if isinstance(raw, str):
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            value = None
        if value is not None and value.tzinfo is not None:
            return value.astimezone(TZ)
    frozen = os.environ.get("AIGO_NOW", "").strip()  # the standalone server's frozen clock
    if frozen:
        try:
            return datetime.fromisoformat(frozen).astimezone(TZ)
        except ValueError:
            pass
    return datetime.now(TZ)


@contextmanager
def bind_session(session: Session) -> Iterator[None]:
    """Make ``session`` the turn session for actions run inside the block (engine use)."""
    token = _SESSION.set(session)
    try:
        yield
    finally:
        _SESSION.reset(token)


@lru_cache(maxsize=4)
def _standalone_factory(url: str) -> sessionmaker[Session]:
    """A session factory on ``url``, migrated to head first (a never-migrated database works)."""
    try:
        upgrade(url)
    except Exception as exc:
        safe = url.split("@", 1)[-1]
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseUnavailable(safe, first) from exc
    return make_session_factory(make_engine(url))


@contextmanager
def turn_session() -> Iterator[Session]:
    """Yield the turn's session (in-process) or a self-committing one (standalone server)."""
    bound = _SESSION.get()
    if bound is not None:
        yield bound
        return
    url = os.environ.get("AIGO_DATABASE_URL", "").strip() or "sqlite:///var/aigo.db"
    with _standalone_factory(url)() as session, session.begin():
        yield session
