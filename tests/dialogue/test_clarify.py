"""Never act on a guess: a state-changing intent below the clear confidence asks what was meant."""

from __future__ import annotations

from typing import Any

from bot.dialogue import Engine, UserMessage, load_domain, load_rules
from bot.services import DOMAIN_PATH, RULES_PATH, Services, make_executor
from db import teams
from db.subscriptions import get_subscription, subscribe
from db.users import get_or_create_user_for_sender

LEAD_ZH = [
    {"name": "unsubscribe_reminders", "confidence": 0.33},
    {"name": "remove_member", "confidence": 0.30},
    {"name": "my_status", "confidence": 0.11},
]


class GuessingParser:
    """Reads every text with a fixed ranking (``unsubscribe_reminders`` at 0.33, with
    ``remove_member`` second, by default), and a ``round`` entity for 第一梯."""

    def __init__(self, ranking: list[dict[str, Any]] | None = None) -> None:
        self.ranking = ranking or LEAD_ZH

    def parse(self, text: str, now: Any = None) -> dict[str, Any]:
        entities = [{"entity": "round", "value": "108-1"}] if "第一梯" in text else []
        return {
            "text": text,
            "intent": self.ranking[0],
            "entities": entities,
            "intent_ranking": self.ranking,
        }


def _engine(services: Services, ranking: list[dict[str, Any]] | None = None) -> Engine:
    return Engine(
        domain=load_domain(DOMAIN_PATH),
        rules=load_rules(RULES_PATH),
        nlu=GuessingParser(ranking),
        executor=make_executor(),
        session_factory=services.session_factory,
        clock=services.clock,
    )


async def test_a_guessed_unsubscribe_changes_nothing_and_offers_two_readings(
    services: Services,
) -> None:
    now = services.clock.now()
    with services.session_factory.begin() as session:
        user = get_or_create_user_for_sender(session=session, sender_key="rest:lead")
        subscribe(session=session, user_id=user.id, now=now)
        team = teams.create_team(session=session, name="影像小隊", leader_user_id=user.id, now=now)
        mate = get_or_create_user_for_sender(session=session, sender_key="rest:mate")
        teams.add_member(session=session, team=team, user_id=mate.id, role="member", now=now)
        user_id = user.id
    engine = _engine(services)
    try:
        replies = await engine.handle(UserMessage("rest:lead", "移除成員 林大明", "rest"))
    finally:
        engine.close()
    assert "您是指哪一個" in replies[0]["text"]
    payloads = [b["payload"] for b in replies[0]["buttons"]]
    assert payloads == ["/unsubscribe_reminders", "/remove_member", "/help"]
    with services.session_factory() as session:
        view = get_subscription(session=session, user_id=user_id)
    assert view is not None and view.active


async def test_readings_fit_the_users_state(services: Services) -> None:
    """QA #25: no 修改題目 / 轉移隊長 for someone with no challenge and no team; nothing fits: the
    fallback answer, not a question with only "neither"."""
    ranking = [
        {"name": "edit_challenge", "confidence": 0.36},
        {"name": "ask_schedule", "confidence": 0.09},
        {"name": "transfer_leadership", "confidence": 0.09},
        {"name": "my_status", "confidence": 0.07},
        {"name": "help", "confidence": 0.06},
        {"name": "post_challenge", "confidence": 0.01},
    ]
    engine = _engine(services, ranking)
    try:
        replies = await engine.handle(UserMessage("rest:nobody", "改一下那個", "rest"))
        payloads = [b["payload"] for r in replies for b in r.get("buttons", [])]
        assert payloads == ["/my_status", "/help"], replies  # the one reading that fits
        cancel_only = [{"name": "cancel", "confidence": 0.41}, *ranking[2:3]]
        engine.nlu = GuessingParser(cancel_only)
        replies = await engine.handle(UserMessage("rest:nobody", "'; DROP TABLE users; --", "rest"))
        assert "您是指哪一個" not in replies[0]["text"]
        assert "我可以回答時程、獎金、參加資格" in replies[0]["text"]
    finally:
        engine.close()


async def test_an_unclear_reminder_change_of_a_subscriber_is_carried_out(
    services: Services,
) -> None:
    """QA #25: 「改成只要第一梯」 from a subscribed user with no team or challenge changes the
    reminders (the only reading that fits), keeping the kinds chosen."""
    with services.session_factory.begin() as session:
        user = get_or_create_user_for_sender(session=session, sender_key="rest:rem1")
        subscribe(session=session, user_id=user.id, now=services.clock.now(), rounds=["108-2"],
                  kinds=["deadlines"])  # fmt: skip
        user_id = user.id
    ranking = [
        {"name": "edit_challenge", "confidence": 0.36},
        {"name": "transfer_leadership", "confidence": 0.09},
    ]
    engine = _engine(services, ranking)
    try:
        replies = await engine.handle(UserMessage("rest:rem1", "改成只要第一梯", "rest"))
    finally:
        engine.close()
    assert "已更新您的提醒設定：108-1 梯次，截止提醒" in replies[0]["text"]
    with services.session_factory() as session:
        view = get_subscription(session=session, user_id=user_id)
    assert view is not None and view.rounds == ("108-1",) and view.kinds == ("deadlines",)
