"""Text normalisation with an offset map back to the user's original text.

``normalize(text)`` applies, character by character: NFKC (full-width → half-width), case folding,
Simplified → Traditional (Taiwan variants), and whitespace folding (runs of whitespace and control
characters become one space; leading/trailing space is dropped). Because the work is done per
character, every normalised character knows which original character it came from, so entity
offsets found in the normalised text can be reported against the original text.

Simplified → Traditional uses OpenCC's character table (``STCharacters`` + ``TWVariants``) from the
installed ``opencc`` package, conservatively: a character that is itself one of its Traditional
candidates (台, 干, 面 …) is left unchanged, so Traditional input is never altered — except the few
in :data:`_PREFER_TRADITIONAL` (几 后 里 么 于, and 确 种 万 价 厂 适 …), which are almost always
Simplified in messages (their other reading is rare or archaic in Taiwan: 确定 is 確定, 一万 is
一萬); and for a few (签 钟 账, :data:`_TAIWAN_CANDIDATE`) the candidate Taiwan writes most
is taken.
Characters whose Traditional reading is common (准 台 系 干 面 周 只 注 …) stay; a wrongly kept
character inside a word (注冊 for 註冊, 數据 for 數據) is repaired for the intent features by the
word table in nlu/mainland.yml.

Lone surrogates and other unencodable code points are dropped; nothing here raises on any ``str``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["Normalized", "normalize", "to_traditional", "traditional_table"]


@dataclass(frozen=True)
class Normalized:
    """``text`` is the normalised text; ``index[i]`` is the original offset of ``text[i]``."""

    text: str
    index: tuple[int, ...]
    original: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map the normalised span ``[start, end)`` (``end > start``) to the original text."""
        return self.index[start], self.index[end - 1] + 1


_PREFER_TRADITIONAL = {
    "几": "幾",
    "后": "後",
    "里": "裡",
    "么": "麼",
    "于": "於",
    # OpenCC lists each of these as its own Traditional candidate too, but in Taiwan text the
    # Simplified character is rare or archaic, so a message containing it is Simplified.
    "确": "確",
    "种": "種",
    "万": "萬",
    "价": "價",
    "厂": "廠",
    "适": "適",
    "广": "廣",
    "极": "極",
    "虫": "蟲",
    "党": "黨",
    "愿": "願",
    "丰": "豐",
    "云": "雲",
    "柜": "櫃",
    "苹": "蘋",
    "叶": "葉",
    "帘": "簾",
    "据": "據",
    "挂": "掛",
}
# Simplified characters with several Traditional candidates, where OpenCC's first is not the one
# Taiwan writes most (签约 → 簽約, not 籤約; 分钟 → 分鐘; 账号 → 帳號).
_TAIWAN_CANDIDATE = {"签": "簽", "钟": "鐘", "账": "帳"}


@lru_cache(maxsize=1)
def _s2t_table() -> dict[str, str]:
    """Character table Simplified → Traditional (Taiwan), built from OpenCC's dictionary files."""
    table: dict[str, str] = {}
    try:
        import opencc

        folder = Path(opencc.__file__).parent / "dictionary"
        lines = (folder / "STCharacters.txt").read_text(encoding="utf-8").splitlines()
        variants = (folder / "TWVariants.txt").read_text(encoding="utf-8").splitlines()
    except (ImportError, OSError):  # pragma: no cover - opencc is a declared dependency
        return table
    for line in lines:
        source, _, targets = line.partition("\t")
        candidates = targets.split()
        if len(source) == 1 and candidates and source not in candidates:
            table[source] = candidates[0]
    tw: dict[str, str] = {}
    for line in variants:
        source, _, targets = line.partition("\t")
        candidates = targets.split()
        if len(source) == 1 and candidates and len(candidates[0]) == 1:
            tw[source] = candidates[0]
    for key, value in list(table.items()):
        table[key] = tw.get(value, value)
    for key, value in tw.items():
        table.setdefault(key, value)
    table.update(_PREFER_TRADITIONAL)
    table.update(_TAIWAN_CANDIDATE)
    return table


_cache: dict[str, str] = {}


def _char(ch: str) -> str:
    """Normalise one character; returns '' to drop it and ' ' for whitespace/control."""
    hit = _cache.get(ch)
    if hit is not None:
        return hit
    if "\ud800" <= ch <= "\udfff":
        out = ""
    else:
        cat = unicodedata.category(ch)
        if ch.isspace() or cat in ("Cc", "Zl", "Zp"):
            out = " "
        elif cat in ("Cf", "Cs", "Co", "Cn"):
            out = ""
        else:
            table = _s2t_table()
            folded = unicodedata.normalize("NFKC", ch).casefold()
            out = "".join(table.get(c, c) for c in folded)
            out = "".join(" " if c.isspace() else c for c in out)
    if len(_cache) < 200_000:
        _cache[ch] = out
    return out


def normalize(text: str) -> Normalized:
    """Normalise ``text`` (see the module docstring); never raises for any ``str``."""
    chars: list[str] = []
    index: list[int] = []
    for pos, ch in enumerate(text):
        for c in _char(ch):
            if c == " " and (not chars or chars[-1] == " "):
                continue
            chars.append(c)
            index.append(pos)
    if chars and chars[-1] == " ":
        chars.pop()
        index.pop()
    return Normalized("".join(chars), tuple(index), text)


def to_traditional(text: str) -> str:
    """Return ``normalize(text).text`` (convenience for data files and lookups)."""
    return normalize(text).text


def traditional_table() -> dict[int, str]:
    """The Simplified → Traditional character table for ``str.translate`` (bulk conversion of
    dictionary words; messages go through :func:`normalize`)."""
    return str.maketrans(_s2t_table())
