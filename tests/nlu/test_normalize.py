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
