"""REST throughput: 16 concurrent senders, each one growing conversation, against ``aigo serve``.

Usage::

    python bench/rest_throughput.py [--seconds 20] [--senders 16] [--postgres URL] [--metrics both]

Starts the service (uvicorn, one process) in a subprocess on a free port with a fresh SQLite
database (or the PostgreSQL database at ``--postgres``, migrated on start), waits for the first
answered REST message, then drives the load and prints: messages/s, p50/p99 latency overall and
for the first and last 5 s (no slowdown as histories grow), the server's resident memory, and the
time from process start to the first answered request. The NLU model is trained beforehand (not
counted in the start time). ``--metrics both`` runs the server twice in one go, with
``AIGO_METRICS=off`` then ``on``, and prints the throughput and latency difference.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = [
    "你好",
    "獎金多少",
    "構想什麼時候截止",
    "/help",
    "我19歲可以參加嗎",
    "when is the deadline?",
    "謝謝",
    "how much is the prize",
    '/ask_bonus{"award_tier": "excellent"}',
    "那第二梯呢",
    "取消",
    "hi",
]


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values`` in ms."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def wait_first_answer(url: str, proc: subprocess.Popen[bytes], started: float) -> float:
    """Seconds from ``started`` until a REST message is answered."""
    async with httpx.AsyncClient(timeout=2) as client:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"server exited with {proc.returncode}")
            try:
                body = {"sender": "bench-probe", "message": "你好"}
                response = await client.post(url, json=body)
                if response.status_code == 200 and response.json():
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.02)


class RawClient:
    """A minimal keep-alive HTTP/1.1 JSON client, so the load generator spends little CPU on the
    two cores it shares with the server (httpx would cost about as much as a turn)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, payload: dict[str, object]) -> bytes:
        """POST ``payload`` as JSON; return the body (raise on a non-200 status)."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        body = json.dumps(payload).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        data = await self.reader.readexactly(length)
        if b" 200 " not in status:
            raise RuntimeError(f"HTTP {status!r}: {data[:200]!r}")
        return data

    async def close(self) -> None:
        """Close the connection."""
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


async def drive(port: int, senders: int, seconds: float) -> list[tuple[float, float]]:
    """Run ``senders`` conversations for ``seconds``; return (start offset, latency) samples."""
    samples: list[tuple[float, float]] = []
    run = uuid.uuid4().hex[:8]
    begin = time.perf_counter()

    async def sender(index: int) -> None:
        client = RawClient(port)
        turn = 0
        try:
            while (now := time.perf_counter()) - begin < seconds:
                message = MESSAGES[(turn + index) % len(MESSAGES)]
                body = {"sender": f"bench-{run}-{index}", "message": message}
                await client.post("/webhooks/rest/webhook", body)
                samples.append((now - begin, time.perf_counter() - now))
                turn += 1
        finally:
            await client.close()

    await asyncio.gather(*(sender(i) for i in range(senders)))
    return samples


def report(label: str, samples: list[tuple[float, float]], span: float) -> None:
    """Print rate and latency of ``samples`` taken over ``span`` seconds."""
    latencies = [lat for _, lat in samples]
    print(
        f"{label:>10}: {len(samples) / span:7.1f} msg/s  p50 {percentile(latencies, 0.5):6.1f} ms"
        f"  p99 {percentile(latencies, 0.99):6.1f} ms  (n={len(samples)})"
    )


def main() -> int:
    """Run the benchmark; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--senders", type=int, default=16)
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL URL instead of SQLite")
    parser.add_argument(
        "--metrics", choices=["on", "off", "both"], default="on", help="AIGO_METRICS for the server"
    )
    args = parser.parse_args()
    modes = ["off", "on"] if args.metrics == "both" else [args.metrics]
    results = {mode: run_once(args, mode) for mode in modes}
    if len(results) == 2:
        (off_rate, off_p50), (on_rate, on_p50) = results["off"], results["on"]
        print(
            f"\n/metrics overhead: {off_rate:.0f} -> {on_rate:.0f} msg/s "
            f"({(on_rate - off_rate) / off_rate * 100:+.1f}%), median latency "
            f"{off_p50:.1f} -> {on_p50:.1f} ms"
        )
    return 0


def run_once(args: argparse.Namespace, metrics: str) -> tuple[float, float]:
    """One server run with ``AIGO_METRICS=metrics``; print the figures; (msg/s, median ms)."""

    work = Path(tempfile.mkdtemp(prefix="aigo-bench-"))
    model = Path(os.environ.get("AIGO_NLU_MODEL", ROOT / "var" / "nlu-model.json.gz"))
    sys.path.insert(0, str(ROOT))
    from nlu import load_or_train

    load_or_train(model)  # train once, outside the timed start
    database = args.postgres or f"sqlite:///{work / 'aigo.db'}"
    port = free_port()
    env = {
        **os.environ,
        "AIGO_DATABASE_URL": database,
        "AIGO_DATA_DIR": str(work),
        "AIGO_NLU_MODEL": str(model),
        "AIGO_LOG_LEVEL": "WARNING",
        "AIGO_REST_RATE_LIMIT": "0",  # 16 senders from one address
        "AIGO_METRICS": metrics,
    }
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)], cwd=ROOT, env=env
    )
    try:
        start_s = asyncio.run(wait_first_answer(url, proc, started))
        samples = asyncio.run(drive(port, args.senders, args.seconds))
        memory = rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)
    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"\nREST throughput, {args.senders} senders, {args.seconds:.0f} s, {engine}, "
        f"metrics {metrics}"
    )
    report("overall", samples, args.seconds)
    report("first 5 s", [s for s in samples if s[0] < 5], 5)
    report("last 5 s", [s for s in samples if s[0] >= args.seconds - 5], 5)
    per_sender = len(samples) / args.senders
    print(f"turns per conversation: {per_sender:.0f} (mean)")
    print(f"server RSS: {memory:.0f} MB")
    print(f"start to first answer: {start_s:.2f} s")
    median_ms = statistics.median(lat for _, lat in samples) * 1000
    print(f"median latency: {median_ms:.1f} ms")
    return len(samples) / args.seconds, median_ms


if __name__ == "__main__":
    sys.exit(main())
