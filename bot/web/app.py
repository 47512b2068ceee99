"""The web pages as one Starlette sub-application, mounted last under ``/`` by ``bot.app``.

Its middleware (outermost first): security headers, the per-IP limit, cookie sessions, no NUL
in the path (404) or the query (removed; :mod:`bot.web.inputs`). Route
handlers reach the service container with :func:`services_of`. Each page module contributes
``routes()``; add a new module to :data:`PAGE_MODULES`. Errors become a polite page here
(:func:`_on_error`, traceback logged first), never a stack trace.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.config import Settings
from bot.web import challenge_form, challenge_upload, chat, console, landing, liff, team
from bot.web.identity import open_link
from bot.web.inputs import CleanInputMiddleware
from bot.web.render import error_page, warm_up
from bot.web.security import IPLimitMiddleware, SecurityHeadersMiddleware
from bot.web.session import SessionMiddleware

log = logging.getLogger(__name__)

PAGE_MODULES: tuple[Any, ...] = (
    landing,
    chat,
    challenge_form,
    challenge_upload,
    team,
    liff,
    console,
)


async def _on_error(request: Request, exc: Exception) -> Response:
    log.exception("web page error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, 500, "server_error")


async def _on_http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    fallback = "server_error" if status >= 500 else "bad_request"  # 400, 405, 413…
    key = {404: "not_found", 403: "csrf_failed"}.get(status, fallback)
    return error_page(request, status, key)


def create_web_app(settings: Settings, parent: Starlette, *, ip_limit: int = 300) -> Starlette:
    """The pages for ``settings``; ``parent`` is the app whose ``state.services`` they use."""
    routes: list[BaseRoute] = [Route("/l/{token}", open_link, methods=["GET"])]
    for module in PAGE_MODULES:
        routes.extend(module.routes())
    routes.append(Mount("/static", StaticFiles(packages=[("bot.web", "static")]), name="static"))
    middleware = [
        Middleware(
            SecurityHeadersMiddleware,
            liff=bool(settings.line_liff_id),
            production=settings.production,
        ),
        Middleware(IPLimitMiddleware, limit=ip_limit),
        Middleware(SessionMiddleware, secret=settings.secret_key.get(), secure=settings.production),
        Middleware(CleanInputMiddleware),
    ]
    web = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: _on_http_error, Exception: _on_error},
    )
    warm_up()
    challenge_form.warm_up()
    web.state.settings = settings
    web.state.parent = parent
    return web
