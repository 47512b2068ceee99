"""Claiming due outbox rows (``pending`` → ``sending``) and the send-time eligibility check.

- LINE rows travel in multicast batches: all rows sharing one ``retry_key`` (≤ 500, fixed at
  enqueue time). A batch is claimed whole, never split between dispatchers: on PostgreSQL the
  claimer takes the batch's transaction-level advisory lock (``pg_try_advisory_xact_lock``, skipping
  batches another dispatcher is claiming — a batch-level SKIP LOCKED) and then moves every pending
  row of the locked batches to ``sending`` in one statement. SQLite serialises writers
  (``BEGIN IMMEDIATE``), so there the lock is the transaction itself.
- Telegram rows are single messages, claimed oldest first with ``FOR UPDATE SKIP LOCKED``.
- Each claim is a fixed number of round trips whatever its size (keys, update, eligibility), and
  decodes a LINE batch's payload once: every row of a batch carries the same payload.

All functions take a keyword-only ``session`` and never commit; the caller owns the transaction.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from bot.reminders import outcomes
from bot.reminders._sql import fetch, in_list, is_postgres, list_param, utc


class Claimed(NamedTuple):
    """A row a dispatcher owns while it is ``sending`` (``attempts`` counts this attempt)."""

    id: int
    user_id: int
    channel: str
    external_id: str
    payload: dict[str, Any]
    attempts: int
    retry_key: str | None


def _undotted(sql: str) -> str:
    return sql.replace("d.", "")


_DUE = "status = 'pending' AND channel = :channel AND next_attempt_at <= :now"
_D_DUE = "d.status = 'pending' AND d.channel = :channel AND d.next_attempt_at <= :now"
_KEYS = f"""
SELECT k FROM (
    SELECT retry_key AS k, min(next_attempt_at) AS first_at FROM (
        SELECT retry_key, next_attempt_at FROM deliveries
        WHERE {_DUE} AND retry_key IS NOT NULL
        ORDER BY next_attempt_at LIMIT :candidates
    ) AS due GROUP BY retry_key ORDER BY first_at, k LIMIT :window
) AS batch_keys {{lock}} LIMIT :batches
"""
_PG_LOCK = "WHERE pg_try_advisory_xact_lock(hashtextextended(k, 0))"
_CLAIMED = "status = 'sending', claimed_at = :now, attempts = d.attempts + 1"
_RETURNING = "d.id, d.user_id, d.external_id, d.attempts, d.retry_key, CAST(d.payload AS text)"
# The batch's ids come first (retry_key index), fenced off as a MATERIALIZED CTE: given both
# conditions at once, the planner prefers the status index and walks every pending row.
_PG_CLAIM_LINE = f"""
WITH ids AS MATERIALIZED (SELECT id FROM deliveries WHERE retry_key = ANY(:keys))
UPDATE deliveries AS d SET {_CLAIMED} FROM ids
WHERE d.id = ids.id AND {_D_DUE}
RETURNING {_RETURNING}
"""
# SQLite: no alias in UPDATE … RETURNING, and the id subquery is planned by primary key.
_SQLITE_CLAIM_LINE = _undotted(f"""
UPDATE deliveries SET {_CLAIMED}
WHERE id IN (SELECT id FROM deliveries WHERE retry_key IN (SELECT value FROM json_each(:keys)))
  AND {_DUE}
RETURNING {_RETURNING}
""")
_PG_CLAIM_TELEGRAM = f"""
WITH ids AS MATERIALIZED (
    SELECT id FROM deliveries WHERE {_DUE} ORDER BY next_attempt_at, id LIMIT :limit
    FOR UPDATE SKIP LOCKED)
