"""Who is on a page: the chat user a signed link (or a LIFF ID token) opened the session for.

- ``/l/<token>`` (:func:`open_link`) checks a link token from the chat (:mod:`bot.web.signing`),
  stores its sender key and purpose in the session, and redirects to the page without the token.
  A token opens only the page it was issued for (its *purpose*); a later link adds its purpose.
- A browser that used ``/chat`` is the sender ``web:<session id>`` and may open every page as
  itself (its own chat user).
- :func:`link_for` builds the absolute URL the chat sends.
"""

from __future__ import annotations

import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.config import Settings
from bot.web.render import error_page
from bot.web.signing import TokenError, issue_link_token, verify_link_token

# purpose -> the page a link opens
PAGES: dict[str, str] = {"chat": "/chat", "challenge": "/challenge", "team": "/team"}


def link_for(settings: Settings, *, purpose: str, sender_key: str) -> str:
    """The absolute URL of the page ``purpose`` for the chat user ``sender_key`` (signed)."""
    if purpose not in PAGES:
        raise ValueError(f"unknown page purpose {purpose!r}")
    token = issue_link_token(settings.secret_key.get(), purpose=purpose, subject=sender_key)
    return f"{settings.public_url}/l/{token}"


def web_sender(request: Request) -> str:
    """This browser's own chat sender ``web:<id>`` (the id is created on first use)."""
    sid = request.session.get("sid")
    if not isinstance(sid, str):
        sid = secrets.token_urlsafe(12)
        request.session["sid"] = sid
    return f"web:{sid}"


def chat_sender(request: Request) -> str:
    """The sender the web chat talks as: the linked chat user, else the browser's own."""
    linked = request.session.get("sender")
    return str(linked) if isinstance(linked, str) else web_sender(request)


def sender_for(request: Request, purpose: str) -> str | None:
    """The sender allowed on the page ``purpose``: the linked user when the session holds that
    purpose, else the browser's own web chat user, else None (the page asks for a link)."""
    linked = request.session.get("sender")
    purposes: Any = request.session.get("purposes", [])
    if isinstance(linked, str) and purpose in purposes:
        return linked
    if isinstance(request.session.get("sid"), str):
        return f"web:{request.session['sid']}"
    return None


def grant(request: Request, sender_key: str, purpose: str) -> None:
    """Open the session for ``sender_key`` on ``purpose`` (a new user drops earlier grants)."""
    if request.session.get("sender") != sender_key:
        request.session["purposes"] = []
    request.session["sender"] = sender_key
    request.session["purposes"] = sorted({*request.session.get("purposes", []), purpose})


async def open_link(request: Request) -> Response:
    """``GET /l/<token>``: open the session, then redirect to the page (see the module)."""
    secret = request.app.state.settings.secret_key.get()
    try:
        purpose, subject = verify_link_token(secret, request.path_params["token"])
    except TokenError as exc:
        key = "link_expired" if exc.reason == "expired" else "link_invalid"
        return error_page(request, 403, key)
    if purpose not in PAGES:
        return error_page(request, 403, "link_invalid")
    grant(request, subject, purpose)
    return RedirectResponse(PAGES[purpose], status_code=303)
