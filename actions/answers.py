"""Answers to the ask_* intents, grounded in :mod:`knowledge`.

One action per intent (``action_answer_schedule`` for ``ask_schedule`` …) plus
``action_answer_fallback`` for ``nlu_fallback``: a message with only entities ("那第二梯呢",
"優等") re-answers the last topic with them, anything else gets ``utter_fallback``. All of them:

1. resolve the question (:func:`actions._followup.resolve`: topic, parameters, follow-up),
2. compose the reply from the data (:mod:`actions._compose`) in the ``language`` slot, with the
   turn's ``now`` (:func:`actions.context.turn_now`),
3. utter it and return ``SlotSet`` events for ``last_topic`` and the parameters used, so the
   next follow-up keeps the context.

Nothing is sent or written; a topic the data can't answer says so and gives the contact.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import knowledge
from actions._compose import COMPOSERS
from actions._followup import resolve
from actions.context import turn_now


def _language(tracker: Tracker) -> knowledge.Lang:
    return "en" if tracker.get_slot("language") == "en" else "zh-TW"


class _AnswerAction(Action):
    """Shared run(): resolve, compose, utter, remember. Subclasses set ``topic``."""

    topic: str | None = None

    def name(self) -> str:
        """``action_answer_<topic>``."""
        return f"action_answer_{self.topic or 'fallback'}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Answer the latest message; ``utter_fallback`` when no topic can be resolved."""
        query = resolve(tracker.latest_message or {}, tracker.current_slot_values(), self.topic)
        if query.topic is None:
            dispatcher.utter_message(response="utter_fallback")
            return []
        compose = COMPOSERS[query.topic]
        answer = compose(knowledge.load(), query, _language(tracker), turn_now(tracker))
        for reply in answer.replies:
            dispatcher.utter_message(
                text=reply.get("text"),
                buttons=reply.get("buttons") or [],
                json_message=reply.get("custom"),
            )
        events: list[EventType] = [SlotSet("last_topic", query.topic)]
        events += [SlotSet(name, value) for name, value in answer.context.items()]
        return events


class ActionAnswerSchedule(_AnswerAction):
    """ask_schedule: a milestone's date, days left, or the schedule table and timeline."""

    topic = "schedule"


class ActionAnswerBonus(_AnswerAction):
    """ask_bonus: prize stages, a tier's total and net, withholding."""

    topic = "bonus"


class ActionAnswerEligibility(_AnswerAction):
    """ask_eligibility: the verdict for the age / nationality given, or the rules."""

    topic = "eligibility"


class ActionAnswerTeamRules(_AnswerAction):
    """ask_team_rules: the team rules."""

    topic = "team_rules"


class ActionAnswerApplicationProcess(_AnswerAction):
    """ask_application_process: the application steps."""

    topic = "application_process"


class ActionAnswerProgramme(_AnswerAction):
    """ask_programme: what AIGO is, last year's results and showcase."""

    topic = "programme"


class ActionAnswerTrainingSubsidy(_AnswerAction):
    """ask_training_subsidy: the course subsidy."""

    topic = "training_subsidy"


class ActionAnswerChallengePosting(_AnswerAction):
    """ask_challenge_posting: how organisations post a challenge."""

    topic = "challenge_posting"


class ActionAnswerContact(_AnswerAction):
    """ask_contact: the programme office's contact."""

    topic = "contact"


class ActionAnswerFallback(_AnswerAction):
    """nlu_fallback: re-answer the last topic with the message's entities, else utter_fallback."""

    topic = None
