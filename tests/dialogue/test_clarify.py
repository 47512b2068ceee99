"""Never act on a guess: a state-changing intent below the clear confidence asks what was meant."""

from __future__ import annotations

from typing import Any

from bot.dialogue import Engine, UserMessage, load_domain, load_rules
from bot.services import DOMAIN_PATH, RULES_PATH, Services, make_executor
from db.subscriptions import get_subscription, subscribe
from db.users import get_or_create_user_for_sender


class GuessingParser:
    """Reads every text as ``unsubscribe_reminders`` at 0.33, with ``remove_member`` second."""

    def parse(self, text: str, now: Any = None) -> dict[str, Any]:
        ranking = [
            {"name": "unsubscribe_reminders", "confidence": 0.33},
            {"name": "remove_member", "confidence": 0.30},
            {"name": "my_status", "confidence": 0.11},
        ]
        return {"text": text, "intent": ranking[0], "entities": [], "intent_ranking": ranking}


async def test_a_guessed_unsubscribe_changes_nothing_and_offers_two_readings(
    services: Services,
) -> None:
    with services.session_factory.begin() as session:
        user = get_or_create_user_for_sender(session=session, sender_key="rest:lead")
        subscribe(session=session, user_id=user.id, now=services.clock.now())
        user_id = user.id
    engine = Engine(
        domain=load_domain(DOMAIN_PATH),
        rules=load_rules(RULES_PATH),
        nlu=GuessingParser(),
        executor=make_executor(),
        session_factory=services.session_factory,
        clock=services.clock,
    )
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
