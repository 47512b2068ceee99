"""``/console/login`` and ``/console/logout``: organiser sign-in (throttled) and sign-out.

Signing in replaces the session's CSRF token and stores the account id; the account is checked
again on every page (a removed or disabled account is signed out at once). ``next`` only ever
leads to a console page.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot import organisers
from bot.web import inputs
from bot.web.console._guard import SESSION_KEY, csrf_ok, in_session, organiser_page
from bot.web.console._render import page

MAX_FIELD = 500


def _next(raw: object) -> str:
    target = str(raw or "")
    return target if target.startswith("/console") and "//" not in target else "/console"


async def login_form(request: Request) -> Response:
    """The sign-in form."""
    return page(request, "login.html", next=_next(request.query_params.get("next")))


async def login(request: Request) -> Response:
    """Check the e-mail and password; on success open the console."""
    form = await inputs.form(request)
    target = _next(form.get("next"))
    if not await csrf_ok(request):
        return page(request, "login.html", status=403, next=target, error="csrf_failed")
    email = str(form.get("email") or "")[:MAX_FIELD]
    password = str(form.get("password") or "")[:MAX_FIELD]
    address = request.client.host if request.client else "unknown"
    result = await in_session(
        request,
        lambda session: organisers.sign_in(
            session=session, email=email, password=password, address=address
        ),
    )
    if result.organiser is None:
        error = "login_throttled" if result.outcome == "throttled" else "login_refused"
        status = 429 if result.outcome == "throttled" else 401
        return page(request, "login.html", status=status, next=target, error=error, email=email)
    request.session.pop("csrf", None)  # a new token for the signed-in session
    request.session[SESSION_KEY] = result.organiser.id
    return RedirectResponse(target, status_code=303)


@organiser_page(edit=False)
async def logout(request: Request) -> Response:
    """Sign out (POST with the CSRF token); back to the sign-in page."""
    request.session.pop(SESSION_KEY, None)
    request.session.pop("csrf", None)
    return RedirectResponse("/console/login", status_code=303)


def routes() -> list[Route]:
    """The sign-in and sign-out routes."""
    return [
        Route("/console/login", login_form, methods=["GET"]),
        Route("/console/login", login, methods=["POST"]),
        Route("/console/logout", logout, methods=["POST"]),
    ]
