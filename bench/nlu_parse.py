"""NLU benchmark: training time, model load time, memory added by the model, parse latency.

Usage::

    python bench/nlu_parse.py [--repeat 20]

1. Training: ``nlu.train()`` on ``nlu/data`` (timed), saved to a temporary file.
2. Load: a fresh interpreter measures resident memory (RSS, /proc/self/statm) before and after
   ``NLUModel.load`` and the load time, so the numbers are not polluted by training.
3. Latency: in-process ``parse`` of every training and held-out message ``--repeat`` times (after a
   warm-up), reported as p50 / p99 / max in milliseconds, with the 20,000-character worst case.
Targets on a 2-core machine: p99 ≤ 2 ms, load ≤ 0.5 s, memory ≤ 100 MB, training ≤ 30 s.

Every time is printed twice: wall clock, and CPU time of the process or thread
(``time.process_time`` / ``time.thread_time``). On a shared machine the wall clock includes waiting
for a core; the CPU time is what the work costs and compares across loads.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlu import DATA_DIR, NLUModel, train  # noqa: E402
from nlu.training_data import load_training_data  # noqa: E402

HOLDOUT = ROOT / "tests" / "data" / "nlu_holdout.yml"

_LOAD_PROBE = """
import json, os, sys, time
from pathlib import Path
page = os.sysconf("SC_PAGE_SIZE")
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * page
import nlu  # the code, numpy and yaml are imported before the baseline
before = rss()
start, cpu = time.perf_counter(), time.process_time()
model = nlu.NLUModel.load(Path(sys.argv[1]))
model.parse("warm up 獎金多少")
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"load_s": elapsed, "load_cpu_s": cpu, "rss_before": before, "rss_after": rss()}))
"""


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    started, cpu = time.perf_counter(), time.process_time()
    model = train(DATA_DIR)
    train_s, train_cpu = time.perf_counter() - started, time.process_time() - cpu
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "nlu-model.json.gz"
        model.save(path)
        size_kb = path.stat().st_size / 1024
        probe = subprocess.run(
            [sys.executable, "-c", _LOAD_PROBE, str(path)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        loaded = json.loads(probe.stdout)
        model = NLUModel.load(path)

    texts = [e.text for e in load_training_data(DATA_DIR).examples]
    texts += [e.text for e in load_training_data(HOLDOUT).examples]
    now = datetime.fromisoformat("2019-05-20T10:00:00+08:00")
    for text in texts[:200]:
        model.parse(text, now)
    latencies, cpu_latencies = [], []
    for _ in range(args.repeat):
        for text in texts:
            t0, c0 = time.perf_counter(), time.thread_time()
            model.parse(text, now)
            cpu_latencies.append((time.thread_time() - c0) * 1000)
            latencies.append((time.perf_counter() - t0) * 1000)
    long_text = "請問構想書幾號要交啊？" * 1820
    t0 = time.perf_counter()
    model.parse(long_text[:20_000], now)
    long_ms = (time.perf_counter() - t0) * 1000

    print(
        f"training: {train_s:.2f} s wall, {train_cpu:.2f} s CPU "
        f"({len(model.intents)} intents, model file {size_kb:.0f} KB)"
    )
    print(f"load: {loaded['load_s'] * 1000:.0f} ms wall, {loaded['load_cpu_s'] * 1000:.0f} ms CPU")
    added_mb = (loaded["rss_after"] - loaded["rss_before"]) / 2**20
    print(
        f"memory added by the model: {added_mb:.1f} MB (RSS {loaded['rss_after'] / 2**20:.0f} MB)"
    )
    for kind, values in (("wall", latencies), ("CPU", cpu_latencies)):
        print(
            f"parse latency ({kind}) over {len(values)} calls: "
            f"p50 {_percentile(values, 0.5):.3f} ms, p99 {_percentile(values, 0.99):.3f} ms, "
            f"max {max(values):.3f} ms"
        )
    print(f"parse of a 20,000-character message: {long_ms:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
