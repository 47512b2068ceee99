"""The challenge form's answer checks (pure) and typed answers matched to the knowledge data."""

from __future__ import annotations

from datetime import date

import pytest

import knowledge
from actions._asked import classify_reply, is_question
from actions._forms import edit_target
from actions.challenge import fields as cf
from actions.challenge.store import FIELDS


@pytest.mark.parametrize("good", ["ooo@ooo.con.tw", "ai@hospital.com.tw", "a.b+c@x.io"])
def test_emails_accepted_as_typed(good: str) -> None:
    assert cf.parse_email(f"  {good} ") == good


@pytest.mark.parametrize("bad", ["ooo@ooo", "ooo@ ooo.con.tw", "not an email", "@x.com", ""])
def test_malformed_emails_get_the_email_reask(bad: str) -> None:
    with pytest.raises(cf.Invalid) as info:
        cf.parse_email(bad)
    assert info.value.key == "invalid_email"


@pytest.mark.parametrize(
    ("good", "stored"),
    [
        ("1234-5678", "+88612345678"),
        ("02-6631-6666轉6513", "+886266316666#6513"),
        ("0912-345-678", "+886912345678"),
        ("+886 2 1234 5678", "+886212345678"),
    ],
)
def test_phones_accepted_and_stored_in_e164(good: str, stored: str) -> None:
    assert cf.parse_phone(good) == stored


@pytest.mark.parametrize("bad", ["1234", "電話", "12-34", "0912345678901234567", "abc-defg"])
def test_malformed_phones_get_the_phone_reask(bad: str) -> None:
    with pytest.raises(cf.Invalid) as info:
        cf.parse_phone(bad)
    assert info.value.key == "invalid_phone"


@pytest.mark.parametrize("good", ["900GB", "900 GB", "約12萬筆", "3,000張影像", "1.5 TB"])
def test_volumes_need_a_unit(good: str) -> None:
    assert cf.parse_volume(good) == good


@pytest.mark.parametrize("bad", ["900", "很多", "", "1,000"])
def test_bare_numbers_are_not_volumes(bad: str) -> None:
    with pytest.raises(cf.Invalid) as info:
        cf.parse_volume(bad)
    assert info.value.key == "invalid_volume"


def test_time_ranges_in_the_seed_format_and_others() -> None:
    assert cf.parse_time_range("2015/01/01-2015/12/31") == (date(2015, 1, 1), date(2015, 12, 31))
    assert cf.parse_time_range("2015-01 ~ 2015-02") == (date(2015, 1, 1), date(2015, 2, 28))
    assert cf.parse_time_range("104年1月1日至104年6月30日") == (date(2015, 1, 1), date(2015, 6, 30))


def test_time_range_ending_before_it_starts_is_named() -> None:
    with pytest.raises(cf.Invalid) as info:
        cf.parse_time_range("2015/12/31-2015/01/01")
    assert info.value.key == "reversed_time_range"
    assert info.value.values == {"start": "2015-12-31", "end": "2015-01-01"}
    for bad in ("2015/01/01", "去年", "2015/13/01-2015/12/31"):
        with pytest.raises(cf.Invalid):
            cf.parse_time_range(bad)


def test_short_descriptions_are_refused_with_the_minimum() -> None:
    with pytest.raises(cf.Invalid) as info:
        cf.parse_description("判讀影像")
    assert info.value.values == {"length": 4, "min": cf.MIN_DESCRIPTION}
    assert (
        cf.parse_description("以自動化程序協助醫師加速判斷病患症狀")
        == "以自動化程序協助醫師加速判斷病患症狀"
    )


@pytest.mark.parametrize(
    "typed", ["電腦視覺", "電腦視覺類", "CV", "cv", "computer vision", "影像辨識"]
)
def test_category_synonyms_match_the_same_knowledge_category(typed: str) -> None:
    assert cf.parse_category(typed, knowledge.load()) == "電腦視覺類"


def test_unknown_category_is_refused_and_open_lists_keep_the_answer() -> None:
    programme = knowledge.load()
    with pytest.raises(cf.Invalid):
        cf.parse_category("烹飪", programme)
    industries = cf.industry_choices(programme)
    assert cf.parse_open_choice("healthcare", industries) == "醫療保健"
    assert cf.parse_open_choice("農業", industries) == "農業"
    assert cf.parse_open_choice("API", cf.delivery_choices(programme)) == "提供API介接"


@pytest.mark.parametrize(
    ("command", "slot"),
    [
        ("修改 email", "org_email"),
        ("change the title", "challenge_title"),
        ("改一下電話", "org_phone"),
        ("我要修改資料量", "dataset_volume"),
        ("edit the time range", "dataset_time_range"),
        ("修改題目名稱", "challenge_title"),
    ],
)
def test_edit_commands_name_a_field(command: str, slot: str) -> None:
    assert edit_target(command, FIELDS) == slot


def test_answers_are_not_edit_commands() -> None:
    for answer in ("以人工智慧判讀病例與診斷影像", "900GB", "改善產線良率的瑕疵檢測", "修改"):
        assert edit_target(answer, FIELDS) is None


def test_questions_are_told_from_statements() -> None:
    assert is_question("最多可以出幾題?")
    assert is_question("how many challenges can we post")
    assert not is_question("獎金20萬、職缺5人")


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "free_text", "kind"),
    [
        ("出勤紀錄", "my_status", 0.97, True, "value"),
        ("1GB", "goodbye", 0.95, False, "value"),
        ("要交什麼資料", "ask_application_process", 0.6, True, "question"),
        ("公司名稱要寫全名嗎", None, 0.0, True, "question"),
        ("預測客戶何時會流失，協助業務提早安排關懷與優惠", "ask_schedule", 0.5, True, "value"),
        ("取消", "cancel", 0.99, True, "command"),
        ("cancel", None, 0.0, False, "command"),
        ("謝謝", "thank", 0.99, True, "social"),
        ("謝謝", "thank", 0.99, False, "value"),
        ("Thank You Foods Inc.", "thank", 0.95, True, "value"),
        ("what should I put here?", "help", 0.5, True, "question"),
    ],
)
def test_the_asked_field_comes_first(
    text: str, intent: str | None, confidence: float, free_text: bool, kind: str
) -> None:
    assert classify_reply(text, intent, confidence, free_text=free_text) == kind
