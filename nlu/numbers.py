"""Numbers written with Arabic digits, Chinese numerals or a mix (二十, 十九, 三萬, 2萬5千, 1,000).

``parse_number(text)`` returns the integer or None; it never raises. Only the characters in
:data:`NUMBER_CHARS` are understood; callers find candidate spans with :data:`NUMBER_PATTERN`.
"""

from __future__ import annotations

import re

__all__ = ["NUMBER_CHARS", "NUMBER_PATTERN", "parse_number"]

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7}
_DIGITS.update({"八": 8, "九": 9, "壹": 1, "貳": 2, "參": 3, "肆": 4, "伍": 5})
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"萬": 10_000, "億": 100_000_000}
NUMBER_CHARS = "".join([*_DIGITS, *_SMALL_UNITS, *_BIG_UNITS])
NUMBER_PATTERN = rf"(?:\d[\d,]*(?:\.\d+)?|[{NUMBER_CHARS}])[\d,.{NUMBER_CHARS}]*"


def _section(text: str) -> int | None:
    """Value of a part below 10,000 (e.g. 二千三百, 2千5, 十九, 25)."""
    total, current = 0, None
    for ch in text:
        if ch.isdigit():
            current = (current or 0) * 10 + int(ch)
        elif ch in _DIGITS:
            current = _DIGITS[ch] if current is None else current * 10 + _DIGITS[ch]
        elif ch in _SMALL_UNITS:
            total += (1 if current is None else current) * _SMALL_UNITS[ch]
            current = None
        else:
            return None
    if current is not None:
        last_unit = next((u for u in reversed(text) if u in _SMALL_UNITS), None)
        # 2千5 means 2500: a trailing single digit after a unit scales by the unit / 10.
        if last_unit and text[-1] not in _SMALL_UNITS and len(text) >= 2 and current < 10:
            tail = text[text.rindex(last_unit) + 1 :]
            if len(tail) == 1 and _SMALL_UNITS[last_unit] >= 100:
                current *= _SMALL_UNITS[last_unit] // 10
        total += current
    return total


def parse_number(text: str) -> int | None:
    """Parse ``text`` as a whole number; decimals before 萬 are allowed (1.5萬 → 15000)."""
    text = text.replace(",", "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([萬億])", text)
    if match:
        return round(float(match.group(1)) * _BIG_UNITS[match.group(2)])
    total, rest = 0, text
    for unit in ("億", "萬"):
        if unit in rest:
            head, _, rest = rest.partition(unit)
            value = _section(head) if head else 1
            if value is None:
                return None
            total += value * _BIG_UNITS[unit]
            # 2萬5 / 三萬五 mean 25,000 / 35,000: one digit after 萬 counts thousands.
            if unit == "萬" and len(rest) == 1 and _section(rest) is not None:
                rest += "千"
    if rest:
        value = _section(rest)
        if value is None:
            return None
        total += value
    return total
