"""The one clock of the service.

Everything that needs "now" asks a :class:`Clock`; pure code takes ``now`` as an argument.
``AIGO_NOW`` freezes the clock for demos, tests and evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Taipei")


class Clock:
    """The real clock, in the programme's time zone."""

    def now(self) -> datetime:
        """Return the current time, aware, in Asia/Taipei."""
        return datetime.now(TZ)


@dataclass
class FrozenClock(Clock):
    """A clock stuck at one instant (movable by tests)."""

    at: datetime

    def now(self) -> datetime:
        """Return the frozen instant, converted to Asia/Taipei."""
        return self.at.astimezone(TZ)


def clock_for(frozen: datetime | None) -> Clock:
    """Return a frozen clock when ``frozen`` is set, else the real one."""
    return FrozenClock(frozen) if frozen is not None else Clock()
