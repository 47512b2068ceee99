"""Benchmark: signed LINE webhooks (1 event each) against the running service.

Starts the fake LINE platform and ``aigo serve`` (SQLite by default) as subprocesses on
127.0.0.1, then posts signed webhooks from ``--clients`` concurrent clients for ``--seconds``.
Prints acknowledged webhooks per second, ack latency (p50/p99/max), and how long after the load
the fake platform had received an answer (reply or push) to every acknowledged event.
Targets (issue 6): ≥ 300 acks/s and p99 ≤ 30 ms.

    python bench/webhook_throughput.py [--clients 16] [--seconds 20] [--users 2000]
                                       [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-line-channel-secret"
TOKEN = "bench-line-access-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_http(url: str, timeout: float, proc: subprocess.Popen[bytes]) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"process exited early ({proc.returncode}): {proc.args}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout} s")


def signed(user_id: str) -> tuple[bytes, str]:
    event = {
        "type": "message",
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": uuid.uuid4().hex.upper(),
        "deliveryContext": {"isRedelivery": False},
        "replyToken": uuid.uuid4().hex,
        "message": {
            "type": "text",
            "id": "1",
            "text": "構想收件截止是什麼時候？",
            "quoteToken": "q",
        },
    }
    body = json.dumps({"destination": "Ubench", "events": [event]}).encode()
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).digest()
    return body, base64.b64encode(digest).decode()


async def client(
    session: aiohttp.ClientSession, url: str, users: int, until: float, latencies: list[float]
) -> int:
    failures = 0
    n = 0
    while time.monotonic() < until:
        n += 1
        body, signature = signed(f"U{(id(latencies) + n * 7919) % users:08d}")
        started = time.perf_counter()
        async with session.post(
            url,
            data=body,
            headers={"x-line-signature": signature, "content-type": "application/json"},
        ) as response:
            await response.read()
            if response.status == 200:
                latencies.append(time.perf_counter() - started)
            else:
                failures += 1
    return failures


async def load(
    url: str, clients: int, seconds: float, users: int
) -> tuple[list[float], int, float]:
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        per_client: list[list[float]] = [[] for _ in range(clients)]
        started = time.monotonic()
        until = started + seconds
        failures = await asyncio.gather(
            *(client(session, url, users, until, per_client[i]) for i in range(clients))
        )
        elapsed = time.monotonic() - started
    return [x for lst in per_client for x in lst], sum(failures), elapsed


def stats(fake_url: str) -> dict[str, int]:
    import urllib.request

    with urllib.request.urlopen(f"{fake_url}/__fake/stats", timeout=5) as response:
        data: dict[str, int] = json.loads(response.read())
        return data


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--drain-timeout", type=float, default=600.0)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="aigo-bench-"))
    fake_port, app_port = free_port(), free_port()
    fake_url, app_url = f"http://127.0.0.1:{fake_port}", f"http://127.0.0.1:{app_port}"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "AIGO_DATABASE_URL": args.database_url or f"sqlite:///{tmp / 'aigo.db'}",
        "AIGO_DATA_DIR": str(tmp),
        "AIGO_NLU_MODEL": os.environ.get("AIGO_NLU_MODEL", str(ROOT / "var" / "nlu-model.json.gz")),
        "AIGO_LOG_LEVEL": "WARNING",
        "LINE_CHANNEL_SECRET": SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
        "LINE_API_BASE_URL": fake_url,
    }
    env.pop("AIGO_NOW", None)
    fake = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.line", "--port", str(fake_port), "--token", TOKEN],
        cwd=ROOT,
        env=env,
    )
    app = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(app_port)], cwd=ROOT, env=env
    )
    try:
        wait_http(f"{fake_url}/__fake/stats", 30, fake)
        wait_http(f"{app_url}/health", 300, app)
        print(
            f"service up ({env['AIGO_DATABASE_URL'].split(':')[0]}); "
            f"{args.clients} clients for {args.seconds:.0f} s …"
        )
        latencies, failures, elapsed = asyncio.run(
            load(f"{app_url}/webhooks/line/webhook", args.clients, args.seconds, args.users)
        )
        load_end = time.monotonic()
        acked = len(latencies)
        answered = 0
        while time.monotonic() - load_end < args.drain_timeout:
            s = stats(fake_url)
            answered = s.get("reply", 0) + s.get("push", 0)
            if answered >= acked:
                break
            time.sleep(0.25)
        drain = time.monotonic() - load_end
        s = stats(fake_url)
        print(
            f"acknowledged:        {acked} in {elapsed:.1f} s = {acked / elapsed:.0f}/s "
            f"(non-200: {failures})"
        )
        print(
            f"ack latency:         p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
            f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms, "
            f"max {max(latencies) * 1000:.1f} ms"
        )
        print(
            f"answers received:    {answered}/{acked} (reply {s.get('reply', 0)}, "
            f"push {s.get('push', 0)}, rejected {s.get('rejected', 0)})"
        )
        print(
            f"all answered:        {drain:.1f} s after the load ended "
            f"({elapsed + drain:.1f} s after it began)"
        )
    finally:
        for proc in (app, fake):
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
