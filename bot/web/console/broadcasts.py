"""``/console/broadcasts``: the reminder plan with delivery counts, and broadcasts.

Compose (audience, round, text, optional time) → preview as on LINE and on Telegram with a dry run
(recipients per channel, LINE quota used) → send a test to one chat user ("myself") → schedule or
send now. A scheduled broadcast can be cancelled until it fires. Everything goes through
:mod:`bot.reminders.broadcast` and the outbox, like ``aigo broadcast``; the running service's
scheduler and dispatcher send it, and this page refreshes itself while deliveries are pending.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot import organisers
from bot.commands.broadcast import line_quota
from bot.reminders import broadcast
from bot.reminders.audience import AUDIENCES, Recipient
from bot.reminders.outbox import Message, counts_by_reminder, enqueue
from bot.web import inputs
from bot.web.console._guard import in_session, organiser_page
from bot.web.console._render import message, notice, page
from bot.web.deps import services_of
from db.models import ChannelIdentity, PlannedReminder, User
from knowledge import TZ

ROUNDS = ("108-1", "108-2")
NOTICES = ("scheduled", "cancelled", "test_queued", "test_unknown_user")


@dataclass(frozen=True)
class Draft:
    """A broadcast being composed (validated: audience, round, text, time)."""

    audience: Any
    round_id: str | None
    text: str
    at: datetime | None

    @classmethod
    def from_form(cls, form: FormData) -> Draft:
        """Raise ``broadcast.BroadcastError`` / ``ValueError`` on an unusable form."""
        audience = str(form.get("audience") or "")
        if audience not in AUDIENCES:
            raise ValueError("audience")
        round_id = str(form.get("round") or "") or None
        if round_id is not None and round_id not in ROUNDS:
            raise ValueError("round")
        raw_at = str(form.get("at") or "").strip()
        at = datetime.fromisoformat(raw_at).replace(tzinfo=TZ) if raw_at else None
        return cls(audience, round_id, broadcast.check_text(str(form.get("text") or "")), at)


def _plan(session: Session) -> list[dict[str, Any]]:
    counts = counts_by_reminder(session=session)
    rows = session.scalars(sa.select(PlannedReminder).order_by(PlannedReminder.fire_at)).all()
    return [{"row": r, "counts": counts.get(r.key, {})} for r in rows]


@organiser_page()
async def plan_page(request: Request) -> Response:
    """The plan and the broadcasts with their delivery counts, and the compose form."""
    plan = await in_session(request, _plan)
    busy = any(p["counts"].get("pending") or p["counts"].get("sending") for p in plan)
    return page(request, "broadcasts.html", plan=plan, busy=busy, audiences=AUDIENCES,
                rounds=ROUNDS, notice=notice(request, NOTICES))  # fmt: skip


async def _draft(request: Request) -> tuple[Draft | None, FormData]:
    form = await inputs.form(request)
    try:
        return Draft.from_form(form), form
    except ValueError:  # BroadcastError is one
        return None, form


@organiser_page(edit=False)
async def preview(request: Request) -> Response:
    """Preview as on LINE and Telegram, with the dry run (nothing is written)."""
    draft, _ = await _draft(request)
    if draft is None:
        return message(request, 400, "broadcast_invalid")
    found = await in_session(
        request,
        lambda session: broadcast.preview(
            session=session, audience=draft.audience, round_id=draft.round_id
        ),
    )
    quota = await line_quota(services_of(request).settings)
    return page(request, "broadcast_preview.html", draft=draft, found=found, quota=quota,
                test_to=request.session.get("test_to", ""))  # fmt: skip


def _test_send(session: Session, sender_key: str, text: str, now: datetime) -> bool:
    channel, _, external = sender_key.partition(":")
    found = session.execute(
        sa.select(User.id, User.language)
        .join(ChannelIdentity, ChannelIdentity.user_id == User.id)
        .where(ChannelIdentity.channel == channel, ChannelIdentity.external_id == external)
    ).first()
    if found is None or channel not in ("line", "telegram"):
        return False
    who = Recipient(found[0], channel, external, found[1] or "zh-TW", quiet_hours=False)
    payload = {"text": text, "broadcast": True}
    key = f"broadcast-test:{uuid.uuid4().hex[:12]}"
    return enqueue(session=session, reminder_key=key, messages=[Message(who, payload)], now=now) > 0


@organiser_page(edit=True)
async def send(request: Request) -> Response:
    """``action=test``: send to one chat user first; ``action=schedule``: schedule (or now)."""
    draft, form = await _draft(request)
    if draft is None:
        return message(request, 400, "broadcast_invalid")
    me, now = request.state.organiser, services_of(request).clock.now()
    if form.get("action") == "test":
        target = str(form.get("test_to") or "").strip()[:200]
        request.session["test_to"] = target
        ok = await in_session(request, lambda session: _test_send(session, target, draft.text, now))
        return RedirectResponse(
            f"/console/broadcasts?notice={'test_queued' if ok else 'test_unknown_user'}", 303
        )

    def schedule(session: Session) -> str:
        key = broadcast.create(session=session, audience=draft.audience, round_id=draft.round_id,
                               text=draft.text, at=draft.at or now)  # fmt: skip
        organisers.audit(session=session, actor=me.email, action="broadcast.schedule", target=key,
                         audience=draft.audience, round=draft.round_id or "all")  # fmt: skip
        return key

    await in_session(request, schedule)
    return RedirectResponse("/console/broadcasts?notice=scheduled", status_code=303)


@organiser_page(edit=True)
async def cancel(request: Request) -> Response:
    """Cancel a broadcast that has not fired yet."""
    key = str((await inputs.form(request)).get("key") or "")
    me = request.state.organiser

    def run(session: Session) -> bool:
        row = session.scalars(
            sa.select(PlannedReminder).where(PlannedReminder.key == key).with_for_update()
        ).first()
        if row is None or row.kind != "broadcast" or row.status != "pending":
            return False
        row.status = "cancelled"
        organisers.audit(session=session, actor=me.email, action="broadcast.cancel", target=key)
        return True

    if not await in_session(request, run):
        return message(request, 409, "broadcast_not_cancellable")
    return RedirectResponse("/console/broadcasts?notice=cancelled", status_code=303)


def routes() -> list[Route]:
    """The reminders and broadcasts pages."""
    return [
        Route("/console/broadcasts", plan_page, methods=["GET"]),
        Route("/console/broadcasts/preview", preview, methods=["POST"]),
        Route("/console/broadcasts/send", send, methods=["POST"]),
        Route("/console/broadcasts/cancel", cancel, methods=["POST"]),
    ]
