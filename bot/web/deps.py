"""What route handlers need from the application: the service container and its database."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request

from bot.services import Services

T = TypeVar("T")


def services_of(request: Request) -> Services:
    """The service container of the application the pages are mounted in (503 while starting)."""
    services: Services | None = request.app.state.parent.state.services
    if services is None:
        raise HTTPException(503)
    return services


async def in_session(request: Request, work: Callable[[Session], T]) -> T:
    """Run ``work(session)`` in a thread, in one transaction of the service's database."""
    sessions = services_of(request).session_factory

    def run() -> T:
        with sessions.begin() as session:
            return work(session)

    return await asyncio.to_thread(run)
