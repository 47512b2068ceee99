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
- Several dispatchers never claim the same row on PostgreSQL: Telegram rows are claimed with
  ``FOR UPDATE SKIP LOCKED``; a LINE batch is claimed whole under its transaction-level advisory
  lock (row locks could split a batch between two dispatchers, or deadlock). SQLite serialises
  writers (``BEGIN IMMEDIATE``), so one dispatcher is the norm there.
- Quiet hours: a row for a user with quiet hours is not due between 22:00 and 08:00 (Asia/Taipei)
  unless what it is about falls before the next 08:00.

All functions take a keyword-only ``session`` and never commit; the caller owns the transaction.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.reminders.audience import Recipient
from db.models import Delivery, ReminderSubscription, User
from knowledge import TZ

LINE_BATCH = 500
QUIET_START = time(22, 0)
QUIET_END = time(8, 0)
RECOVERED = "recovered after a crash"
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


def _utc(at: datetime, postgres: bool) -> Any:
    value = at.astimezone(UTC)
    return value if postgres else value.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def enqueue(
    *, session: Session, reminder_key: str, messages: Iterable[Message], now: datetime,
    due_at: datetime | None = None, batch_size: int = LINE_BATCH,
) -> int:  # fmt: skip
    """Write one pending row per recipient (bulk insert; an existing row is left alone).

    LINE rows with the same text and the same due time are batched (≤ ``batch_size``) under one
    fresh retry key. Returns the number of rows offered (duplicates are silently ignored).
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    created = _utc(now, postgres)
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
            times[r.quiet_hours] = (when, _utc(when, postgres))
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


@dataclass(frozen=True)
class Claimed:
    """A row a dispatcher owns while it is ``sending``."""

    id: int
    user_id: int
    channel: str
    external_id: str
    payload: dict[str, Any]
    attempts: int
    retry_key: str | None


_COLUMNS = (
    Delivery.id, Delivery.user_id, Delivery.channel, Delivery.external_id, Delivery.payload,
    Delivery.attempts, Delivery.retry_key,
)  # fmt: skip


def _due(now: datetime, channel: str) -> Any:
    return sa.and_(
        Delivery.status == "pending", Delivery.channel == channel, Delivery.next_attempt_at <= now
    )


def _claim(session: Session, where: Any, now: datetime) -> list[Claimed]:
    stmt = (
        sa.update(Delivery)
        .where(where)
        .values(status="sending", claimed_at=now, attempts=Delivery.attempts + 1)
        .returning(*_COLUMNS)
    )
    rows = session.connection().execute(stmt)  # Core: no ORM bulk-update bookkeeping
    return sorted((Claimed(*row) for row in rows), key=lambda c: c.id)


def _try_lock_batch(session: Session, key: str) -> bool:
    """PostgreSQL: take the batch's transaction-level advisory lock (False: someone has it)."""
    if session.get_bind().dialect.name != "postgresql":
        return True  # SQLite: BEGIN IMMEDIATE already serialises claims
    stmt = sa.select(sa.func.pg_try_advisory_xact_lock(sa.func.hashtextextended(key, 0)))
    return bool(session.scalar(stmt))


def claim_line_batches(
    *, session: Session, now: datetime, batches: int = 1, candidates: int = 1000
) -> list[list[Claimed]]:
    """Claim up to ``batches`` whole due LINE batches (each: all pending rows of one retry key).

    Returns the claimed batches ([] when none is due or all due ones are being claimed).

    A batch must never be split between dispatchers (its retry key covers exactly its rows), so
    on PostgreSQL the claimer first takes the batch's advisory lock (``pg_try_advisory_xact_lock``,
    skipping batches another dispatcher is claiming — the batch-level SKIP LOCKED), then moves
    every pending row of the batch to ``sending`` in one statement.
    """
    head = (
        sa.select(Delivery.retry_key)
        .where(_due(now, "line"))
        .order_by(Delivery.next_attempt_at)  # the (status, next_attempt_at) index order
        .limit(candidates)
        .subquery()
    )
    keys = list(dict.fromkeys(k for k in session.scalars(sa.select(head.c.retry_key)) if k))
    claimed: list[list[Claimed]] = []
    for key in keys:
        if len(claimed) >= batches:
            break
        if not _try_lock_batch(session, key):
            continue
        # The batch's ids first (retry_key index), then update by primary key: given both
        # conditions at once, the planners prefer the status index and walk every pending row.
        ids = list(session.scalars(sa.select(Delivery.id).where(Delivery.retry_key == key)))
        rows = _claim(session, sa.and_(Delivery.id.in_(ids), _due(now, "line")), now)
        if rows:
            claimed.append(rows)
    return claimed


