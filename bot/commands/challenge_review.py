"""``aigo challenges review REF --list | --return "reason" | --close``: the organisers' review.

The transition (:mod:`db.challenge_states`) and the notice to the organisation's chat are written
in one transaction; the outbox is then drained with the configured senders (a notice for a
platform without credentials stays pending for the running service).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from bot.config import Settings

ACTIONS = {"list": "challenge_listed", "return": "challenge_returned", "close": "challenge_closed"}


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
    from bot.clock import clock_for
    from bot.reminders import notices, runtime
    from bot.reminders.texts import lang_of, messages
    from db import challenges
    from db.challenge_states import Action, InvalidTransition

    action: Action = "return" if args.reason is not None else args.action
    reason = (args.reason or "").strip()
    if action == "return" and not reason:
        return _fail("--return needs a reason the organisation can act on")
    now = clock_for(settings.now).now()
    engine, sessions = runtime.open_db(settings)
    try:
        with sessions.begin() as session:
            found = challenges.find_by_reference(session=session, reference=args.reference)
            if found is None:
                return _fail(f"no challenge {args.reference.strip().upper()}")
            try:
                challenges.transition(
                    session=session, challenge=found, action=action, now=now, note=reason or None
                )
            except InvalidTransition as bad:
                return _fail(str(bad))
            owner = found.created_by_user_id or found.organisation.created_by_user_id
            values: dict[str, Any] = {
                "reference": found.reference, "title": found.title or "-", "reason": reason,
            }  # fmt: skip
            template = messages()[ACTIONS[action]]
            queued = notices.notify(
                session=session,
                subject=f"{found.reference}:{action}:{now.isoformat()}",
                user_ids=[owner] if owner else [],
                text=lambda lang: str(template[lang_of(lang)]).format(**values),
                now=now,
            )
            print(f"{found.reference}: {found.status} ({found.organisation.name})")
        stats = asyncio.run(runtime.drain_now(settings, sessions))
        print(f"notice: {queued} queued, {stats.sent} sent")
        return 0
    finally:
        engine.dispose()
