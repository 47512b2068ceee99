"""Subscribing and unsubscribing in conversation, through the real app and NLU (REST channel)."""

from __future__ import annotations

import pytest

from actions.reminder_info import asks_settings_not_stop, question_kind, timing_text
from actions.reminders import Wanted, requested_kinds, status_line, wanted
from bot.services import Services
from db.models import Delivery
from db.subscriptions import REMINDER_KINDS, SubscriptionView, get_subscription
from db.users import find_user
from knowledge import reminder_plan
from tests.actions.forms_support import NOW, payloads, rest, text


def test_kinds_named_in_a_message() -> None:
    assert requested_kinds("只要截止提醒") == ["deadlines"]
    assert requested_kinds("remind me of deadlines and events") == ["deadlines", "events"]
    assert requested_kinds("訂閱提醒") == []


async def test_subscribe_then_unsubscribe(services: Services) -> None:
    replies = text(await rest(services, "alice", "/subscribe_reminders"))
    assert "已為您訂閱提醒" in replies and "所有梯次" in replies and "22:00" in replies
    assert "LINE 或 Telegram" in replies  # REST cannot receive pushes
    with services.session_factory() as session:
        user = find_user(session=session, channel="rest", external_id="alice")
        assert user is not None
        view = get_subscription(session=session, user_id=user.id)
        assert view is not None and view.active and view.kinds == ("deadlines", "events", "nudges")
        assert "已訂閱" in status_line(session=session, user_id=user.id, lang="zh-TW")
        pending = Delivery(reminder_key="k", user_id=user.id, channel="line", external_id="U1",
                           payload={"text": "x"}, next_attempt_at=NOW)  # fmt: skip
        session.add(pending)
        session.commit()
    assert "確定要取消所有提醒嗎" in text(await rest(services, "alice", "/unsubscribe_reminders"))
    replies = text(await rest(services, "alice", "是"))
    assert "已取消所有提醒" in replies and "1 則待送提醒已取消" in replies
    with services.session_factory() as session:
        view = get_subscription(session=session, user_id=user.id)
        assert view is not None and not view.active
        assert status_line(session=session, user_id=user.id, lang="en") == "Reminders: off"
    again = text(await rest(services, "alice", "/unsubscribe_reminders"))
    assert "沒有訂閱提醒" in again


async def test_subscribe_in_english_to_one_round(services: Services) -> None:
    replies = text(await rest(services, "bob", "remind me of the 108-2 deadlines at any time"))
    with services.session_factory() as session:
        user = find_user(session=session, channel="rest", external_id="bob")
        assert user is not None
        view = get_subscription(session=session, user_id=user.id)
    assert view is not None, replies
    assert view.rounds == ("108-2",) and view.kinds == ("deadlines",) and not view.quiet_hours
    assert "round 108-2" in replies and "any hour" in replies


async def test_my_status_shows_the_subscription(services: Services) -> None:
    await rest(services, "carol", "/subscribe_reminders")
    replies = text(await rest(services, "carol", "/my_status"))
    assert "提醒：已訂閱（所有梯次，截止提醒、活動提醒、個人化提醒）" in replies


# --- QA wave 6 (#5, #30): a question about reminders never changes them -----------------------

QUESTIONS = {
    "settings": [
        "我訂了哪些提醒",
        "我订了哪些提醒",
        "我有訂閱提醒嗎",
        "我的提醒設定",
        "which reminders do I have?",
        "am I subscribed?",
        "我定了哪些題醒",  # homophone typos
        "wich reminders do i have",
    ],
    "timing": [
        "提醒會在幾天前通知",
        "截止前幾天會提醒",
        "提醒是提前几天",
        "什麼時候會提醒我",
        "how many days before the deadline will you remind me?",
        "when will you remind me?",
        "什麼時候會題醒我",
    ],
}
REQUESTS = [
    "可以提醒我第二梯的截止日嗎",
    "只要提醒我108-1的",
    "remind me about deadlines",
    "把我的提醒改成只要108-1",
    "提醒我截止日",
    "/subscribe_reminders",
]


def test_questions_are_told_from_requests() -> None:
    for kind, texts in QUESTIONS.items():
        for message in texts:
            assert question_kind(message) == kind, message
    for message in REQUESTS:
        assert question_kind(message) is None, message


def test_a_change_keeps_or_adds_to_what_is_chosen() -> None:
    before = SubscriptionView(True, ("108-2",), ("deadlines",), True, "zh-TW")
    assert wanted("改成只要第一梯", ["108-1"], before) == Wanted(["108-1"], ["deadlines"], True)
    assert wanted("活動也要提醒", [], before) == Wanted(["108-2"], ["deadlines", "events"], True)
    assert wanted("第一梯也要", ["108-1"], before) == Wanted(
        ["108-1", "108-2"], ["deadlines"], True
    )
    assert wanted("訂閱提醒", [], before) is None  # nothing new: nothing changes
    assert wanted("所有梯次都要", [], before) == Wanted([], [], True)
    assert wanted("any time is fine for deadlines", [], before) == Wanted(
        ["108-2"], ["deadlines"], False
    )
    assert wanted("只要108-1", ["108-1"], None) == Wanted(["108-1"], [], True)  # first: as named


