"""QA wave 6, the form items: what a reply typed inside a form is (pure functions, no I/O).

The conversations in ``tests/conversations/qa6_forms.yml`` run the same cases end to end.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from actions import _form_help
from actions._asked import classify_reply, is_greeting, is_small_talk
from actions._edits import PREVIOUS, Edit, read_edit, sounds_like_correction
from actions._forms import drop_form_buttons
from actions.challenge import fields as cf
from actions.challenge.ask import wants_summary
from actions.challenge.store import FIELDS
from actions.contact import mobile_digits, phone_e164
from actions.team import logic as tl
from actions.team import profile
from actions.team.profile_edit import check

TEAM = ("person_name", "profile_age", "profile_nationality", "profile_expertise", "team_name")
DOCUMENT = Path(__file__).resolve().parents[2] / "knowledge" / "source" / "programme_2019.txt"


@pytest.mark.parametrize(
    ("text", "slots", "edit"),
    [
        # the QA report's wordings
        ("等等 電話打錯了", FIELDS, Edit("org_phone")),
        ("其實分類改成推薦系統好了", FIELDS, Edit("challenge_category", "推薦系統")),
        ("不對，聯繫窗口改成李經理", FIELDS, Edit("org_contact", "李經理")),
        ("修改 聯繫窗口 李經理", FIELDS, Edit("org_contact", "李經理")),
        ("上一步", FIELDS, Edit(PREVIOUS)),
        ("我的名字打錯了 應該是王大同", TEAM, Edit("person_name", "王大同")),
        ("修改稱呼", TEAM, Edit("person_name")),
        ("改名字", TEAM, Edit("person_name")),
        ("我要改專長", TEAM, Edit("profile_expertise")),
        # other wordings: Simplified, English, typos, lead-ins and endings
        ("联系窗口改成李经理", FIELDS, Edit("org_contact", "李经理")),
        ("等等 电话打错了", FIELDS, Edit("org_phone")),
        ("抱歉 Email寫錯了", FIELDS, Edit("org_email")),
        ("email打錯了，應該是 lin@x.com.tw", FIELDS, Edit("org_email", "lin@x.com.tw")),
        ("把電話改成 02-2345-6789", FIELDS, Edit("org_phone", "02-2345-6789")),
        ("更改電話為0912-345-678", FIELDS, Edit("org_phone", "0912-345-678")),
        ("聯絡人換成陳副總吧", FIELDS, Edit("org_contact", "陳副總")),
        ("出題單位改成宏達電子好了", FIELDS, Edit("org_name", "宏達電子")),
        ("上一題打錯了", FIELDS, Edit(PREVIOUS)),
        ("上一題改成 王經理", FIELDS, Edit(PREVIOUS, "王經理")),
        ("回上一題吧", FIELDS, Edit(PREVIOUS)),
        ("go back", FIELDS, Edit(PREVIOUS)),
        ("wait, the phone is wrong", FIELDS, Edit("org_phone")),
        ("change the email to A@B.com", FIELDS, Edit("org_email", "A@B.com")),
        ("the phone should be 0912345678", FIELDS, Edit("org_phone", "0912345678")),
        ("I typed the wrong phone", FIELDS, Edit("org_phone")),
        ("修改email", FIELDS, Edit("org_email")),
        ("change my name to Mei Chen", TEAM, Edit("person_name", "Mei Chen")),
        ("名字應該是王大同", TEAM, Edit("person_name", "王大同")),
        ("專長改成產業領域", TEAM, Edit("profile_expertise", "產業領域")),
        ("國籍改成外籍", TEAM, Edit("profile_nationality", "外籍")),
    ],
)
def test_corrections_name_the_field_and_the_new_value(
    text: str, slots: tuple[str, ...], edit: Edit
) -> None:
    assert read_edit(text, slots) == edit


@pytest.mark.parametrize(
    "text",
    [
        "以人工智慧判讀病例與診斷影像",
        "修改產線流程以提升良率",  # a verb and a field name, but no request
        "成果改善30%",
        "產業錯誤率預測",
        "資源不對等問題",
        "題目改成英文可以嗎",  # a question
        "改善產線良率的瑕疵檢測",
        "900GB",
        "修改",
        "將人工判讀改成自動化的影像辨識，降低漏判與錯誤",
    ],
)
def test_answers_that_contain_edit_words_are_no_edits(text: str) -> None:
    assert read_edit(text, FIELDS) is None


@pytest.mark.parametrize(
    ("text", "correction"),
    [
        ("我打錯了", True),
        ("等等 不對", True),
        ("我剛剛填錯了", True),
        ("oops", True),
        ("不對", True),
        ("不對稱加密演算法", False),
        ("錯誤偵測系統", False),
        ("Wrong-way driver detection", False),
    ],
)
def test_a_correction_naming_no_field_is_spotted(text: str, correction: bool) -> None:
    assert sounds_like_correction(text) is correction


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "free_text", "kind"),
    [
        ("獎金是誰出的", "ask_bonus", 1.0, True, "question"),  # no question mark
        ("題目名稱可以用英文嗎", "ask_challenge_posting", 0.75, True, "question"),
        ("刪除我的資料", "delete_my_data", 1.0, True, "command"),
        ("取消提醒", "unsubscribe_reminders", 1.0, True, "command"),
        ("退出團隊", "leave_team", 1.0, True, "command"),
        ("你好", "greet", 1.0, False, "social"),  # a validated field too ("題目敘述太短")
        ("hello there", "greet", 0.95, False, "social"),
        ("預測客戶何時會流失，協助業務提早安排關懷與優惠", "ask_schedule", 0.5, True, "value"),
    ],
)
def test_questions_commands_and_small_talk_are_no_values(
    text: str, intent: str, confidence: float, free_text: bool, kind: str
) -> None:
    assert classify_reply(text, intent, confidence, free_text=free_text) == kind


def test_greetings_are_told_from_thanks() -> None:
    assert is_greeting("你好") and is_greeting("Hello!") and is_greeting("您好啊")
    assert is_small_talk("謝謝！") and not is_greeting("謝謝")
    assert not is_small_talk("你好科技股份有限公司")


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("要交什麼資料？", "what_to_submit"),
        ("出題需要準備哪些資料", "what_to_submit"),
        ("what do we need to submit?", "what_to_submit"),
        ("我們沒有資料集可以出題嗎", "no_dataset"),
        ("我们没有数据可以出题吗", "no_dataset"),
        ("we have no dataset, can we still post?", "no_dataset"),
        ("資料要去識別化嗎", "deidentify"),
        ("do we need to anonymise the data?", "deidentify"),
        ("題目名稱可以用英文嗎", "language"),
        ("最多可以出幾題", None),
    ],
)
def test_questions_the_challenge_form_answers_itself(text: str, topic: str | None) -> None:
    assert _form_help.form_question(text, "post_challenge_form") == topic
    assert _form_help.form_question(text, "register_team_form") is None


def test_the_no_dataset_answer_quotes_the_document() -> None:
    document = re.sub(r"\s+", "", DOCUMENT.read_text(encoding="utf-8"))
    answer = _form_help.answer("no_dataset", "zh-TW", "題目名稱")
    for quoted in re.findall(r"「([^」]+)」", answer):
        if quoted != "資料就緒度與細節說明":  # the form field, named as in the document too
            assert re.sub(r"\s+", "", quoted) in document, quoted
    assert "aigo@iii.org.tw" in answer


@pytest.mark.parametrize(
    ("text", "where"),
    [("剛剛填到哪", True), ("刚刚填到哪了", True), ("還剩幾題", True), ("where were we?", True),
     ("最多可以出幾題", False), ("哪些資料要提供", False)],
)  # fmt: skip
def test_where_the_form_is_is_asked(text: str, where: bool) -> None:
    assert _form_help.asks_where(text) is where


@pytest.mark.parametrize(
    ("typed", "stored", "digits"),
    [
        ("0912-345-67", None, 9),  # the QA report's number: a digit short
        ("0912-345-6789", None, 11),
        ("0912-345-678", "+886912345678", None),
        ("+886 912 345 678", "+886912345678", None),
        ("1234-5678", "+88612345678", None),  # the document's example stays valid
        ("02-2345-6789", "+886223456789", None),
    ],
)
def test_a_mobile_number_needs_its_ten_digits(
    typed: str, stored: str | None, digits: int | None
) -> None:
    assert phone_e164(typed) == stored
    assert mobile_digits(typed) == digits
    if stored is None:
        with pytest.raises(cf.Invalid) as bad:
            cf.parse_phone(typed)
        assert bad.value.key == "invalid_mobile"


@pytest.mark.parametrize(
    ("typed", "name", "problem"),
    [
        ("我叫王大同", "王大同", None),
        ("my name is Mei Chen", "Mei Chen", None),
        ("王大同", "王大同", None),
        ("<script>alert(1)</script>", None, "name_has_markup"),
        ("4RGBZPND", None, "name_looks_like_code"),
        ("4rgb zpnd", None, "name_looks_like_code"),
        ("0912-345-678", None, "looks_like_phone"),
        ("Anna Chen", "Anna Chen", None),
    ],
)
def test_names_are_checked(typed: str, name: str | None, problem: str | None) -> None:
    assert tl.check_name(typed) == (name, problem)


def test_invite_codes_are_found_however_typed() -> None:
    assert tl.code_in("我有邀請碼 4rgb zpnd") == "4RGBZPND"
    assert tl.code_in("我有邀請碼 4RGB-ZPND") == "4RGBZPND"
    assert tl.code_in("I WANT THAT") is None  # no digit: no code
    assert tl.is_code("4rgb zpnd") and not tl.is_code("我有邀請碼 4rgb zpnd")


@pytest.mark.parametrize(
    "typed", ["中國大陸", "中国大陆", "大陸", "大陆", "香港", "澳門", "mainland China"]
)
def test_mainland_china_hong_kong_and_macau_are_not_roc(typed: str) -> None:
    assert tl.parse_nationality(typed) == "foreign"


def test_a_profession_is_industry_expertise_even_after_no_ai() -> None:
    text = "我沒有AI背景 但我是護理師"
    assert profile.negated_kinds(text) == {"ai"}
    assert profile.mentions(text, "domain")
    assert tl.parse_expertise("我是護理師") == "domain"
    assert check("profile_expertise", text, text, "zh-TW") == ("domain", None)
    value, problem = check("profile_expertise", "我沒有AI背景", "我沒有AI背景", "zh-TW")
    assert value is None and problem


def test_an_answer_inside_a_form_has_no_button_starting_that_form() -> None:
    buttons = [{"title": "我要出題", "payload": "/post_challenge"}, {"title": "x", "payload": "/x"}]
    assert drop_form_buttons(buttons, "post_challenge_form") == [buttons[1]]
    assert drop_form_buttons(buttons, None) == buttons


def test_the_summary_is_asked_for() -> None:
    assert wants_summary("看摘要") and wants_summary("show the summary")
    assert not wants_summary("確認送出")
