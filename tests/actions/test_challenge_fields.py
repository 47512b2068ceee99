"""The challenge form's answer checks (pure) and typed answers matched to the knowledge data."""

from __future__ import annotations

from datetime import date

import pytest

import knowledge
from actions._asked import classify_reply, is_question
from actions._forms import edit_target, says_none
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
        ("謝謝", "thank", 0.99, False, "social"),  # small talk at any field (QA wave 6, #31)
        ("你好", "greet", 0.99, False, "social"),
        ("1GB", "goodbye", 0.95, False, "value"),
        ("Thank You Foods Inc.", "thank", 0.95, True, "value"),
        ("what should I put here?", "help", 0.5, True, "question"),
    ],
)
def test_the_asked_field_comes_first(
    text: str, intent: str | None, confidence: float, free_text: bool, kind: str
) -> None:
    assert classify_reply(text, intent, confidence, free_text=free_text) == kind


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "kind"),
    [
        # the bot's own commands, the NLU sure of them: commands, whatever field is asked
        ("我要出題", "post_challenge", 1.0, "command"),
        ("我的狀態", "my_status", 1.0, "command"),
        ("我還想再出一題", "post_challenge", 1.0, "command"),
        ("查詢我的狀態", "my_status", 0.99, "command"),
        ("先幫我查一下狀態", "my_status", 0.99, "command"),
        ("I want to post a challenge", "post_challenge", 0.98, "command"),
        ("my status", "my_status", 1.0, "command"),
        # values that resemble a command: the intent unsure, or no command phrase / request
        ("出勤紀錄", "my_status", 0.5, "value"),
        ("Status Analytics", "my_status", 1.0, "value"),
        ("提醒科技有限公司", "subscribe_reminders", 0.78, "value"),
        ("報名人數預測", "register_team", 0.95, "value"),
        ("我要出題", "post_challenge", 0.6, "value"),
        ("我想預測客戶何時會流失並提早安排關懷", "post_challenge", 0.95, "value"),
    ],
)
def test_bot_commands_are_commands_in_any_field(
    text: str, intent: str, confidence: float, kind: str
) -> None:
    assert classify_reply(text, intent, confidence, free_text=True) == kind


@pytest.mark.parametrize(
    ("slot", "typed", "stored"),
    [
        ("org_phone", "電話是 02-2345-6789 分機12", "+886223456789#12"),
        ("org_phone", "我的電話 0912-345-678", "+886912345678"),
        ("org_phone", "my phone is 02 2345 6789 ext 12", "+886223456789#12"),
        ("org_email", "email是 ai@acme.com.tw", "ai@acme.com.tw"),
        ("org_email", "信箱：ai@acme.com.tw", "ai@acme.com.tw"),
        ("org_email", "email:ai@acme.com.tw", "ai@acme.com.tw"),
        ("org_email", "my email is ai@acme.com.tw", "ai@acme.com.tw"),
        ("challenge_title", "題目名稱：瑕疵檢測", "瑕疵檢測"),
        ("org_contact", "聯絡人是 Isabel", "Isabel"),
        ("org_name", "Companyx Ltd", "Companyx Ltd"),  # "company" only as a whole word
        ("dataset_time_range", "2015到2018年", "2015-01-01/2018-12-31"),
        ("dataset_time_range", "2015-2018", "2015-01-01/2018-12-31"),
        ("dataset_time_range", "2015 to 2018", "2015-01-01/2018-12-31"),
        ("dataset_time_range", "民國105到107年", "2016-01-01/2018-12-31"),
        ("dataset_time_range", "2017年3月到2018年6月", "2017-03-01/2018-06-30"),
        ("dataset_time_range", "2018年", "2018-01-01/2018-12-31"),
        ("challenge_industry", "5G通訊", "5G通訊"),
    ],
)
def test_lead_ins_are_dropped_and_year_ranges_read(slot: str, typed: str, stored: str) -> None:
    assert cf.parse_field(slot, typed) == stored


@pytest.mark.parametrize(
    ("slot", "typed", "key"),
    [
        ("org_name", "研發部 李經理", "org_is_person"),
        ("org_name", "王先生", "org_is_person"),
        ("org_contact", "0912-345-678", "looks_like_phone"),
        ("org_contact", "ai@acme.com.tw", "looks_like_email"),
        ("challenge_title", "12345", "no_letters"),
        ("dataset_name", "0223456789", "looks_like_phone"),
        ("challenge_resources", "0912345678", "looks_like_phone"),
        ("challenge_industry", "職缺3人", "not_a_choice"),
        ("dataset_time_range", "近三年", "relative_time_range"),
        ("dataset_time_range", "last 3 years", "relative_time_range"),
        ("dataset_time_range", "2018-2015", "reversed_time_range"),
    ],
)
def test_answers_that_do_not_fit_the_field_are_refused(slot: str, typed: str, key: str) -> None:
    with pytest.raises(cf.Invalid) as info:
        cf.parse_field(slot, typed)
    assert info.value.key == key


@pytest.mark.parametrize(
    ("typed", "none"),
    [
        ("不知道", True), ("不確定", True), ("還不清楚", True), ("not sure", True),
        ("we don't have one", True), ("I don't know", True), ("還沒想好", True),
        ("沒有簡報", True), ("目前沒有", True), ("暫無", True),
        ("沒有標記的影像", False), ("無人機", False), ("沒有限制，但需簽保密協定", False),
        ("UTF-8", False),
    ],
)  # fmt: skip
def test_none_and_not_sure_are_told_from_answers(typed: str, none: bool) -> None:
    assert says_none(typed) is none


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2016年1月至今", "2016-01-01/2019-05-20"),
        ("2016年至今", "2016-01-01/2019-05-20"),
        ("2016 to date", "2016-01-01/2019-05-20"),
        ("2016/03/01-現在", "2016-03-01/2019-05-20"),
    ],
)
def test_until_now_ends_on_the_turns_date(typed: str, stored: str) -> None:
    assert cf.parse_field("dataset_time_range", typed, date(2019, 5, 20)) == stored
    with pytest.raises(cf.Invalid) as info:
        cf.parse_field("dataset_time_range", "2020年至今", date(2019, 5, 20))
    assert info.value.key == "reversed_time_range"
