"""The date model: say exactly what the seed says, and no more.

A schedule entry is one of these kinds (``kind`` in YAML):

===========  ====================  =============================================================
kind         seed example          earliest .. latest (Asia/Taipei)
===========  ====================  =============================================================
day          5月31日               00:00 .. 23:59:59 that day
day_range    3月21-25日, 5月2-3日  first day 00:00 .. last day 23:59:59
month        8月                   1st 00:00 .. last day 23:59:59
month_part   10月下旬, 11月中旬    上旬 1-10, 中旬 11-20, 下旬 21-end of month
month_range  3月至5月              1 March 00:00 .. 31 May 23:59:59
until        題目上架至7月中旬     earliest of ``after`` .. end of the month part
relative     構想審查後1個月內     earliest of ``after`` .. (last day of ``after``) + N months
===========  ====================  =============================================================

Only ``day`` is *exact*. ``time`` (e.g. ``"12:00"``, the 12p.m. cut-off) sets the precise instant
of a deadline; a deadline without a time falls at the end of its (last possible) day, 23:59:59.
``tentative`` is the seed's ``*`` mark ("subject to change"). Years come from the round:
ROC year + 1911 = Gregorian year (108 → 2019).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as dtime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

TZ = ZoneInfo("Asia/Taipei")
ROC_OFFSET = 1911
END_OF_DAY = dtime(23, 59, 59)
MonthPart = Literal["early", "mid", "late"]
_PART_DAYS: dict[str, tuple[int, int | None]] = {
    "early": (1, 10),
    "mid": (11, 20),
    "late": (21, None),
}

Month = Annotated[int, Field(ge=1, le=12)]
Day = Annotated[int, Field(ge=1, le=31)]


def roc_to_gregorian(roc_year: int) -> int:
    """Return the Gregorian year of an ROC (民國) year: 108 → 2019."""
    return roc_year + ROC_OFFSET


def gregorian_to_roc(year: int) -> int:
    """Return the ROC (民國) year of a Gregorian year: 2019 → 108."""
    return year - ROC_OFFSET


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    as_stated: str = Field(description="the date exactly as the seed writes it")
    tentative: bool = False
    time: dtime | None = None


class DaySpec(_Spec):
    kind: Literal["day"]
    month: Month
    day: Day


class DayRangeSpec(_Spec):
    kind: Literal["day_range"]
    month: Month
    day: Day
    end_day: Day
    end_month: Month | None = None


class MonthSpec(_Spec):
    kind: Literal["month"]
    month: Month


class MonthPartSpec(_Spec):
    kind: Literal["month_part"]
    month: Month
    part: MonthPart


class MonthRangeSpec(_Spec):
    kind: Literal["month_range"]
    month: Month
    end_month: Month


class UntilSpec(_Spec):
    kind: Literal["until"]
    after: str = Field(description="milestone id the period starts at")
    month: Month
    part: MonthPart | None = None


class RelativeSpec(_Spec):
    kind: Literal["relative"]
    after: str = Field(description="milestone id the period starts after")
    within_months: Annotated[int, Field(ge=1)]


AnySpec = (
    DaySpec | DayRangeSpec | MonthSpec | MonthPartSpec | MonthRangeSpec | UntilSpec | RelativeSpec
)
DateSpec = Annotated[AnySpec, Field(discriminator="kind")]


@dataclass(frozen=True)
class ResolvedDate:
    """A date spec placed on the calendar of one round.

    ``earliest``/``latest`` bound when it can happen (aware, Asia/Taipei). ``deadline`` is the
    precise instant a deadline falls: ``time`` on the last possible day, else 23:59:59 of it.
    ``exact`` is True only for a single stated day. ``anchor`` is the resolved date a relative or
    open-ended period starts from (``None`` otherwise).
    """

    spec: AnySpec
    year: int
    earliest: datetime
    latest: datetime
    deadline: datetime
    anchor: ResolvedDate | None = None

    @property
    def exact(self) -> bool:
        """True when the seed states a single day."""
        return self.spec.kind == "day"

    @property
    def tentative(self) -> bool:
        """True when the seed marks the date with ``*`` (subject to change)."""
        return self.spec.tentative

    @property
    def approximate(self) -> bool:
        """True for anything that is not a stated day or day range."""
        return self.spec.kind not in ("day", "day_range")

    @property
    def time(self) -> dtime | None:
        """The stated time of day (the 12:00 cut-off), if any."""
        return self.spec.time


def _start(d: date) -> datetime:
    return datetime.combine(d, dtime(0, 0), TZ)


def _end(d: date) -> datetime:
    return datetime.combine(d, END_OF_DAY, TZ)


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _part_bounds(year: int, month: int, part: str) -> tuple[date, date]:
    first, last = _PART_DAYS[part]
    return date(year, month, first), date(year, month, last or _last_day(year, month))


def add_months(d: date, months: int) -> date:
    """Return ``d`` plus ``months`` calendar months, clamped to the month's last day."""
    index = d.month - 1 + months
    year, month = d.year + index // 12, index % 12 + 1
    return date(year, month, min(d.day, _last_day(year, month)))


def _bounds(
    spec: DaySpec | DayRangeSpec | MonthSpec | MonthPartSpec | MonthRangeSpec,
    year: int,
) -> tuple[date, date]:
    if isinstance(spec, DaySpec):
        return date(year, spec.month, spec.day), date(year, spec.month, spec.day)
    if isinstance(spec, DayRangeSpec):
        end = date(year, spec.end_month or spec.month, spec.end_day)
        return date(year, spec.month, spec.day), end
    if isinstance(spec, MonthSpec):
        return date(year, spec.month, 1), date(year, spec.month, _last_day(year, spec.month))
    if isinstance(spec, MonthPartSpec):
        return _part_bounds(year, spec.month, spec.part)
    return date(year, spec.month, 1), date(year, spec.end_month, _last_day(year, spec.end_month))


def resolve(
    spec: AnySpec,
    year: int,
    anchor_of: Callable[[str], ResolvedDate],
) -> ResolvedDate:
    """Place ``spec`` in Gregorian ``year``; ``anchor_of(milestone_id)`` resolves references.

    Raises:
        ValueError: the day does not exist (e.g. 2月30日) or a range runs backwards.
    """
    anchor: ResolvedDate | None = None
    if isinstance(spec, UntilSpec):
        anchor = anchor_of(spec.after)
        last = (
            _part_bounds(year, spec.month, spec.part)[1]
            if spec.part
            else date(year, spec.month, _last_day(year, spec.month))
        )
        earliest, last_day = anchor.earliest, last
    elif isinstance(spec, RelativeSpec):
        anchor = anchor_of(spec.after)
        earliest = anchor.earliest
        last_day = add_months(anchor.latest.date(), spec.within_months)
    else:
        first, last_day = _bounds(spec, year)
        earliest = _start(first)
    latest = _end(last_day)
    if latest < earliest:
        raise ValueError(f"date {spec.as_stated!r} ends before it starts")
    deadline = datetime.combine(last_day, spec.time, TZ) if spec.time else latest
    return ResolvedDate(spec, year, earliest, latest, deadline, anchor)
