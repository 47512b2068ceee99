"""Normalisation: NFKC, case folding, Simplified → Traditional, whitespace, offset map."""

from __future__ import annotations

import pytest

from nlu.normalize import normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("獎金多少？", "獎金多少?"),
        ("ＤＥＭＯ　ＤＡＹ　是哪天", "demo day 是哪天"),
        ("奖金多少", "獎金多少"),
        ("构想书几号要交", "構想書幾號要交"),
        ("  多   空白\t\n", "多 空白"),
        ("台灣 干擾 面試", "台灣 干擾 面試"),  # characters that are also Traditional stay
        ("后天 这里", "後天 這裡"),
        ("发表会", "發表會"),
        # Simplified characters OpenCC also lists as Traditional but Taiwan text never uses so
        ("确定 适合 一万 工厂 种类 价格", "確定 適合 一萬 工廠 種類 價格"),
        ("准备 系统 周末", "准備 系統 周末"),  # 准 系 周 are Traditional too: left for mainland.yml
    ],
)
def test_normalised_text(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


def test_offsets_point_into_the_original() -> None:
    raw = "  ＡＩ　獎金 ㈱ ok"
    norm = normalize(raw)
    assert len(norm.index) == len(norm.text)
    for i, ch in enumerate(norm.text):
        if ch != " ":
            assert norm.index[i] < len(raw)
    start = norm.text.index("獎金")
    assert raw[slice(*norm.span(start, start + 2))] == "獎金"
    # ㈱ expands to "(株)" but maps back to its one original character
    s = norm.text.index("(株)")
    assert raw[slice(*norm.span(s, s + 3))] == "㈱"


def test_control_characters_and_lone_surrogates_are_dropped() -> None:
    norm = normalize("a\x00b\ud800c\u200bd")
    assert norm.text == "a bcd"


def test_preferred_traditional_characters_keep_offsets() -> None:
    raw = "我确定要报名 AIGO-108-0004"
    norm = normalize(raw)
    assert norm.text == "我確定要報名 aigo-108-0004"
    start = norm.text.index("確定")
    assert raw[slice(*norm.span(start, start + 2))] == "确定"
    ref = norm.text.index("aigo")
    assert raw[slice(*norm.span(ref, ref + 13))] == "AIGO-108-0004"
