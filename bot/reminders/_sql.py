"""Dialect helpers for the outbox's hot-path SQL (plain text statements on the connection).

The claim and outcome statements run thousands of times per fan-out, so they skip the ORM and
expression compilation: they are ``text()`` statements with at most a handful of parameters. A
list of ids or keys is ONE parameter — a PostgreSQL array (``= ANY(:ids)``) or, on SQLite, a JSON
array read with ``json_each`` — instead of one bind parameter per element.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.orm import Session

SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # how UTCDateTime stores values on SQLite (naive UTC)


def is_postgres(session: Session) -> bool:
    """Whether ``session`` is bound to PostgreSQL (else SQLite)."""
    return session.get_bind().dialect.name == "postgresql"


def utc(at: datetime, postgres: bool) -> Any:
    """``at`` as a driver value of a ``UTCDateTime`` column (aware UTC / naive UTC text)."""
    value = at.astimezone(UTC)
    return value if postgres else value.replace(tzinfo=None).strftime(SQLITE_TIME)


def in_list(column: str, name: str, postgres: bool) -> str:
    """SQL for ``column`` ∈ the list parameter ``:name`` (see :func:`list_param`)."""
    if postgres:
        return f"{column} = ANY(:{name})"
    return f"{column} IN (SELECT value FROM json_each(:{name}))"


def list_param(values: Sequence[Any], postgres: bool) -> Any:
    """The driver value of a list parameter used with :func:`in_list`."""
    return list(values) if postgres else json.dumps(list(values))


def run(session: Session, sql: str, **params: Any) -> CursorResult[Any]:
    """Execute ``sql`` on the session's connection (no ORM bookkeeping)."""
    connection: Connection = session.connection()
    return connection.execute(sa.text(sql), params)


def fetch(session: Session, sql: str, **params: Any) -> list[Any]:
    """Execute ``sql`` and return its rows (tuples of driver values)."""
    return list(run(session, sql, **params))
