"""Start a real service process (``aigo serve``, the rasa_sdk action server) for end-to-end tests.

Made for a loaded machine: :func:`start_service` waits generously for readiness by polling
``/health`` (start-up may include training the NLU model when its data changed), and it retries
on a fresh port when the chosen one was taken between picking it and the server binding it (the
port race every "find a free port, then start a process" scheme has). The process's stderr goes
to a file (never a pipe nobody reads, which would block a chatty process), and its tail is shown
when the process dies during start-up.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from tests.fakes.server import free_port

READY_TIMEOUT = 180.0  # seconds; start-up is ~2 s idle, far more on a loaded 2-core machine
REQUEST_TIMEOUT = 60.0  # for test requests to a service that is up but may be slow under load
_BIND_ERRORS = ("address already in use", "error while attempting to bind")


@dataclass
class Service:
    """A started process and the port it serves on."""

    proc: subprocess.Popen[bytes]
    port: int
    stderr: IO[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        self.proc.kill()
        self.proc.wait(30)

    def stop(self) -> None:
        """Terminate (then kill) the process and close its stderr file."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)
        self.stderr.close()


def _tail(stderr: IO[bytes]) -> str:
    stderr.flush()
    stderr.seek(0)
    return stderr.read().decode(errors="replace")[-3000:]


def _wait_ready(service: Service, path: str, timeout: float) -> str | None:
    """None once ``path`` answers 200; else why not (the process died, or the deadline passed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.proc.poll() is not None:
            return _tail(service.stderr) or f"exited with {service.proc.returncode}"
        try:
            if httpx.get(service.url + path, timeout=5).status_code == 200:
                return None
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return f"not ready within {timeout:.0f} s:\n{_tail(service.stderr)}"


def start_service(
    args_for_port: Callable[[int], list[str]],
    env: dict[str, str],
    *,
    cwd: Path,
    path: str = "/health",
    timeout: float = READY_TIMEOUT,
    attempts: int = 5,
) -> Service:
    """Start ``args_for_port(port)`` and return once ``GET path`` answers 200 (see the module)."""
    problem = ""
    for _ in range(attempts):
        port = free_port()
        stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by Service.stop)
        proc = subprocess.Popen(
            args_for_port(port), cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=stderr
        )
        service = Service(proc, port, stderr)
        problem = _wait_ready(service, path, timeout) or ""
        if not problem:
            return service
        service.stop()
        if not any(marker in problem.lower() for marker in _BIND_ERRORS):
            break  # a real start-up failure: report it, do not retry
    raise AssertionError(f"{args_for_port(0)[:4]} did not start: {problem}")


@contextmanager
def running_service(
    args_for_port: Callable[[int], list[str]],
    env: dict[str, str],
    *,
    cwd: Path,
    path: str = "/health",
    timeout: float = READY_TIMEOUT,
) -> Iterator[Service]:
    """:func:`start_service` as a context manager that always stops the process."""
    service = start_service(args_for_port, env, cwd=cwd, path=path, timeout=timeout)
    try:
        yield service
    finally:
        service.stop()


def shared_nlu_model(tmp_path_factory: Any) -> Path:
    """One trained NLU model file for the whole test session (all test packages share it).

    Trained here, in the test process, before any service process starts: a service started on
    it only loads it (about 20 ms) instead of training on its own start-up.
    """
    from nlu import load_or_train

    path = Path(tmp_path_factory.getbasetemp()) / "nlu-shared" / "nlu-model.json.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    load_or_train(path)
    return path
