"""The ASGI application, built by a factory that receives its dependencies.

Routes are contributed by the channel modules; errors become responses in one place
(:func:`_on_error`), which logs the traceback and never shows it to the user.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from bot import calendar_feed, nlu_service, redact
from bot import metrics as metrics_routes
from bot.access_log import AccessLog
from bot.channels import rest
from bot.channels import runtime as channel_runtime
from bot.channels._http import BodyLimit
from bot.config import Settings
from bot.health import snapshot
from bot.services import Services, build_services
from bot.web import create_web_app
from bot.web.uploads import UPLOAD_PATHS

log = logging.getLogger(__name__)


async def health(request: Request) -> Response:
    """``GET /health``: 200 with the service's vital signs when its database answers, else 503.

    Details (:func:`bot.health.snapshot`): inbox backlog, dead and unknown deliveries, whether a
    scheduler leader is alive, and each platform API's reachability.
    """
    services: Services | None = request.app.state.services
    if services is None:
        return JSONResponse({"status": "starting"}, status_code=503)
    runs_scheduler = getattr(request.app.state, "reminders", None) is not None
    try:
        details = await asyncio.to_thread(_details, services, runs_scheduler)
    except Exception:
        log.exception("health check: the database does not answer")
        return JSONResponse({"status": "database unavailable"}, status_code=503)
    return JSONResponse({"status": "ok", **details, "platforms": services.platforms})


def _details(services: Services, runs_scheduler: bool) -> dict[str, Any]:
    with services.session_factory() as session:
        return snapshot(session, services.clock.now(), runs_scheduler=runs_scheduler)


async def _on_http_error(request: Request, exc: Exception) -> Response:
    """An HTTP error raised outside the pages (a path no route takes, such as one with a line
    break) as ``{"error": …}``."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else "internal error"
    headers = exc.headers if isinstance(exc, HTTPException) else None
    return JSONResponse({"error": str(detail).lower()}, status_code=status, headers=headers)


async def _on_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"error": "internal error, please try again later"}, status_code=500)


def _reminders(settings: Settings, services: Services) -> Any:
    """The reminder service, or None without LINE/Telegram credentials.

    Imported only when a platform is configured: it loads the platform SDKs (about 1 s).
    """
    if not (settings.line_channel_access_token or settings.telegram_bot_token):
        return None
    from bot.reminders.runtime import reminder_service

    return reminder_service(settings, services)


def _mail(settings: Settings, services: Services) -> Any:
    """The e-mail outbox's dispatcher loop, or None without ``AIGO_SMTP_HOST`` (imported only
    then)."""
    if not settings.smtp_host:
        return None
    from bot.mail.service import mail_service

    return mail_service(settings, services.session_factory)


def create_app(settings: Settings, services: Services | None = None) -> Starlette:
    """Build the service for ``settings``.

    The lifespan builds :class:`~bot.services.Services` (migrations, NLU model, dialogue engine)
    unless ``services`` is given (then the caller owns and closes them).
    """

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if app.state.services is not None:
            yield
            return
        app.state.services = build_services(settings)
        app.state.metrics = app.state.services.metrics
        gc.collect()
        gc.freeze()  # start-up objects (NLU model, domain) leave the GC's scans: steadier latency
        reminders = _reminders(settings, app.state.services)  # None without LINE/Telegram
        app.state.reminders = reminders
        if reminders is not None:
            await reminders.start()
        mail = _mail(settings, app.state.services)  # None without SMTP
        if mail is not None:
            await mail.start()
        try:
            yield
        finally:
            if mail is not None:
                await mail.stop()
            if reminders is not None:
                await reminders.stop()
            app.state.services.close()

    routes = [
        Route("/health", health, methods=["GET"]),
        *nlu_service.routes(),
        *metrics_routes.routes(),
        *calendar_feed.routes(),
        *rest.routes(),
        *channel_runtime.routes(),
    ]
    app = Starlette(
        routes=routes,  # the web pages are mounted last, under "/", below
        lifespan=channel_runtime.with_channels(lifespan),
        middleware=[Middleware(BodyLimit, exempt=UPLOAD_PATHS)],
        exception_handlers={HTTPException: _on_http_error, Exception: _on_error},
    )
    redact.install(settings.secret_values())
    app.state.settings = settings
    app.state.services = services
    app.router.routes.append(Mount("", app=create_web_app(settings, app)))
    app.state.metrics = services.metrics if services is not None else None
    app.add_middleware(AccessLog)
    return app
