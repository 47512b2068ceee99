"""Per-sender rate limit: at most ``limit`` messages per ``window`` seconds, one polite notice.

Pure and in memory: :meth:`SlidingWindowLimiter.check` takes the time the user *sent* the message
(the platform's event timestamp), so a backlog processed late after a restart is judged by when it
was sent, not by how fast we drain it. The first message over the limit gets
:attr:`Verdict.NOTIFY` (answer with one notice); further ones in the same burst get
:attr:`Verdict.DROP` (stored and acknowledged, but not answered) until the window frees up.
"""

from __future__ import annotations

import enum
from collections import deque


class Verdict(enum.Enum):
    """What to do with one message."""

    ALLOW = "allow"
    NOTIFY = "notify"
    DROP = "drop"


class SlidingWindowLimiter:
    """A sliding-window counter per sender key."""

    def __init__(self, limit: int = 20, window: float = 10.0, max_keys: int = 100_000) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be ≥ 1 and window > 0")
        self.limit = limit
        self.window = window
        self._max_keys = max_keys
        self._seen: dict[str, deque[float]] = {}
        self._notified: set[str] = set()

    def check(self, key: str, at: float) -> Verdict:
        """Count a message from ``key`` sent at ``at`` (epoch seconds) and return the verdict."""
        times = self._seen.setdefault(key, deque())
        while times and times[0] <= at - self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(at)
            self._notified.discard(key)
            self._prune()
            return Verdict.ALLOW
        if key in self._notified:
            return Verdict.DROP
        self._notified.add(key)
        return Verdict.NOTIFY

    def _prune(self) -> None:
        if len(self._seen) <= self._max_keys:
            return
        for key in [k for k, v in self._seen.items() if not v][: len(self._seen) // 2]:
            del self._seen[key]
        while len(self._seen) > self._max_keys:  # still too many: forget the oldest entries
            del self._seen[next(iter(self._seen))]