UPDATE deliveries AS d SET {_CLAIMED} FROM ids WHERE d.id = ids.id
RETURNING {_RETURNING}
"""
_SQLITE_CLAIM_TELEGRAM = _undotted(f"""
UPDATE deliveries SET {_CLAIMED}
WHERE id IN (SELECT id FROM deliveries WHERE {_DUE} ORDER BY next_attempt_at, id LIMIT :limit)
RETURNING {_RETURNING}
""")


def claim_line_batches(
    *, session: Session, now: datetime, batches: int = 1, candidates: int = 4000
) -> list[list[Claimed]]:
    """Claim up to ``batches`` whole due LINE batches, oldest first; [] when none is free.

    Rows of a batch come back in id order and share one payload object. ``candidates`` bounds
    the due rows scanned for batch keys (batches past it wait for the next claim).
    """
    postgres = is_postgres(session)
    at = utc(now, postgres)
    found = fetch(
        session, _KEYS.format(lock=_PG_LOCK if postgres else ""), channel="line", now=at,
        candidates=candidates, window=2 * batches, batches=batches,
    )  # fmt: skip
    keys = [row[0] for row in found]
    if not keys:
        return []
    sql = _PG_CLAIM_LINE if postgres else _SQLITE_CLAIM_LINE
    rows = fetch(session, sql, keys=list_param(keys, postgres), channel="line", now=at)
    groups: dict[str, list[Claimed]] = defaultdict(list)
    payloads: dict[str, dict[str, Any]] = {}
    for id_, user_id, external_id, attempts, key, text in rows:
        if key not in payloads:
            payloads[key] = json.loads(text)
        groups[key].append(Claimed(id_, user_id, "line", external_id, payloads[key], attempts, key))
    return [sorted(groups[key]) for key in keys if key in groups]


def claim_telegram(*, session: Session, now: datetime, limit: int) -> list[Claimed]:
    """Claim up to ``limit`` due Telegram rows (oldest first), in id order."""
    postgres = is_postgres(session)
    sql = _PG_CLAIM_TELEGRAM if postgres else _SQLITE_CLAIM_TELEGRAM
    rows = fetch(session, sql, channel="telegram", now=utc(now, postgres), limit=limit)
    decoded: dict[str, dict[str, Any]] = {}
    out = []
    for id_, user_id, external_id, attempts, key, text in rows:
        if text not in decoded:
            decoded[text] = json.loads(text)
        out.append(Claimed(id_, user_id, "telegram", external_id, decoded[text], attempts, key))
    return sorted(out)


# Users who may need a closer look: inactive, unsubscribed or without a subscription, or limited
# to some rounds/kinds. Everyone else (the common case) is eligible without leaving the database.
_DOUBTFUL = """
SELECT u.id, u.active, s.active, CAST(s.rounds AS text), CAST(s.kinds AS text)
FROM users AS u LEFT JOIN reminder_subscriptions AS s ON s.user_id = u.id
WHERE {ids} AND NOT (u.active AND s.active IS NOT NULL AND s.active
                     AND CAST(s.rounds AS text) = '[]' AND CAST(s.kinds AS text) = '[]')
"""


def _reason(active: bool, sub: tuple[Any, ...] | None, payload: dict[str, Any]) -> str:
    if not active:
        return "user inactive"
    if payload.get("notice"):  # about the user's own records (bot.reminders.notices)
        return ""
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
    """Mark rows whose user may no longer be messaged ``skipped``; return the others (in order).

    The send-time check: user active, not opted out, still subscribed to the round and kind
    (broadcasts need no subscription, only no opt-out).
    """
    if not rows:
        return []
    postgres = is_postgres(session)
    user_ids = sorted({r.user_id for r in rows})
    doubtful: dict[int, tuple[bool, tuple[Any, ...] | None]] = {}
    sql = _DOUBTFUL.format(ids=in_list("u.id", "ids", postgres))
    for user_id, active, sub_active, rounds, kinds in fetch(
        session, sql, ids=list_param(user_ids, postgres)
    ):
        sub = None if sub_active is None else (bool(sub_active), _list(rounds), _list(kinds))
        doubtful[user_id] = (bool(active), sub)
    if not doubtful:
        return list(rows)
    keep: list[Claimed] = []
    skipped: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        reason = _reason(*doubtful[row.user_id], row.payload) if row.user_id in doubtful else ""
        if reason:
            skipped[reason].append(row.id)
        else:
            keep.append(row)
    for reason, ids in skipped.items():
        outcomes.mark_skipped(session=session, ids=ids, reason=reason)
    return keep


def _list(text: str | None) -> list[str]:
    value = json.loads(text) if text else None
    return [str(v) for v in value] if isinstance(value, list) else []
