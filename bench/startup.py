"""Start-up benchmark: how long ``aigo serve`` takes from process start to ``/health`` 200.

With a trained NLU model already on disk (the usual restart), an existing SQLite database and the
bytecode cache the first start wrote, it starts the service ``--runs`` times and prints each
wall-clock time, the median and the fastest, the CPU time the process had used when it first
answered (steadier than wall-clock time on a shared machine), and the same for a bare
``python -c pass`` (the floor every Python service pays).

    python bench/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlu import load_or_train  # noqa: E402
from tests.fakes.server import free_port  # noqa: E402


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _until_healthy(env: dict[str, str]) -> tuple[float, float]:
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"aigo serve exited with {proc.returncode}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    return time.perf_counter() - started, _cpu_seconds(proc.pid)
            except httpx.HTTPError:
                pass
            time.sleep(0.01)
    finally:
        proc.terminate()
        proc.wait(30)


def _bare_python() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "nlu-model.json.gz"
        load_or_train(model)
        # A deployed service keeps the bytecode cache its first start writes; a shell with
        # PYTHONDONTWRITEBYTECODE set (as some sandboxes have) would recompile every module on
        # every start and measure the compiler instead.
        env = {
            **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            "AIGO_DATA_DIR": tmp,
            "AIGO_DATABASE_URL": f"sqlite:///{tmp}/aigo.db",
            "AIGO_NLU_MODEL": str(model),
            "AIGO_LOG_LEVEL": "ERROR",
        }
        _until_healthy(env)  # creates the database (migrations), as a first start does
        runs = [_until_healthy(env) for _ in range(args.runs)]
    floor = [_bare_python() for _ in range(args.runs)]
    times, cpu = [w for w, _ in runs], [c for _, c in runs]
    print("aigo serve to /health 200 (s):", " ".join(f"{t:.2f}" for t in times))
    print(f"wall-clock median {statistics.median(times):.2f} s, fastest {min(times):.2f} s")
    print(f"CPU time used by then: median {statistics.median(cpu):.2f} s, least {min(cpu):.2f} s")
    print(f"python -c pass: median {statistics.median(floor):.3f} s")
    print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
