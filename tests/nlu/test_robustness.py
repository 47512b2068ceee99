"""Bad input never raises; offsets always refer to the original text (property-based)."""

from __future__ import annotations

from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlu import NLUModel

MIXED = st.text(
    alphabet=st.one_of(
        st.characters(codec=None),  # anything, including lone surrogates and controls
        st.sampled_from(
            list("獎金構想書第二梯108-2邀請碼K7PQM2XR０９１２－３４５🙂，。 \t\n@.#轉")
        ),
    ),
    max_size=200,
)


def _check(model: NLUModel, text: str, now: datetime) -> None:
    result = model.parse(text, now)
    assert result["text"] == text
    assert isinstance(result["intent"]["name"], str)
    assert 0.0 <= result["intent"]["confidence"] <= 1.0
    assert 1 <= len(result["intent_ranking"]) <= 10
    for e in result["entities"]:
        assert 0 <= e["start"] < e["end"] <= len(text)
        assert text[e["start"] : e["end"]].strip() != ""


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=MIXED)
def test_any_text_parses(model: NLUModel, now: datetime, text: str) -> None:
    _check(model, text, now)


def test_long_and_special_inputs(model: NLUModel, now: datetime) -> None:
    for text in [
        "獎金多少" * 5000,
        "a" * 20_000,
        "\x00\x01\x02\x1f\x7f",
        "\ud800\udfff\ud83d",
        "🙂" * 3000,
        "\u202e\u200b\ufeff",
        "demo day 是哪天 Ｄｅｍｏ 發表會 2019/5/31 ٣٤٥ ㈱ ﬁ",
        "9" * 5000,
        "0912-345-678" * 500,
    ]:
        _check(model, text, now)
