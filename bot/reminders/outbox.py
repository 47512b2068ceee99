"""The outbox (``deliveries``): enqueue, claim, record outcomes, recover after a crash.

Lifecycle of a row::

    pending ──claim──▶ sending ──▶ sent
       ▲                  │  ├──▶ pending (retry later: 429 / 5xx / timeout, attempts < max)
       └──── recover ─────┘  ├──▶ dead    (attempts exhausted, invalid request, auth failure)
                             └──▶ skipped (user inactive / opted out / no longer subscribed)

- LINE rows are grouped at enqueue time into multicast batches of ≤ 500 rows sharing one
  ``retry_key`` (a UUID, the ``X-Line-Retry-Key``). A batch is claimed, retried and recovered as a
  whole, always with the same key, so LINE executes it at most once (a repeat answers 409).
- Telegram rows are single messages, claimed in small batches.
- Claiming (several dispatchers never claim the same row) is :mod:`bot.reminders.claims`;
  recording outcomes and crash recovery is :mod:`bot.reminders.outcomes`.
- Quiet hours: a row for a user with quiet hours is not due between 22:00 and 08:00 (Asia/Taipei)
  unless what it is about falls before the next 08:00.

All functions take a keyword-only ``session`` and never commit; the caller owns the transaction.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.reminders._sql import utc
from bot.reminders.audience import Recipient
from db.models import Delivery
from knowledge import TZ

LINE_BATCH = 500
QUIET_START = time(22, 0)
QUIET_END = time(8, 0)
ANALYZE_AFTER = 10_000


def deliver_at(now: datetime, due_at: datetime | None, quiet_hours: bool) -> datetime:
    """When a message created at ``now`` may go out: ``now``, or 08:00 after a quiet night.

    Quiet hours are 22:00–08:00 Asia/Taipei; they are ignored when ``due_at`` comes before the
    end of the quiet period (the deadline is sooner than the morning).
    """
    local = now.astimezone(TZ)
    if not quiet_hours or QUIET_END <= local.time() < QUIET_START:
        return now
    morning = datetime.combine(local.date(), QUIET_END, TZ)
    if local.time() >= QUIET_START:
        morning += timedelta(days=1)
    if due_at is not None and due_at <= morning:
        return now
    return morning


@dataclass(frozen=True)
class Message:
    """One outbox entry to write: a recipient and the payload (``{"text": ...}`` plus context)."""

    recipient: Recipient
    payload: dict[str, Any]


_COPY_COLUMNS = (
    "reminder_key", "user_id", "channel", "external_id", "payload", "retry_key",
    "next_attempt_at", "created_at",
)  # fmt: skip
_INSERT = (
    f"INSERT INTO deliveries ({', '.join(_COPY_COLUMNS)}, status, attempts) "
    "{source} ON CONFLICT (reminder_key, user_id) DO NOTHING"
)


def _bulk_insert(session: Session, rows: list[tuple[Any, ...]]) -> None:
    """Insert outbox rows fast, skipping (reminder_key, user_id) pairs that exist.

    At 100,000 rows, per-row type processing costs more than the database work, so this goes
    to the driver: PostgreSQL ``COPY`` into a temporary table, then one ``INSERT … SELECT … ON
    CONFLICT DO NOTHING``; SQLite ``executemany``. ``rows`` hold :data:`_COPY_COLUMNS` with the
    payload as JSON text and datetimes in UTC (aware for PostgreSQL, naive text for SQLite).
    """
    driver: Any = session.connection().connection.driver_connection
    if session.get_bind().dialect.name == "postgresql":
        with driver.cursor() as cur:
            cur.execute(
                "CREATE TEMP TABLE outbox_in (reminder_key text, user_id int, channel text, "
                "external_id text, payload json, retry_key text, next_attempt_at timestamptz, "
                "created_at timestamptz) ON COMMIT DROP"
            )
            with cur.copy(f"COPY outbox_in ({', '.join(_COPY_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            columns = ", ".join(_COPY_COLUMNS)
            cur.execute(_INSERT.format(source=f"SELECT {columns}, 'pending', 0 FROM outbox_in"))
            cur.execute("DROP TABLE outbox_in")
        return
    marks = ", ".join("?" * len(_COPY_COLUMNS))
    driver.executemany(_INSERT.format(source=f"VALUES ({marks}, 'pending', 0)"), rows)


def enqueue(
    *, session: Session, reminder_key: str, messages: Iterable[Message], now: datetime,
    due_at: datetime | None = None, batch_size: int = LINE_BATCH,
) -> int:  # fmt: skip
    """Write one pending row per recipient (bulk insert; an existing row is left alone).

    LINE rows with the same text and the same due time are batched (≤ ``batch_size``) under one
    fresh retry key. Returns the number of rows offered (duplicates are silently ignored).
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    created = utc(now, postgres)
    rows: list[list[Any]] = []
    groups: dict[tuple[str, datetime], list[list[Any]]] = defaultdict(list)
    # Payload objects are shared per language: encode each once (the tuple keeps it alive, so
    # its id cannot be reused by another payload while we run).
    encoded: dict[int, tuple[dict[str, Any], str]] = {}
    times: dict[bool, tuple[datetime, Any]] = {}  # quiet hours or not: the same for everyone
    for message in messages:
        r = message.recipient
        if r.quiet_hours not in times:
            when = deliver_at(now, due_at, r.quiet_hours)
            times[r.quiet_hours] = (when, utc(when, postgres))
        at, at_db = times[r.quiet_hours]
        if id(message.payload) not in encoded:
            text = json.dumps(message.payload, ensure_ascii=False)
            encoded[id(message.payload)] = (message.payload, text)
        blob = encoded[id(message.payload)][1]
        row = [reminder_key, r.user_id, r.channel, r.external_id, blob, None, at_db, created]
        if r.channel == "line":
            groups[(blob, at)].append(row)
        rows.append(row)
    for group in groups.values():
        for start in range(0, len(group), batch_size):
            key = str(uuid.uuid4())
            for row in group[start : start + batch_size]:
                row[5] = key
    session.flush()
    _bulk_insert(session, [tuple(row) for row in rows])
    if postgres and len(rows) >= ANALYZE_AFTER:  # fresh statistics keep the claim plans cheap
        session.execute(sa.text("ANALYZE deliveries"))
    return len(rows)


def counts_by_reminder(*, session: Session) -> dict[str, dict[str, int]]:
    """``{reminder_key: {status: count}}`` over the whole outbox."""
    stmt = sa.select(Delivery.reminder_key, Delivery.status, sa.func.count()).group_by(
        Delivery.reminder_key, Delivery.status
    )
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for key, status, count in session.execute(stmt):
        out[key][status] = int(count)
    return dict(out)