def claim_telegram(*, session: Session, now: datetime, limit: int) -> list[Claimed]:
    """Claim up to ``limit`` due Telegram rows (oldest first)."""
    ids = (
        sa.select(Delivery.id)
        .where(_due(now, "telegram"))
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    found = list(session.scalars(ids))
    if not found:
        return []
    return _claim(session, sa.and_(Delivery.id.in_(found), Delivery.status == "pending"), now)


def _ineligible_reason(active: bool, sub: tuple[Any, ...] | None, payload: dict[str, Any]) -> str:
    if not active:
        return "user inactive"
    if sub is None:
        return "" if payload.get("broadcast") else "not subscribed"
    sub_active, rounds, kinds = sub
    if not sub_active:
        return "unsubscribed"
    if payload.get("broadcast"):
        return ""
    if rounds and payload.get("round") and payload["round"] not in rounds:
        return "round not subscribed"
    if kinds and payload.get("kind") and payload["kind"] not in kinds:
        return "kind not subscribed"
    return ""


def drop_ineligible(*, session: Session, rows: Sequence[Claimed]) -> list[Claimed]:
    """Mark rows whose user may no longer be messaged ``skipped``; return the others.

    The send-time check: user active, not opted out, still subscribed to the round and kind.
    """
    if not rows:
        return []
    user_ids = {r.user_id for r in rows}
    active = dict(
        session.execute(sa.select(User.id, User.active).where(User.id.in_(user_ids))).all()
    )
    subs = {
        row[0]: tuple(row[1:])
        for row in session.execute(
            sa.select(
                ReminderSubscription.user_id, ReminderSubscription.active,
                ReminderSubscription.rounds, ReminderSubscription.kinds,
            ).where(ReminderSubscription.user_id.in_(user_ids))
        )
    }  # fmt: skip
    keep: list[Claimed] = []
    skipped: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        reason = _ineligible_reason(
            bool(active.get(row.user_id)), subs.get(row.user_id), row.payload
        )
        if reason:
            skipped[reason].append(row.id)
        else:
            keep.append(row)
    for reason, ids in skipped.items():
        _set(session, ids, status="skipped", last_error=reason)
    return keep


def _set(session: Session, ids: Sequence[int], **values: Any) -> None:
    for start in range(0, len(ids), 1000):
        chunk = list(ids[start : start + 1000])
        stmt = sa.update(Delivery).where(Delivery.id.in_(chunk)).values(**values)
        session.connection().execute(stmt)


def mark_sent(*, session: Session, ids: Sequence[int], now: datetime) -> None:
    """The platform accepted these rows (LINE 409 included)."""
    _set(session, ids, status="sent", sent_at=now, last_error=None)


def mark_dead(*, session: Session, ids: Sequence[int], reason: str) -> None:
    """Give up on these rows for good (the dead-letter state), with the reason."""
    _set(session, ids, status="dead", last_error=reason[:500])


def mark_retry(
    *, session: Session, rows: Sequence[Claimed], at: datetime, reason: str, max_attempts: int
) -> int:
    """Put rows back to ``pending`` until ``at``; rows out of attempts die. Return dead count."""
    dead = [r.id for r in rows if r.attempts >= max_attempts]
    retry = [r.id for r in rows if r.attempts < max_attempts]
    if dead:
        mark_dead(
            session=session, ids=dead, reason=f"gave up after {max_attempts} attempts: {reason}"
        )
    if retry:
        _set(session, retry, status="pending", next_attempt_at=at, last_error=reason[:500])
    return len(dead)


def deactivate(*, session: Session, user_id: int) -> int:
    """The user blocked the bot: mark them inactive and skip their pending rows; return count."""
    session.execute(sa.update(User).where(User.id == user_id).values(active=False))
    result = session.execute(
        sa.update(Delivery)
        .where(Delivery.user_id == user_id, Delivery.status == "pending")
        .values(status="skipped", last_error="user inactive")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def recover(*, session: Session, now: datetime, stale_after: timedelta) -> tuple[int, int]:
    """Return rows stuck in ``sending`` (a dispatcher died) to ``pending``.

    LINE rows keep their retry key, so a batch LINE had accepted answers 409 and is not sent
    twice. A Telegram row may have been sent before the crash: it is sent at most once more; a
    row found stuck a second time is dead-lettered instead. Returns ``(recovered, dead)``.
    """
    stuck = sa.and_(Delivery.status == "sending", Delivery.claimed_at < now - stale_after)
    twice = sa.and_(stuck, Delivery.channel == "telegram", Delivery.last_error == RECOVERED)
    dead = session.execute(
        sa.update(Delivery).where(twice).values(status="dead", last_error="stuck twice in sending")
    )
    back = session.execute(
        sa.update(Delivery).where(stuck).values(status="pending", last_error=RECOVERED)
    )
    return int(back.rowcount or 0), int(dead.rowcount or 0)  # type: ignore[attr-defined]


def counts_by_reminder(*, session: Session) -> dict[str, dict[str, int]]:
    """``{reminder_key: {status: count}}`` over the whole outbox."""
    stmt = sa.select(Delivery.reminder_key, Delivery.status, sa.func.count()).group_by(
        Delivery.reminder_key, Delivery.status
    )
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for key, status, count in session.execute(stmt):
        out[key][status] = int(count)
    return dict(out)


def has_work(*, session: Session, channels: Sequence[str]) -> tuple[datetime | None, int]:
    """``(earliest next_attempt_at of a pending row or None, rows in sending)`` on ``channels``."""
    on = Delivery.channel.in_(list(channels))
    earliest = session.scalar(
        sa.select(sa.func.min(Delivery.next_attempt_at)).where(Delivery.status == "pending", on)
    )
    sending = session.scalar(
        sa.select(sa.func.count()).select_from(Delivery).where(Delivery.status == "sending", on)
    )
    if isinstance(earliest, str):  # SQLite returns the aggregate untyped
        earliest = datetime.fromisoformat(earliest).replace(tzinfo=UTC)
    return earliest, int(sending or 0)
