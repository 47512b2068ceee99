"""``/team``: the team page of a signed-in chat user (opened by the link 我的狀態 sends).

- ``GET /team``: members and roles; for the leader the invite code with its QR codes and share
  links (:mod:`bot.web.team_view`) and a new code; the applications and their status; the
  lifecycle actions the chat offers.
- ``GET /team/confirm/<action>`` asks first (``leave``, ``transfer``, ``remove``, ``withdraw``,
  ``dissolve``; ``?member=<user id>`` or ``?ref=<challenge>``); its form posts to
  ``POST /team/<action>`` (CSRF-checked), which calls the chat's own functions
  (:mod:`db.team_lifecycle`, and :func:`actions.team.lifecycle.notify_affected` to tell the people
  affected through the outbox), then shows the chat's own result text on the page.
- ``POST /team/invite``: the leader's fresh invite code (the old one stops working), as in chat.

Without a session for the team page the answer is a polite 403 asking for the chat's link.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from actions._forms import say as form_say
from actions.team import lifecycle
from actions.team.logic import display_name, format_day
from bot.web import inputs
from bot.web.deps import in_session, services_of
from bot.web.identity import sender_for
from bot.web.params import row_id
from bot.web.render import error_page, language, render, text, texts
from bot.web.security import csrf_ok
from bot.web.team_view import TeamView, qr_svg, share_links, team_view, user_id_of
from db import invites
from db import team_lifecycle as life
from db import teams as repo
from db.models import Team

PURPOSE = "team"
FLASH = "team_flash"
ACTIONS = ("leave", "transfer", "remove", "withdraw", "dissolve")
Perform = Callable[[Session, int, dict[str, str], str, datetime], str]


def _lang(request: Request) -> str:
    return "en" if language(request) == "en" else "zh-TW"


def _finish(
    session: Session, outcome: life.Outcome, lang: str, now: datetime, notice: str, done: str,
    **values: str,
) -> str:  # fmt: skip
    """Tell the people affected (as the chat does) and return the chat's result text."""
    if not outcome.done:
        why = {"team": outcome.team or "", "reference": outcome.reference or ""}
        return lifecycle.say(lang, outcome.status, **why)
    lifecycle.notify_affected(session=session, outcome=outcome, key=notice, now=now, **values)
    return lifecycle.say(lang, done, team=outcome.team or "", **values)


def _member_name(session: Session, uid: int, member: str, lang: str) -> str:
    mine = repo.membership_of(session=session, user_id=uid)
    views = repo.members(session=session, team_id=mine.team_id) if mine else []
    found = next((m for m in views if str(m.user_id) == member), None)
    return display_name(found, lang) if found else member


def _leave(session: Session, uid: int, args: dict[str, str], lang: str, now: datetime) -> str:
    name = lifecycle.leaver_name(session, uid)
    outcome = life.leave_team(session=session, user_id=uid)
    return _finish(session, outcome, lang, now, "notice_left", "left", name=name)


def _transfer(session: Session, uid: int, args: dict[str, str], lang: str, now: datetime) -> str:
    name = _member_name(session, uid, args["member"], lang)
    to = int(args["member"])
    outcome = life.transfer_leadership(session=session, user_id=uid, to_user_id=to)
    return _finish(session, outcome, lang, now, "notice_transferred", "transferred", name=name)


def _remove(session: Session, uid: int, args: dict[str, str], lang: str, now: datetime) -> str:
    name = _member_name(session, uid, args["member"], lang)
    member = int(args["member"])
    outcome = life.remove_member(session=session, user_id=uid, member_user_id=member, now=now)
    done = _finish(session, outcome, lang, now, "notice_removed", "removed", name=name)
    return done + lifecycle.new_code_text(outcome, name, lang)


def _withdraw(session: Session, uid: int, args: dict[str, str], lang: str, now: datetime) -> str:
    ref = args["ref"].upper()
    outcome = life.withdraw_application(session=session, user_id=uid, reference=ref)
    return _finish(session, outcome, lang, now, "notice_withdrawn", "withdrawn", reference=ref)


def _dissolve(session: Session, uid: int, args: dict[str, str], lang: str, now: datetime) -> str:
    outcome = life.dissolve_team(session=session, user_id=uid)
    return _finish(session, outcome, lang, now, "notice_dissolved", "dissolved")


PERFORM: dict[str, Perform] = {
    "leave": _leave,
    "transfer": _transfer,
    "remove": _remove,
    "withdraw": _withdraw,
    "dissolve": _dissolve,
}


def _args(action: str, values: Any) -> dict[str, str] | None:
    """The action's argument (``member``: a user id, ``ref``: a challenge), None when missing."""
    if action in ("transfer", "remove"):
        member = row_id(values.get("member"))
        return {"member": str(member)} if member is not None else None
    if action == "withdraw":
        ref = str(values.get("ref") or "").strip()
        return {"ref": ref} if ref else None
    return {}


def _now(request: Request) -> datetime:
    return services_of(request).clock.now()


async def _view(request: Request, sender: str) -> TeamView | None:
    now = _now(request)
    return await in_session(request, lambda session: team_view(session, sender, now))


