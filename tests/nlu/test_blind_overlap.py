"""The blind sets stay blind: training data written after a blind set repeats none of its lines
(``tools/blind_overlap.py`` finds and drops them; only counts are shown, never blind text)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from nlu.model import DATA_DIR

ROOT = Path(__file__).resolve().parents[2]
# Training files written after blind sets existed, each checked against all of them.
CHECKED = [
    "wave4_fresh.yml",
    "wave5_fresh_a.yml",
    "wave5_fresh_b.yml",
    "wave5_fresh_c.yml",
    "wave5_fresh_d.yml",
    "wave5_hygiene_q.yml",
    "wave5_hygiene_t.yml",
]


def test_fresh_training_data_repeats_no_blind_line() -> None:
    files = [str(DATA_DIR / name) for name in CHECKED]
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "blind_overlap.py"), *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 example(s) equal a held-out line" in run.stdout


def test_the_tool_drops_a_blind_line(tmp_path: Path) -> None:
    blind = (ROOT / "tests" / "data" / "nlu_blind_fresh.yml").read_text(encoding="utf-8")
    line = next(x for x in blind.splitlines() if x.startswith("    - ") and "[" not in x)
    data = tmp_path / "extra.yml"
    data.write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n'
        f"    - 一句不在任何盲測集的問候語ABC\n{line.upper()}\n",
        encoding="utf-8",
    )
    tool = [sys.executable, str(ROOT / "tools" / "blind_overlap.py"), str(data)]
    found = subprocess.run(tool, capture_output=True, text=True, check=False)
    assert found.returncode == 1 and "1 example(s)" in found.stdout
    assert line.strip()[2:] not in found.stdout  # counts only, never the text
    subprocess.run([*tool, "--drop"], capture_output=True, text=True, check=True)
    assert data.read_text(encoding="utf-8").count("    - ") == 1
