"""CPU seconds of the processes a benchmark runs, read from /proc (Linux only).

:class:`CpuMeter` samples, every ``interval`` seconds in a background thread, the CPU time
(user + system) of named processes (the service workers), of this process's named threads (the
in-process fake platform server) and of the PostgreSQL server processes: backends serving one
database (matched on their process title, ``postgres: … <user> <database> …``) and the server's
background processes (WAL writer, checkpointer …). A process that exits keeps its last sample, so
a worker that is SIGKILLed (or a backend whose connection closed) still counts what it used until
then. :meth:`CpuMeter.totals` returns CPU seconds per group since the meter started.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int, thread: int | None = None) -> float | None:
    """CPU seconds of ``pid`` (or of its thread ``thread``), None when it is gone."""
    path = f"/proc/{pid}/task/{thread}/stat" if thread else f"/proc/{pid}/stat"
    try:
        stat = Path(path).read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state is field 3
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def _postgres_group(pid: int, database: str) -> str | None:
    """``postgres backends`` (serving ``database``), ``postgres background`` or None."""
    try:
        title = (
            Path(f"/proc/{pid}/cmdline")
            .read_bytes()
            .replace(b"\0", b" ")
            .decode("utf-8", "replace")
        )
    except OSError:
        return None
    if not title.startswith("postgres:"):
        return None
    if f" {database} " in title:
        return "postgres backends"
    if any(part in title for part in ("127.0.0.1(", "[local]", "idle")):
        return None  # a backend of another database
    return "postgres background"


class CpuMeter:
    """Samples CPU use per group in a background thread (see the module docstring)."""

    def __init__(self, *, database: str | None = None, interval: float = 0.25) -> None:
        self.database = database
        self.interval = interval
        self.processes: dict[int, str] = {}  # pid -> group
        self.threads: dict[int, str] = {}  # native thread id in this process -> group
        self._first: dict[tuple[str, int], float] = {}
        self._last: dict[tuple[str, int], float] = {}
        self._groups: dict[tuple[str, int], str] = {}
        self._seen: dict[int, str | None] = {}  # pid -> its PostgreSQL group (read once per pid)
        self._self_start = time.process_time()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="cpu-meter")

    def start(self) -> CpuMeter:
        self.sample()
        self._thread.start()
        return self

    def stop(self) -> dict[str, float]:
        """Stop sampling (after a last sample) and return :meth:`totals`."""
        self._stop.set()
        self._thread.join()
        self.sample()
        return self.totals()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        """Read every watched process and thread once."""
        watched: dict[tuple[str, int], tuple[str, float | None]] = {}
        for pid, group in list(self.processes.items()):
            watched["p", pid] = (group, process_cpu(pid))
        for tid, group in list(self.threads.items()):
            watched["t", tid] = (group, process_cpu(os.getpid(), tid))
        if self.database:
            for pid in (int(e.name) for e in Path("/proc").iterdir() if e.name.isdigit()):
                if pid not in self._seen:
                    self._seen[pid] = _postgres_group(pid, self.database)
                group = self._seen[pid]
                if group is not None:
                    watched["p", pid] = (group, process_cpu(pid))
        with self._lock:
            for key, (group, cpu) in watched.items():
                if cpu is None:
                    continue
                if key not in self._first:  # a backend first seen now started since the last
                    new = group == "postgres backends" and bool(self._last)
                    self._first[key] = 0.0 if new else cpu
                self._last[key] = cpu
                self._groups[key] = group

    def totals(self) -> dict[str, float]:
        """CPU seconds per group since :meth:`start`; ``bench`` is this process minus its
        watched threads."""
        out: dict[str, float] = defaultdict(float)
        with self._lock:
            for key, last in self._last.items():
                out[self._groups[key]] += last - self._first[key]
        threads = sum(v for k, v in out.items() if k in set(self.threads.values()))
        out["bench"] = time.process_time() - self._self_start - threads
        return dict(out)
