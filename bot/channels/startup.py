"""Starting the platform senders without depending on the platforms being up.

:class:`SenderStarter` starts each sender (Telegram's ``getMe``, LINE's HTTP session); when a
platform's API does not answer, the service starts anyway (REST and the other channel serve, and
webhooks are stored), the failure is logged at ERROR once, and a background task retries every
``retry`` seconds until the sender starts. :attr:`SenderStarter.status` maps each platform to
``"ok"`` or ``"unreachable: <reason>"``; ``/health`` reports it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Protocol

from bot.channels.errors import SendError

log = logging.getLogger(__name__)


class Startable(Protocol):
    """A sender with an async ``start()`` that raises :class:`SendError` when its API is down."""

    async def start(self) -> None: ...


class SenderStarter:
    """Starts senders now or, when their platform is down, in the background."""

    def __init__(self, status: dict[str, str], *, retry: float = 30.0) -> None:
        self.status = status
        self.retry = retry
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, name: str, sender: Startable) -> None:
        """Start ``sender`` or schedule retries (see the module docstring); never raises."""
        if await self._try(name, sender, first=True):
            return
        task = asyncio.create_task(self._keep_trying(name, sender), name=f"start-{name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _try(self, name: str, sender: Startable, *, first: bool) -> bool:
        try:
            await sender.start()
        except SendError as exc:
            if first:
                log.error("%s API unreachable at start (%s); retrying every %.0f s",
                          name, exc, self.retry)  # fmt: skip
            self.status[name] = f"unreachable: {exc}"
            return False
        if not first:
            log.warning("%s API reachable again; sender started", name)
        self.status[name] = "ok"
        return True

    async def _keep_trying(self, name: str, sender: Startable) -> None:
        while True:
            await asyncio.sleep(self.retry)
            if await self._try(name, sender, first=False):
                return

    async def stop(self) -> None:
        """Cancel the retries still running."""
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