def test_timing_is_the_planners() -> None:
    said = timing_text("zh-TW")
    days = "、".join(str(d) for d in reminder_plan.DAY_OFFSETS)
    assert f"截止日前 {days} 天" in said and "10:00" in said
    assert f"{int(reminder_plan.CUTOFF_LEAD.total_seconds() // 3600)} 小時" in said
    assert "7, 3, 1 days" in timing_text("en") and "events" not in timing_text("en", ("deadlines",))


async def _view(services: Services, sender: str) -> SubscriptionView | None:
    with services.session_factory() as session:
        user = find_user(session=session, channel="rest", external_id=sender)
        assert user is not None
        return get_subscription(session=session, user_id=user.id)


async def test_asking_keeps_a_one_round_choice(services: Services) -> None:
    said = text(await rest(services, "rem1", "可以提醒我第二梯的截止日嗎"))
    assert "108-2 梯次，截止提醒" in said and "7月8日 10:00" in said  # T-7d of 7/15
    chosen = await _view(services, "rem1")
    assert chosen is not None and chosen.rounds == ("108-2",) and chosen.kinds == ("deadlines",)
    for question in ("我訂了哪些提醒", "我订了哪些提醒", "我的提醒設定"):
        said = text(await rest(services, "rem1", question))
        assert "您目前訂閱的提醒：108-2 梯次，截止提醒" in said and "已為您訂閱" not in said
        assert await _view(services, "rem1") == chosen, question
    said = text(await rest(services, "rem1", "提醒會在幾天前通知"))
    assert said.startswith("提醒時間：") and await _view(services, "rem1") == chosen
    said = text(await rest(services, "rem1", "截止前幾天會提醒"))
    # the planner's offsets, and this user's next reminders (108-2 only, deadlines only)
    assert "截止日前 7、3、1 天" in said and "3 小時" in said and "7月15日 09:00" in said
    assert "108-1場" not in said and "活動提醒在" not in said


async def test_asking_in_english_and_before_subscribing(services: Services) -> None:
    said = text(await rest(services, "rem2", "which reminders do I have?"))
    assert "no reminder subscription" in said and await _view(services, "rem2") is None
    assert "/subscribe_reminders" in payloads(await rest(services, "rem2", "my reminders"))
    assert "Reminders: off" in text(await rest(services, "rem2", "am I subscribed?"))
    assert await _view(services, "rem2") is None
    await rest(services, "rem2", "remind me about deadlines")
    said = text(await rest(services, "rem2", "which reminders do I have?"))
    assert "Your reminders: all rounds, deadlines." in said and "31 May 09:00" in said
    view = await _view(services, "rem2")
    assert view is not None and view.kinds == ("deadlines",)


async def test_changing_keeps_what_is_not_named(services: Services) -> None:
    await rest(services, "rem4", "可以提醒我第二梯的截止日嗎")
    said = text(await rest(services, "rem4", "訂閱提醒"))  # nothing new named: nothing changes
    assert "沒有變更" in said
    view = await _view(services, "rem4")
    assert view is not None and view.rounds == ("108-2",) and view.kinds == ("deadlines",)
    await rest(services, "rem4", '/subscribe_reminders{"round": "108-1"}')
    view = await _view(services, "rem4")
    assert view is not None and view.rounds == ("108-1",) and view.kinds == ("deadlines",)
    await rest(services, "rem4", "所有梯次都要提醒")
    view = await _view(services, "rem4")
    assert view is not None and view.rounds == () and view.kinds == REMINDER_KINDS


async def test_stop_while_subscribed_asks_to_stop_reminders(services: Services) -> None:
    await rest(services, "rem5", "remind me about deadlines")
    said = text(await rest(services, "rem5", "stop"))
    assert "Turn off all reminders?" in said
    assert "nothing was changed" in text(await rest(services, "rem5", "stop"))  # stop = no
    view = await _view(services, "rem5")
    assert view is not None and view.active
    assert "/deny" in payloads(await rest(services, "rem5", "please stop"))
    said = text(await rest(services, "rem5", "yes"))
    assert "All reminders are off" in said
    view = await _view(services, "rem5")
    assert view is not None and not view.active
    said = text(await rest(services, "rem5", "stop"))
    assert "nothing in progress" in said and "Turn off" not in said


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("我的提醒設定", True),
        ("what are my reminders", True),
        ("取消我的提醒", False),
        ("我不想再收到我的提醒", False),
        ("關掉我的提醒", False),
        ("I don't want my reminders", False),
    ],
)
def test_a_settings_question_read_as_stop_is_answered(text: str, question: bool) -> None:
    # The stop action answers the settings instead of asking to unsubscribe everything.
    assert asks_settings_not_stop(text) is question
