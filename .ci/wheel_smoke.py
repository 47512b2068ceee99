#!/usr/bin/env python3
"""Build the wheel, install it in a fresh venv away from the source tree, and use it.

Steps (each prints its time): build the wheel; create a venv in a temporary directory and install
the wheel there; from that directory (no source tree on the path) run ``aigo --version`` and
``aigo knowledge show``; start ``aigo serve`` and ask a zh-TW and an English question over REST and
one ``/model/parse``. Any failure exits 1 with what went wrong. Needs only the standard library.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOW = "2019-05-20T10:00:00+08:00"


def step(name: str, started: float) -> None:
    print(f"wheel smoke: {name} ({time.monotonic() - started:.1f}s)", flush=True)


def run(*cmd: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    if done.returncode != 0:
        sys.exit(f"wheel smoke: {' '.join(map(str, cmd))} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def post(port: int, path: str, body: dict[str, str]) -> object:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def wait_healthy(port: int, server: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("wheel smoke: aigo serve exited during start-up")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    sys.exit("wheel smoke: aigo serve did not become healthy")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def texts(replies: object) -> str:
    assert isinstance(replies, list) and replies, replies
    return "\n".join(str(r.get("text", "")) for r in replies)


def serve_checks(aigo: Path, work: Path, env: dict[str, str]) -> None:
    port = free_port()
    server = subprocess.Popen(
        [str(aigo), "serve", "--port", str(port)], cwd=work, env=env, stdout=subprocess.DEVNULL
    )
    try:
        wait_healthy(port, server, time.monotonic() + 300)
        zh = texts(post(port, "/webhooks/rest/webhook", {"sender": "zh", "message": "獎金多少"}))
        en = texts(
            post(
                port, "/webhooks/rest/webhook", {"sender": "en", "message": "when is the deadline?"}
            )
        )
        parsed = post(port, "/model/parse", {"text": "構想什麼時候截止"})
        assert "獎" in zh, zh
        assert "deadline" in en.lower() or "May" in en, en
        assert isinstance(parsed, dict) and parsed["intent"]["name"] == "ask_schedule", parsed
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="aigo-wheel-") as tmp:
        work = Path(tmp)
        run(
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "-w",
            work / "dist",
            ROOT,
            cwd=work,
        )
        (wheel,) = (work / "dist").glob("aigo_assistant-*.whl")
        step(f"built {wheel.name}", started)
        run(sys.executable, "-m", "venv", work / "venv", cwd=work)
        run(work / "venv/bin/python", "-m", "pip", "install", "-q", wheel, cwd=work)
        step("installed into a fresh venv", started)
        aigo = work / "venv/bin/aigo"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIGO_", "PYTHON"))}
        env |= {"AIGO_DATA_DIR": str(work / "var"), "AIGO_NOW": NOW, "AIGO_LOG_LEVEL": "WARNING"}
        print(run(aigo, "--version", cwd=work, env=env).strip())
        shown = run(aigo, "knowledge", "show", "--round", "108-2", cwd=work, env=env)
        assert "108-2" in shown, shown
        serve_checks(aigo, work, env)
        step("serve, zh-TW and English questions, /model/parse, knowledge show: OK", started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
