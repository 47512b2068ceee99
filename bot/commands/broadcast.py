"""``aigo broadcast``: send an organiser announcement to all users, teams or organisations.

``--dry-run`` prints the recipients per channel and the LINE messages the broadcast would consume
against the remaining monthly quota, and writes nothing. A live run writes the outbox rows, sends
with a progress bar and ends with a summary; with ``--at`` in the future it only schedules.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.config import Settings
from knowledge import TZ


def register(subparsers: Any) -> None:
    """Add ``broadcast`` to the ``aigo`` parser."""
    parser = subparsers.add_parser("broadcast", help="send an announcement to users")
    parser.add_argument(
        "--audience",
        choices=["all", "teams", "organisations"],
        required=True,
        help="who receives it",
    )
    parser.add_argument("--round", dest="round_id", help="only people following this round")
    parser.add_argument("--message-file", type=Path, required=True, help="UTF-8 text file")
    parser.add_argument("--at", help="send time, ISO 8601 (Asia/Taipei when no offset)")
    parser.add_argument("--dry-run", action="store_true", help="count recipients, send nothing")
    parser.set_defaults(handler=run)


def _fail(message: str) -> int:
    print(f"aigo broadcast: {message}", file=sys.stderr)
    return 2


def _parse_at(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    value = datetime.fromisoformat(raw)
    return value if value.tzinfo is not None else value.replace(tzinfo=TZ)


async def line_quota(settings: Settings) -> tuple[int | None, int] | None:
    """``(monthly limit or None when unlimited, used this month)``; None when LINE is off."""
    from bot.reminders.runtime import senders_for

    line, _ = senders_for(settings)
    if line is None:
        return None
    await line.start()
    try:
        quota = await line.api.get_message_quota()
        used = await line.api.get_message_quota_consumption()
    finally:
        await line.close()
    limit = quota.value if quota.type == "limited" else None
    return limit, int(used.total_usage or 0)


class _Bar:
    def __init__(self, total: int) -> None:
        self.total = max(total, 1)

    def __call__(self, stats: Any) -> None:
        done = min(stats.sent + stats.skipped + stats.dead, self.total)
        filled = int(30 * done / self.total)
        print(
            f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{self.total}", end="", file=sys.stderr
        )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Preview, schedule or send a broadcast."""
    from bot.reminders import broadcast
    from bot.reminders.runtime import open_db

    try:
        text = broadcast.check_text(args.message_file.read_text(encoding="utf-8"))
        at = _parse_at(args.at)
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(f"cannot read {args.message_file}: {exc.__class__.__name__}")
    except (broadcast.BroadcastError, ValueError) as exc:
        return _fail(str(exc))
    engine, sessions = open_db(settings)
    try:
        with sessions() as session:
            found = broadcast.preview(
                session=session, audience=args.audience, round_id=args.round_id
            )
        if args.dry_run:
            return _dry_run(settings, found, text)
        return asyncio.run(_live(settings, sessions, args, text, at, found.total))
    finally:
        engine.dispose()


def _dry_run(settings: Settings, found: Any, text: str) -> int:
    print(f"dry run: {found.total} recipient(s); nothing is sent")
    for channel, count in found.per_channel.items() or {"-": 0}.items():
        print(f"  {channel:<9} {count}")
    quota = asyncio.run(line_quota(settings))
    if quota is None:
        print("LINE is not configured: no LINE quota is used")
        return 0
    limit, used = quota
    print(f"LINE messages this broadcast consumes: {found.line_messages}")
    if limit is None:
        print(f"LINE monthly quota: unlimited (used {used} this month)")
        return 0
    remaining = max(limit - used, 0)
    print(f"LINE monthly quota: {limit}, used {used}, remaining {remaining}")
    if found.line_messages > remaining:
        print(
            f"warning: {found.line_messages - remaining} LINE message(s) over the remaining quota"
        )
    return 0


async def _live(
    settings: Settings, sessions: Any, args: argparse.Namespace, text: str, at: datetime | None,
    expected: int,
) -> int:  # fmt: skip
    import sqlalchemy as sa

    import knowledge
    from bot.clock import clock_for
    from bot.reminders import broadcast, scheduler
    from bot.reminders.outbox import counts_by_reminder
    from bot.reminders.runtime import dispatcher_for
    from db.models import PlannedReminder

    now = clock_for(settings.now).now()
    when = at or now
    with sessions.begin() as session:
        key = broadcast.create(
            session=session, audience=args.audience, round_id=args.round_id, text=text, at=when
        )
    if when > now:
        print(f"scheduled {key} for {when.astimezone(TZ):%Y-%m-%d %H:%M} (Asia/Taipei); "
              f"the running service or `aigo reminders run-due` will send it")  # fmt: skip
        return 0
    with sessions() as session:
        row = session.scalars(sa.select(PlannedReminder).where(PlannedReminder.key == key)).one()
    scheduler.fire_one(sessions, knowledge.load(), row, now)
    dispatcher, senders = dispatcher_for(settings, sessions, on_progress=_Bar(expected))
    for sender in senders:
        await sender.start()
    try:
        await dispatcher.drain()
    finally:
        for sender in senders:
            await sender.close()
    print(file=sys.stderr)
    with sessions() as session:
        c = counts_by_reminder(session=session).get(key, {})
    waiting = c.get("pending", 0) + c.get("sending", 0)
    print(f"{key}: sent {c.get('sent', 0)}, skipped {c.get('skipped', 0)}, "
          f"failed {c.get('failed', 0)}, dead-lettered {c.get('dead', 0)}, "
          f"waiting {waiting}")  # fmt: skip
    return 0
