"""Date expressions in normalised text, resolved against ``now`` (Asia/Taipei).

Absolute: 2019/5/31, 2019-05-31, 2019年5月31日, 108/5/31 (ROC year), 5月31日, 5月31號,
5/31 (the year of ``now``), ranges 3月21-25日 (the first day). Relative: 今天 明天 後天 大後天
昨天, (這|本|下|下下)(週|星期|禮拜)X, 週X (the next such day, today included), 月底, 下個月底,
(下個)月初 (the 1st), 月中 (the 15th), today / tomorrow / day after tomorrow / next friday /
this friday.
``find_dates(text, now)`` yields ``(start, end, iso_date)``; invalid dates (2月30日) are skipped.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from nlu.numbers import parse_number

__all__ = ["find_dates"]

_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_EN_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_EN_DAY = "|".join(_EN_WEEKDAYS) + "|mon|tue|wed|thu|fri|sat|sun"
_OFFSETS = {
    "今天": 0,
    "今日": 0,
    "明天": 1,
    "明日": 1,
    "後天": 2,
    "后天": 2,
    "大後天": 3,
    "昨天": -1,
}
_OFFSETS.update({"today": 0, "tomorrow": 1, "day after tomorrow": 2, "yesterday": -1})
_NUM = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "ymd",
        re.compile(r"(?<!\d)(\d{4}|1\d{2})\s*[/\-.年]\s*(\d{1,2})\s*[/\-.月]\s*(\d{1,2})[日號号]?"),
    ),
    (
        "md_range",  # 3月21-25日 / 3月21日~25日: the first day (the range is one entity)
        re.compile(
            rf"(?<![\d/])({_NUM})\s*月\s*({_NUM})\s*[日號号]?\s*[-~～至到]\s*{_NUM}\s*[日號号]"
        ),
    ),
    ("md", re.compile(rf"(?<![\d/])({_NUM})\s*月\s*({_NUM})\s*[日號号]")),
    ("md_slash", re.compile(r"(?<![\d/\-.])(\d{1,2})/(\d{1,2})(?![\d/])")),
    ("week", re.compile(r"(這|本|下下|下)?(?:個)?(?:週|周|星期|禮拜)([一二三四五六日天末])")),
    ("en_week", re.compile(rf"\b(?:(this|next)\s+)?({_EN_DAY})\b")),
    ("month_end", re.compile(r"(下個?|這個?|本)?月底")),
    ("month_part", re.compile(r"(下個?|這個?|本)?月(初|中)")),
    ("relative", re.compile("|".join(sorted(_OFFSETS, key=len, reverse=True)))),
]


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _resolve(kind: str, m: re.Match[str], today: date) -> date | None:
    if kind == "ymd":
        year = int(m.group(1))
        year = year + 1911 if year < 1000 else year
        return _safe_date(year, int(m.group(2)), int(m.group(3)))
    if kind in ("md", "md_slash", "md_range"):
        month, day = parse_number(m.group(1)), parse_number(m.group(2))
        if month is None or day is None:
            return None
        return _safe_date(today.year, month, day)
    if kind == "week":
        target = _WEEKDAYS[m.group(2)]
        monday = today - timedelta(days=today.weekday())
        weeks = {"下": 1, "下下": 2}.get(m.group(1) or "", 0)
        if m.group(1):
            return monday + timedelta(days=7 * weeks + target)
        return today + timedelta(days=(target - today.weekday()) % 7)
    if kind == "en_week":
        name = m.group(2)
        target = next(i for i, d in enumerate(_EN_WEEKDAYS) if d.startswith(name[:3]))
        monday = today - timedelta(days=today.weekday())
        if m.group(1) == "next":
            return monday + timedelta(days=7 + target)
        if m.group(1) == "this":
            return monday + timedelta(days=target)
        return today + timedelta(days=(target - today.weekday()) % 7)
    if kind == "month_end":
        year, month = today.year, today.month
        if (m.group(1) or "").startswith("下"):
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return date(year, month, calendar.monthrange(year, month)[1])
    if kind == "month_part":
        year, month = today.year, today.month
        if (m.group(1) or "").startswith("下"):
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return date(year, month, 1 if m.group(2) == "初" else 15)
    return today + timedelta(days=_OFFSETS[m.group(0)])


def find_dates(text: str, now: datetime) -> Iterator[tuple[int, int, str]]:
    """Yield ``(start, end, "YYYY-MM-DD")`` for each date found in the normalised ``text``."""
    today = now.date()
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span()
            if start == end or any(s < end and start < e for s, e in taken):
                continue
            if kind == "en_week" and not m.group(2):
                continue
            value = _resolve(kind, m, today)
            if value is not None:
                taken.append((start, end))
                yield start, end, value.isoformat()
