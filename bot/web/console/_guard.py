"""Who may see a console page: a signed-in organiser (every page), an editor (every change).

:func:`organiser_page` wraps a route handler: without a session it redirects to the sign-in page
(``?next=`` the page asked for); a state-changing request must carry this session's CSRF token and
come from an editor, else a polite 403 page. The handler finds the organiser in
``request.state.organiser``. :func:`bot.web.deps.in_session` runs database work in a worker
thread, in one transaction (committed when it returns).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot import organisers
from bot.organisers import Organiser
from bot.web.console._render import message
from bot.web.deps import in_session
from bot.web.security import csrf_ok

__all__ = ["SESSION_KEY", "csrf_ok", "in_session", "organiser_page", "signed_in"]

SESSION_KEY = "organiser_id"
Handler = Callable[[Request], Awaitable[Response]]


async def signed_in(request: Request) -> Organiser | None:
    """The organiser of this browser session (None when signed out, removed or disabled)."""
    account_id = request.session.get(SESSION_KEY)
    if not isinstance(account_id, int):
        return None
    return await in_session(
        request, lambda session: organisers.current(session=session, account_id=account_id)
    )


def organiser_page(*, edit: bool | None = None) -> Callable[[Handler], Handler]:
    """Guard a console handler (see the module docstring).

    ``edit`` requires an editor; by default every request but GET does.
    """

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def guarded(request: Request) -> Response:
            organiser = await signed_in(request)
            if organiser is None:
                query = f"?{request.url.query}" if request.url.query else ""
                target = quote(request.url.path + query, safe="")
                return RedirectResponse(f"/console/login?next={target}", status_code=303)
            if request.method != "GET" and not await csrf_ok(request):
                return message(request, 403, "csrf_failed")
            needs_editor = request.method != "GET" if edit is None else edit
            if needs_editor and not organiser.can_edit:
                return message(request, 403, "editors_only")
            request.state.organiser = organiser
            return await handler(request)

        return guarded

    return decorate
