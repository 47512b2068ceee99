"""``aigo reminders plan|status|run-due``: the reminder plan, the outbox, firing what is due."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from bot.config import Settings
from knowledge import TZ

STATUSES = ("pending", "sending", "sent", "skipped", "failed", "dead", "unknown")


def register(subparsers: Any) -> None:
    """Add ``reminders`` (with ``plan``, ``status`` and ``run-due``) to the ``aigo`` parser."""
    parser = subparsers.add_parser("reminders", help="deadline reminders")
    commands = parser.add_subparsers(dest="reminders_command", metavar="COMMAND", required=True)
    plan = commands.add_parser("plan", help="print the reminder plan from the knowledge file")
    plan.add_argument("--round", dest="round_id", help="only this round, e.g. 108-2")
    plan.add_argument("--json", action="store_true", help="print JSON instead of a table")
    plan.set_defaults(handler=run_plan)
    status = commands.add_parser("status", help="pending / sent / failed per reminder")
    status.set_defaults(handler=run_status)
    due = commands.add_parser("run-due", help="fire what is due now (AIGO_NOW), drain, exit")
    due.set_defaults(handler=run_due)


def _fmt(value: Any) -> str:
    return value.astimezone(TZ).strftime("%Y-%m-%d %a %H:%M") if value is not None else "-"


def run_plan(args: argparse.Namespace, settings: Settings) -> int:
    """Print the plan (no database needed)."""
    import knowledge
    from bot.reminders.planner import plan

    programme = knowledge.load()
    try:
        reminders = plan(programme, args.round_id)
    except KeyError:
        known = ", ".join(r.id for r in programme.rounds)
        print(
            f"aigo reminders plan: unknown round {args.round_id!r} (known: {known})",
            file=sys.stderr,
        )
        return 2
    if args.json:
        rows = [
            {"key": r.key, "kind": r.kind, "round": r.round_id, "milestone": r.milestone_id,
             "offset": r.offset, "fire_at": r.fire_at.isoformat(), "due_at": r.due_at.isoformat()}
            for r in reminders
        ]  # fmt: skip
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    print(f"{'KEY':<32} {'KIND':<8} {'FIRES (Asia/Taipei)':<21} {'ABOUT (due/starts)':<21}")
    for r in reminders:
        print(f"{r.key:<32} {r.kind:<8} {_fmt(r.fire_at):<21} {_fmt(r.due_at):<21}")
    print(f"{len(reminders)} reminders; approximate dates get none until the day is fixed.")
    return 0


def run_status(args: argparse.Namespace, settings: Settings) -> int:
    """Print each planned reminder with its delivery counts."""
    import sqlalchemy as sa

    from bot.reminders.outbox import counts_by_reminder
    from bot.reminders.runtime import open_db
    from db.models import PlannedReminder

    engine, sessions = open_db(settings)
    try:
        with sessions() as session:
            counts = counts_by_reminder(session=session)
            rows = list(
                session.execute(
                    sa.select(
                        PlannedReminder.key, PlannedReminder.status, PlannedReminder.fire_at
                    ).order_by(PlannedReminder.fire_at, PlannedReminder.key)
                )
            )
    finally:
        engine.dispose()
    columns = ("pending", "sent", "skipped", "dead", "unknown")
    header = " ".join(f"{s:>8}" for s in columns)
    print(f"{'KEY':<40} {'STATUS':<9} {'FIRES':<21} {header}")
    for key, status, fire_at in rows:
        c = counts.get(key, {})
        pending = c.get("pending", 0) + c.get("sending", 0)
        dead = c.get("failed", 0) + c.get("dead", 0)
        figures = (pending, c.get("sent", 0), c.get("skipped", 0), dead, c.get("unknown", 0))
        numbers = " ".join(f"{n:>8}" for n in figures)
        print(f"{key:<40} {status:<9} {_fmt(fire_at):<21} {numbers}")
    totals = {s: sum(c.get(s, 0) for c in counts.values()) for s in ("dead", "unknown")}
    if totals["dead"] or totals["unknown"]:
        print(f"NOT DELIVERED: {totals['dead']} dead, {totals['unknown']} outcome unknown "
              "(Telegram may or may not have shown them)")  # fmt: skip
    if not rows:
        print("no reminders planned yet (the service or `aigo reminders run-due` plans them)")
    return 0


def run_due(args: argparse.Namespace, settings: Settings) -> int:
    """Fire what is due at the clock's now, drain the outbox, print a summary."""
    from bot.reminders.runtime import run_due as run

    report = asyncio.run(run(settings))
    s = report.stats
    print(f"fired {len(report.fired)} reminder(s), missed {len(report.missed)}; "
          f"{report.enqueued} deliveries written")  # fmt: skip
    for key in report.fired:
        print(f"  fired  {key}")
    for key in report.missed:
        print(f"  missed {key}")
    print(f"sent {s.sent}, skipped {s.skipped}, retrying {s.retried}, dead-lettered {s.dead}, "
          f"outcome unknown {s.unknown}, users deactivated {s.deactivated}")  # fmt: skip
    return 0
