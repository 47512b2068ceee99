"""What route handlers need from the application: the service container."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request

from bot.services import Services


def services_of(request: Request) -> Services:
    """The service container of the application the pages are mounted in (503 while starting)."""
    services: Services | None = request.app.state.parent.state.services
    if services is None:
        raise HTTPException(503)
    return services
