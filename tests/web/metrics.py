"""Page weight and time to interactive, read from the browser's Performance API.

*Weight* is the bytes transferred for the document and every resource it loaded on a first visit
(``transferSize``: headers and compressed body). *Time to interactive* is the time from the start
of navigation to the page's ``aigo-interactive`` mark (set once the page's script has wired the
page up; on the chat, once the first answer is shown). The figures go to
``var/screenshots/metrics.json`` for the report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_READ = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const res = performance.getEntriesByType("resource");
  const mark = performance.getEntriesByName("aigo-interactive")[0];
  return {
    bytes: nav.transferSize + res.reduce((sum, r) => sum + r.transferSize, 0),
    requests: 1 + res.length,
    interactive_ms: mark ? Math.round(mark.startTime) : null,
  };
}"""


def measure(page: Any, name: str, out: Path) -> dict[str, Any]:
    """Wait for the page's interactive mark; record and return its weight and timing."""
    page.locator("body[data-ready='1']").wait_for()
    figures: dict[str, Any] = page.evaluate(_READ)
    path = out / "metrics.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    known[name] = figures
    path.write_text(json.dumps(known, indent=2, sort_keys=True))
    return figures
