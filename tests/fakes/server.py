"""Run a Starlette app with uvicorn in a background thread on 127.0.0.1 and a free port."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any, Literal

import uvicorn


def free_port() -> int:
    """A TCP port that was free a moment ago on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ThreadedServer:
    """``uvicorn`` serving ``app`` in a daemon thread; ``url`` is ``http://127.0.0.1:<port>``."""

    def __init__(
        self, app: Any, port: int | None = None, *, lifespan: Literal["auto", "on", "off"] = "off"
    ) -> None:
        # Bind here and hand the socket to uvicorn: no window in which another process could take
        # a port chosen earlier (a "free" port is only free until someone binds it).
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", port or 0))
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app,
            log_level="error",
            lifespan=lifespan,
            backlog=2048,
            timeout_keep_alive=30,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._socket]))

    def start(self, timeout: float = 120.0) -> ThreadedServer:
        """Start serving; return once the app's start-up is complete (generous under load)."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("fake server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Ask uvicorn to exit and wait for the thread."""
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self._socket.close()
