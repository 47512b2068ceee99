"""``aigo challenges review REF --list | --return "reason" | --close``: the organisers' review.

The review itself is :func:`bot.challenge_review.review` (the console calls it too): the transition,
the notice to the organisation's chat and the audit entry (actor ``cli``) in one transaction. The
outbox is then drained with the configured senders (a notice for a platform without credentials
stays pending for the running service).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from bot.config import Settings


def register(sub: Any) -> None:
    """Add ``challenges review`` to the ``challenges`` subcommands."""
    command = sub.add_parser("review", help="list, return (with a reason) or close a challenge")
    command.add_argument("reference", help="the challenge reference, e.g. AIGO-108-0001")
    group = command.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--list", dest="action", action="store_const", const="list", help="passes review: listed"
    )
    group.add_argument(
        "--return", dest="reason", metavar="REASON", default=None,
        help="back to the organisation with this reason",
    )  # fmt: skip
    group.add_argument(
        "--close", dest="action", action="store_const", const="close", help="no longer open"
    )
    command.set_defaults(handler=run_review)


def _fail(message: str) -> int:
    print(f"aigo challenges review: {message}", file=sys.stderr)
    return 1


def run_review(args: argparse.Namespace, settings: Settings) -> int:
    """Apply the review action, notify the organisation, print the new state."""
    from bot.challenge_review import ReviewAction, ReviewRefused, review
    from bot.clock import clock_for
    from bot.reminders import runtime

    action: ReviewAction = "return" if args.reason is not None else args.action
    now = clock_for(settings.now).now()
    engine, sessions = runtime.open_db(settings)
    try:
        try:
            with sessions.begin() as session:
                done = review(session=session, reference=args.reference, action=action,
                              reason=args.reason or "", now=now, actor="cli")  # fmt: skip
        except ReviewRefused as refused:
            return _fail(refused.detail)
        print(f"{done.reference}: {done.status} ({done.organisation})")
        stats = asyncio.run(runtime.drain_now(settings, sessions))
        print(f"notice: {done.queued} queued, {stats.sent} sent")
        return 0
    finally:
        engine.dispose()
