"""Forms through the real engine: validation, interruption, cancel, skip, edit, resume."""

from __future__ import annotations

from typing import Any

from bot.dialogue import Engine, UserMessage
from bot.services import Services
from tests.dialogue.conftest import make_form_engine


async def say(engine: Engine, text: str, sender: str = "rest:form") -> list[dict[str, Any]]:
    return await engine.handle(UserMessage(sender, text, "rest", {}))


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(r.get("text", "")) for r in replies)


async def test_happy_path_with_validation_skip_edit_summary_and_submit(form_engine: Engine) -> None:
    assert texts(await say(form_engine, "/signup")) == "請問您的姓名？"
    assert texts(await say(form_engine, "王小明")) == "請問您的 email？"
    bad = texts(await say(form_engine, "not-an-email"))
    assert bad == "這個 email 格式不對，請再輸入一次（例如 name@example.com）。\n請問您的 email？"
    assert texts(await say(form_engine, "ming@example.com")).startswith("請問您的年齡")
    summary = await say(form_engine, "跳過")
    assert "姓名 王小明、email ming@example.com、年齡 -" in texts(summary)
    assert summary[-1]["buttons"] == [{"title": "確認", "payload": "/affirm"}]
    assert texts(await say(form_engine, "修改 email")) == "請問您的 email？"
    summary = texts(await say(form_engine, "wang@example.org"))
    assert "email wang@example.org" in summary and "姓名 王小明" in summary
    assert texts(await say(form_engine, "/affirm")) == "已送出，王小明！"
    # the form is over: plain text now goes to the NLU and the rules, not into a slot
    assert texts(await say(form_engine, "/greet")) == "您好"


async def test_question_in_the_middle_answers_then_reasks_same_slot(form_engine: Engine) -> None:
    await say(form_engine, "/signup")
    await say(form_engine, "王小明")
    replies = texts(await say(form_engine, "/ask_schedule"))
    assert replies == "構想收件截止是 9 月\n請問您的 email？"
    assert texts(await say(form_engine, "ming@example.com")).startswith("請問您的年齡")


async def test_cancel_leaves_the_form_and_confirms(form_engine: Engine) -> None:
    await say(form_engine, "/signup")
    assert texts(await say(form_engine, "/cancel")) == "已取消"
    assert texts(await say(form_engine, "/cancel")) == "沒有要取消的"
    assert texts(await say(form_engine, "/greet")) == "您好"


async def test_activation_takes_slots_from_the_first_message(form_engine: Engine) -> None:
    replies = await say(form_engine, '/signup{"email": "a@b.co"}')
    assert texts(replies) == "請問您的姓名？"
    replies = await say(form_engine, "陳大文")
    assert texts(replies).startswith("請問您的年齡")


async def test_half_filled_form_survives_a_new_engine(services: Services) -> None:
    first = make_form_engine(services)
    await say(first, "/signup", "rest:resume")
    await say(first, "林美麗", "rest:resume")
    second = make_form_engine(services)  # a new process would build exactly this
    assert texts(await say(second, "lin@example.com", "rest:resume")).startswith("請問您的年齡")
    await say(second, "20", "rest:resume")
    assert texts(await say(second, "確認", "rest:resume")) == "已送出，林美麗！"


async def test_language_switch_in_a_form_reasks_in_the_new_language(form_engine: Engine) -> None:
    await say(form_engine, "/signup")
    replies = texts(await say(form_engine, '/nlu_fallback{"language": "en"}'))
    assert replies == "Switched to English\nWhat is your name?"
