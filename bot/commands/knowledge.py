"""``aigo knowledge``: show the programme schedule, validate a knowledge file."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import knowledge
from bot.config import Settings


def register(subparsers: Any) -> None:
    """Add ``knowledge show`` and ``knowledge check`` to the ``aigo`` parser."""
    parser = subparsers.add_parser("knowledge", help="the programme's rules (schedule, checks)")
    sub = parser.add_subparsers(dest="knowledge_command", metavar="SUBCOMMAND", required=True)
    show = sub.add_parser("show", help="print the schedule as a table")
    show.add_argument("--round", dest="round_id", default=None, help="e.g. 108-2 (default: all)")
    show.add_argument(
        "--lang", choices=list(knowledge.LANGS), default="zh-TW", help="language of the table"
    )
    show.add_argument("--file", default=None, help="knowledge file (default: the bundled one)")
    show.set_defaults(handler=run_show)
    ics = sub.add_parser("ics", help="write a round's schedule as an iCalendar (.ics) file")
    ics.add_argument("--round", dest="round_id", required=True, help="e.g. 108-2")
    ics.add_argument(
        "--lang", choices=list(knowledge.LANGS), default="zh-TW", help="language of the events"
    )
    ics.add_argument("--output", default=None, help="file to write (default: stdout)")
    ics.set_defaults(handler=run_ics)
    check = sub.add_parser("check", help="validate a knowledge file")
    check.add_argument("file", help="path to a programme YAML file")
    check.set_defaults(handler=run_check)


def run_show(args: argparse.Namespace, settings: Settings) -> int:
    """Print the schedule table; exit 1 with a one-line message for an unknown round or bad file."""
    try:
        programme = knowledge.load(args.file)
    except knowledge.KnowledgeError as exc:
        print(f"aigo: {exc}", file=sys.stderr)
        return 1
    known = [r.id for r in programme.rounds]
    if args.round_id is not None and args.round_id not in known:
        print(f"aigo: unknown round {args.round_id!r} (known: {', '.join(known)})", file=sys.stderr)
        return 1
    print(knowledge.render_schedule_table(programme, args.round_id, args.lang))
    return 0


def run_check(args: argparse.Namespace, settings: Settings) -> int:
    """Validate ``args.file``: print ``OK`` and exit 0, or print the precise problem and exit 1."""
    try:
        programme = knowledge.load(args.file)
    except knowledge.KnowledgeError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    rounds = len(programme.rounds)
    milestones = len(programme.schedule.milestones)
    print(f"OK: {args.file} ({rounds} rounds, {milestones} milestones)")
    return 0


def run_ics(args: argparse.Namespace, settings: Settings) -> int:
    """Write the round's .ics to ``--output`` or stdout; exit 1 for an unknown round."""
    from bot.clock import clock_for
    from knowledge.calendar import round_calendar

    programme = knowledge.load()
    known = [r.id for r in programme.rounds]
    if args.round_id not in known:
        print(f"aigo: unknown round {args.round_id!r} (known: {', '.join(known)})", file=sys.stderr)
        return 1
    body = round_calendar(programme, args.round_id, args.lang, clock_for(settings.now).now())
    if args.output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
    else:
        with open(args.output, "wb") as out:
            out.write(body)
        print(f"wrote {body.count(b'BEGIN:VEVENT')} event(s) to {args.output}", file=sys.stderr)
    return 0