def _members(view: TeamView, lang: str) -> list[dict[str, Any]]:
    return [
        {
            "id": m.user_id,
            "name": display_name(m, lang),
            "role": text(f"role_{m.role}", lang),
            "expertise": form_say(lang, f"expertise_{m.expertise or 'unknown'}"),
            "leader": m.role == "leader",
            "me": m.user_id == view.me,
        }
        for m in view.members
    ]


def _invite(request: Request, view: TeamView, lang: str) -> dict[str, Any] | None:
    if view.code is None or view.expires is None:
        return None
    code = invites.format_code(view.code)
    invite_text = text("invite_message", lang, code=code)
    share_text = text("share_message", lang, team=view.team, code=code)
    shares = share_links(request.app.state.settings, view.code, invite_text, share_text)
    return {
        "code": code,
        "expires": format_day(view.expires, lang),
        "qrs": [(s, qr_svg(s.url, text(s.key, lang))) for s in shares if s.qr],
        "links": [s for s in shares if not s.qr],
    }


def _status_label(status: str, lang: str) -> str:
    key = f"application_{status}"
    return text(key, lang) if key in texts() else status


async def page(request: Request) -> Response:
    """The team page (see the module docstring)."""
    sender = sender_for(request, PURPOSE)
    if sender is None:
        return error_page(request, 403, "need_link")
    view = await _view(request, sender)
    lang = language(request)
    flash = request.session.pop(FLASH, None)
    if view is None:
        return render(request, "team.html", view=None, flash=flash)
    return render(
        request,
        "team.html",
        view=view,
        flash=flash,
        members=_members(view, lang),
        invite=_invite(request, view, lang) if view.leader else None,
        status_label=lambda status: _status_label(status, lang),
    )


def _question(view: TeamView, action: str, args: dict[str, str], lang: str) -> str | None:
    """The confirmation question, None when the member or application named is not there."""
    if action in ("transfer", "remove"):
        found = next((m for m in view.members if str(m.user_id) == args["member"]), None)
        if found is None or found.user_id == view.me:
            return None
        name = display_name(found, lang)
        return text(f"confirm_{action}", lang, name=name, team=view.team)
    if action == "withdraw":
        app = next((a for a in view.applications if a.reference == args["ref"].upper()), None)
        if app is None:
            return None
        values = {"team": view.team, "reference": app.reference, "title": app.title}
        return text("confirm_withdraw", lang, **values)
    return text(f"confirm_{action}", lang, team=view.team)


async def confirm(request: Request) -> Response:
    """``GET /team/confirm/<action>``: the question and the form that carries it out."""
    action = request.path_params["action"]
    sender = sender_for(request, PURPOSE)
    if sender is None:
        return error_page(request, 403, "need_link")
    args = _args(action, request.query_params) if action in ACTIONS else None
    view = await _view(request, sender)
    lang = language(request)
    question = _question(view, action, args, lang) if view and args is not None else None
    if question is None:
        return RedirectResponse("/team", status_code=303)
    return render(request, "team_confirm.html", action=action, args=args, question=question)


async def act(request: Request) -> Response:
    """``POST /team/<action>``: carry out a confirmed action, then back to the page."""
    action = request.path_params["action"]
    sender = sender_for(request, PURPOSE)
    if sender is None:
        return error_page(request, 403, "need_link")
    if not await csrf_ok(request):
        return error_page(request, 403, "csrf_failed")
    form = await inputs.form(request)
    args = _args(action, form) if action in PERFORM else None
    if args is None:
        return RedirectResponse("/team", status_code=303)
    lang, now, perform = _lang(request), _now(request), PERFORM[action]

    def work(session: Session) -> str:
        uid = user_id_of(session, sender)
        return perform(session, uid, args, lang, now) if uid else lifecycle.say(lang, "not_in_team")

    request.session[FLASH] = await in_session(request, work)
    return RedirectResponse("/team", status_code=303)


def _new_invite(session: Session, sender: str, lang: str, now: datetime) -> str:
    uid = user_id_of(session, sender)
    mine = repo.membership_of(session=session, user_id=uid) if uid else None
    if mine is None or mine.role != "leader":
        return lifecycle.say(lang, "not_leader", team=mine.team.name if mine else "")
    team = session.get(Team, mine.team_id)
    assert team is not None
    invite = invites.issue_invite(session=session, team=team, now=now)
    code, expires = invites.format_code(invite.code), format_day(invite.expires_at, lang)
    return form_say(lang, "invite_issued", code=code, expires=expires)


async def new_invite(request: Request) -> Response:
    """``POST /team/invite``: a fresh invite code for the leader (as the chat's button)."""
    sender = sender_for(request, PURPOSE)
    if sender is None:
        return error_page(request, 403, "need_link")
    if not await csrf_ok(request):
        return error_page(request, 403, "csrf_failed")
    lang, now = _lang(request), _now(request)
    flash = await in_session(request, lambda session: _new_invite(session, sender, lang, now))
    request.session[FLASH] = flash
    return RedirectResponse("/team", status_code=303)


def routes() -> list[Route]:
    """The team page's routes."""
    return [
        Route("/team", page, methods=["GET"]),
        Route("/team/invite", new_invite, methods=["POST"]),
        Route("/team/confirm/{action}", confirm, methods=["GET"]),
        Route("/team/{action}", act, methods=["POST"]),
    ]
