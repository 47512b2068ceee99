"""Run turns off the service's event loop, in a small pool of threads that each own an event loop.

A turn is blocking database work (SQLAlchemy, one transaction) plus ``rasa_sdk`` actions, which are
coroutines that never wait on the service's loop. Run on the service's loop, every database round
trip and commit would stall all other requests; in a worker thread the loop keeps accepting and
answering while the turn waits on the database (PostgreSQL round trips and commits overlap across
senders). :meth:`TurnWorkers.run` copies the caller's context variables into the worker (like
``asyncio.to_thread``) and runs the coroutine to completion on that thread's own event loop.

``size=0`` runs turns inline on the caller's loop (no threads). :meth:`TurnWorkers.close` stops the
threads and closes their loops; it also runs when the owner is garbage-collected.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import weakref
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class _Threads:
    """The pool and the event loops of its threads (kept apart so ``weakref.finalize`` works)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.pool: ThreadPoolExecutor | None = None
        self.loops: list[asyncio.AbstractEventLoop] = []
        self.local = threading.local()
        self.lock = threading.Lock()

    def executor(self) -> ThreadPoolExecutor:
        with self.lock:
            if self.pool is None:
                self.pool = ThreadPoolExecutor(self.size, thread_name_prefix="aigo-turn")
            return self.pool

    def complete(self, factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Run ``factory()`` to completion on this worker thread's event loop."""
        loop: asyncio.AbstractEventLoop | None = getattr(self.local, "loop", None)
        if loop is None or loop.is_closed():
            loop = asyncio.new_event_loop()
            self.local.loop = loop
            with self.lock:
                self.loops.append(loop)
        try:
            return loop.run_until_complete(factory())
        finally:
            with self.lock:
                orphaned = loop not in self.loops
            if orphaned:  # close() ran meanwhile (from this very thread, e.g. through the GC)
                loop.close()

    def close(self) -> None:
        """Stop the pool and close the loops; from inside a worker, without waiting for it."""
        with self.lock:
            pool, self.pool = self.pool, None
            loops, self.loops = self.loops, []
        if pool is not None:
            pool.shutdown(wait=getattr(self.local, "loop", None) is None)
        for loop in loops:
            if not loop.is_running():
                loop.close()


class TurnWorkers:
    """``await workers.run(factory)``: run the coroutine ``factory()`` in a worker thread."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._threads = _Threads(size)
        weakref.finalize(self, self._threads.close)

    async def run(self, factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Return ``await factory()``, computed in a worker thread (inline when ``size`` is 0)."""
        if self.size <= 0:
            return await factory()
        context = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._threads.executor(), context.run, self._threads.complete, factory
        )

    def close(self) -> None:
        """Stop the worker threads and close their loops (the pool restarts on the next run)."""
        self._threads.close()
