"""Phones stored in E.164, shown in national format; one e-mail validator (forms and NLU)."""

from __future__ import annotations

from datetime import datetime

import pytest

from actions.challenge.fields import Invalid, parse_email, parse_phone
from actions.contact import email_address, phone_display, phone_e164
from nlu.entities import EntityExtractor
from nlu.normalize import normalize


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("02-2345-6789 轉 12", "+886223456789#12", "02-2345-6789 轉 12"),
        ("+886 912-345-678", "+886912345678", "0912-345-678"),
        ("(04)2658-1919", "+886426581919", "04-2658-1919"),
        ("0912345678", "+886912345678", "0912-345-678"),
        ("+81 3-1234-5678", "+81312345678", "+81 3-1234-5678"),
    ],
)
def test_phone_stored_e164_shown_national(typed: str, stored: str, shown: str) -> None:
    assert parse_phone(typed) == stored
    assert phone_display(stored) == shown


@pytest.mark.parametrize("typed", ["1234", "call me", "02-2345-6789-1234-5678-99", ""])
def test_not_a_phone(typed: str) -> None:
    assert phone_e164(typed) is None
    with pytest.raises(Invalid):
        parse_phone(typed)


def nlu_entities(text: str) -> list[dict[str, object]]:
    now = datetime.fromisoformat("2019-05-20T10:00:00+08:00")
    return EntityExtractor({}, {}).extract(normalize(text), now)


def test_one_email_validator_for_forms_and_nlu() -> None:
    assert parse_email(" Wang@Tatung.COM.tw ") == "Wang@tatung.com.tw"
    for bad in ("ooo@ooo", "a@@b.tw", "wang@tatung..tw"):
        assert email_address(bad) is None
        with pytest.raises(Invalid):
            parse_email(bad)
    found = {e["entity"]: e["value"] for e in nlu_entities("我的信箱 Wang@Tatung.COM.tw")}
    assert str(found["email"]).lower() == "wang@tatung.com.tw"
    assert "email" not in {e["entity"] for e in nlu_entities("寄到 wang@tatung..tw")}
