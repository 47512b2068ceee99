"""Formatting of amounts, dates and times in zh-TW and en (wording from ``templates.yml``)."""

from __future__ import annotations

from datetime import datetime
from datetime import time as dtime
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import yaml
from wcwidth import wcswidth

from knowledge.dates import (
    DayRangeSpec,
    DaySpec,
    MonthPartSpec,
    MonthRangeSpec,
    MonthSpec,
    RelativeSpec,
    ResolvedDate,
    UntilSpec,
)
from knowledge.schema import Lang, Programme

TEMPLATES_PATH = Path(__file__).with_name("templates.yml")
NOON = dtime(12, 0)


@lru_cache(maxsize=1)
def templates() -> dict[str, Any]:
    """The parsed ``templates.yml`` (cached), keyed by language."""
    data = yaml.load(TEMPLATES_PATH.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return cast(dict[str, Any], data)


def t(lang: Lang, key: str) -> Any:
    """The template at dotted ``key`` for ``lang`` (raises KeyError when absent)."""
    node: Any = templates()[lang]
    for part in key.split("."):
        node = node[part]
    return node


def format_amount(amount: int, lang: Lang) -> str:
    """An NTD amount as people write it.

    50000 → 5萬元 / NT$50,000; 700000 → 70萬元 / NT$700,000; 20000000 → 2,000萬元 / NT$20 million.
    """
    if lang == "zh-TW":
        if amount % 10000 == 0 and amount:
            return str(t(lang, "amount_man")).format(man=f"{amount // 10000:,}")
        return str(t(lang, "amount_plain")).format(amount=f"{amount:,}")
    if amount >= 1_000_000 and amount % 1_000_000 == 0:
        return str(t(lang, "amount_million")).format(million=f"{amount // 1_000_000:,}")
    return str(t(lang, "amount_plain")).format(amount=f"{amount:,}")


def format_time(value: dtime, lang: Lang) -> str:
    """12:00 → 中午12:00 / 12:00 noon; other times as HH:MM."""
    if value == NOON:
        return str(t(lang, "time_noon"))
    return str(t(lang, "time_other")).format(hh=f"{value.hour:02d}", mm=f"{value.minute:02d}")


def _month(lang: Lang, month: int) -> str:
    return str(t(lang, "months")[month - 1])


def _part(lang: Lang, month: int, part: str | None) -> str:
    if part is None:
        return _month(lang, month)
    return str(t(lang, f"month_part.{part}")).format(month=_month(lang, month))


def _ref(programme: Programme, lang: Lang, milestone_id: str) -> str:
    refs: dict[str, str] = t(lang, "refs")
    return refs.get(milestone_id) or programme.milestone(milestone_id).name.get(lang)


def format_day(value: datetime, lang: Lang, with_time: bool = False) -> str:
    """A single day: 5月31日（五） / Fri 31 May; with its time when ``with_time``."""
    text = str(t(lang, "date.day")).format(
        month=_month(lang, value.month),
        day=value.day,
        weekday=t(lang, "weekdays")[value.weekday()],
    )
    if with_time:
        time_text = format_time(value.time().replace(second=0), lang)
        return str(t(lang, "date.with_time")).format(date=text, time=time_text)
    return text


def format_date(programme: Programme, date: ResolvedDate, lang: Lang) -> str:
    """A resolved date as the seed states it (no year; the * mark is rendered separately).

    Examples (zh-TW / en): 5月31日（五）中午12:00 / Fri 31 May, 12:00 noon; 3月21-25日 /
    21–25 March; 10月下旬 / late October (an approximate date never shows the cut-off time);
    構想審查後1個月內 / within 1 month(s) after the idea review.
    """
    spec = date.spec
    fmt = str(t(lang, "date").get(spec.kind, ""))
    month = _month(lang, spec.month) if not isinstance(spec, RelativeSpec) else ""
    if isinstance(spec, DaySpec):
        return format_day(
            date.deadline if spec.time else date.earliest, lang, spec.time is not None
        )
    if isinstance(spec, DayRangeSpec):
        if spec.end_month and spec.end_month != spec.month:
            fmt = str(t(lang, "date.day_range_months"))
        end_month = _month(lang, spec.end_month or spec.month)
        text = fmt.format(month=month, day=spec.day, end_day=spec.end_day, end_month=end_month)
    elif isinstance(spec, MonthSpec):
        text = fmt.format(month=month)
    elif isinstance(spec, MonthPartSpec):
        text = _part(lang, spec.month, spec.part)
    elif isinstance(spec, MonthRangeSpec):
        text = fmt.format(month=month, end_month=_month(lang, spec.end_month))
    elif isinstance(spec, UntilSpec):
        until = _part(lang, spec.month, spec.part)
        text = fmt.format(after=_ref(programme, lang, spec.after), until=until)
    else:
        unit = t(lang, "month_unit")["one" if spec.within_months == 1 else "other"]
        after = _ref(programme, lang, spec.after)
        text = fmt.format(after=after, months=spec.within_months, unit=unit)
    return text  # a cut-off time is only shown on a stated day (never "10月下旬中午12:00")


def display_width(text: str) -> int:
    """Terminal columns of ``text`` (``wcwidth``: wide, full-width and emoji count 2)."""
    measured = wcswidth(text)
    return measured if measured >= 0 else len(text)


def pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` display columns."""
    return text + " " * max(width - display_width(text), 0)
