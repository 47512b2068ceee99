"""Answers to the ask_* intents, grounded in :mod:`knowledge`.

One action per intent (``action_answer_schedule`` for ``ask_schedule`` …) plus
``action_answer_fallback`` for ``nlu_fallback``: a message with only entities ("那第二梯呢",
"優等") re-answers the last topic with them, anything else gets ``utter_fallback``. All of them:

1. resolve the question (:func:`actions.answers._followup.resolve`: topic, parameters, follow-up),
2. compose the reply from the data (:mod:`actions.answers._compose`) in the ``language``
   slot, with the turn's ``now`` (:func:`actions.context.turn_now`),
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
from actions._forms import drop_form_buttons
from actions.answers._answer import Answer
from actions.answers._compose import COMPOSERS, direct_fact, no_data
from actions.answers._cues import cues_in
from actions.answers._followup import (
    CONFIDENT,
    DIMENSION_CUES,
    DIRECT_CUES,
    FACT_CUES,
    NO_DATA_CUES,
    OTHER_PERSON,
    PROFILE_SLOTS,
    Query,
    message_entities,
    resolve,
)
from actions.answers._profile import MessagePeople, previous_slots, read
from actions.context import turn_now
from knowledge._format import t
from knowledge.render_direct import render_contact_short


def _language(tracker: Tracker) -> knowledge.Lang:
    return "en" if tracker.get_slot("language") == "en" else "zh-TW"


class _AnswerAction(Action):
    """Shared run(): resolve, compose, utter, remember. Subclasses set ``topic``."""

    topic: str | None = None
    no_topic_response = "utter_fallback"

    def name(self) -> str:
        """``action_answer_<topic>``."""
        return f"action_answer_{self.topic or 'fallback'}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Answer the latest message; ``utter_fallback`` when no topic can be resolved."""
        latest, now = tracker.latest_message or {}, turn_now(tracker)
        people = read(str(latest.get("text") or ""), latest.get("entities") or [], now)
        query = resolve(latest, tracker.current_slot_values(), self.topic, people)
        programme, lang = knowledge.load(), _language(tracker)
        kept = profile_events(tracker, query)
        about = about_the_bot(programme, query.cues, lang)
        if about is not None:  # "are you a real person?" read as a contact question
            dispatcher.utter_message(text=about)
            return kept
        unknown = no_data(programme, query, lang, now) or direct_fact(programme, query, lang, now)
        if unknown is not None:
            return self._utter(dispatcher, unknown, [], tracker) + kept
        if query.topic is None:
            dispatcher.utter_message(response=self.no_topic_response)
            return kept
        answer = COMPOSERS[query.topic](programme, query, lang, now)
        # The question's dimensions (after tax, per team, after a milestone…) for follow-ups.
        dims = query.cues & DIMENSION_CUES
        if query.topic != "bonus":
            dims -= {"when"}  # only a prize answer keeps "when" ("and the proof of concept prize?")
        answer.context.setdefault("answer_dims", sorted(dims))
        named = message_entities(tracker.latest_message or {}).get("round")
        if named:  # later schedule questions default to the round the user named
            answer.context["named_round"] = named
        events: list[EventType] = [SlotSet("last_topic", query.topic)]
        return self._utter(dispatcher, answer, events, tracker) + kept

    @staticmethod
    def _utter(
        dispatcher: CollectingDispatcher, answer: Answer, events: list[EventType], tracker: Tracker
    ) -> list[EventType]:
        for reply in answer.replies:  # inside a form, no button that would start it again
            dispatcher.utter_message(
                text=reply.get("text"),
                buttons=drop_form_buttons(reply.get("buttons") or [], tracker.active_loop_name),
                json_message=reply.get("custom"),
            )
        events += [SlotSet(name, value) for name, value in answer.context.items()]
        return events


def about_the_bot(
    programme: knowledge.Programme, cues: frozenset[str], lang: knowledge.Lang
) -> str | None:
    """Who answers ("你是誰", "你是真人嗎": an automated assistant) or where complaints go (the
    programme office); None for other messages."""
    cue = next((c for c in ("complaint", "identity") if c in cues), None)
    if cue is None:
        return None
    contact = render_contact_short(programme, lang)
    return str(t(lang, f"answers.{cue}")).format(
        name=programme.programme.name.get(lang), contact=contact
    )


def profile_events(tracker: Tracker, query: Query) -> list[EventType]:
    """Keep the user's profile slots to the user's own facts.

    The engine stored every profile entity of the message; a fact about someone else ("那我朋友
    19歲呢") or no one in particular ("外國人可以參加嗎") is put back to the value before this
    message, and remembered as ``other_person`` for "他們可以當隊員嗎". The user's own facts that
    the NLU left in the words (a birth date, "明年就20了") are stored; an unclear age ("20歲了但
    還沒生日") is not.
    """
    people = query.people
    if people is None:
        return []
    slots = tracker.current_slot_values()
    before = previous_slots(tracker.events, PROFILE_SLOTS)
    if not people.own:
        events: list[EventType] = [
            SlotSet(name, before[name]) for name in PROFILE_SLOTS if slots.get(name) != before[name]
        ]
        if people.facts:
            events.append(SlotSet(OTHER_PERSON, _other_person(people)))
        return events
    events = []
    for name in PROFILE_SLOTS:
        value = people.facts.get(name)
        if name == "age" and value is None and (people.birth or people.birthday_unclear):
            value = before[name]  # no single age: keep what was known before
        elif value is None:
            continue
        if value != slots.get(name):
            events.append(SlotSet(name, value))
    return events


def _other_person(people: MessagePeople) -> dict[str, Any]:
    subject = people.subject
    return {"who": subject.who, "mine": subject.mine, **people.facts}


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


# No-data cues that are about the programme even without a programme word ("作品的智慧財產權歸誰");
# the others ("住宿", "要錢嗎") need one under out_of_scope ("比賽有提供住宿嗎").
SELF_EVIDENT = frozenset({"ip", "criteria", "doc_format", "doc_language", "postpone", "fee"})


def _weak_with_facts(latest_message: dict[str, Any]) -> bool:
    """An unconfident out_of_scope that names a profile fact, prize tier or milestone
    ("我是马来西亚人", "I'm from Japan") is a programme message: answered like the fallback."""
    intent = latest_message.get("intent") or {}
    if float(intent.get("confidence") or 0.0) >= CONFIDENT:
        return False
    return bool(set(message_entities(latest_message)) & _FACT_ENTITIES)


_FACT_ENTITIES = frozenset({"age", "nationality", "expertise", "award_tier", "milestone"})


def _context_followup(tracker: Tracker, cues: frozenset[str]) -> bool:
    """A bare "在哪裡舉辦" / "幾點" right after a milestone's date refers to that milestone."""
    if tracker.get_slot("last_topic") != "schedule" or not tracker.get_slot("milestone"):
        return False
    return bool(cues & {"venue", "exact_time"}) and not message_entities(
        tracker.latest_message or {}
    )


def _person_followup(tracker: Tracker, cues: frozenset[str]) -> bool:
    """A follow-up of an eligibility answer about someone ("那我日本同學呢" after "外國朋友可以
    參加嗎") even when the NLU read it as out of scope: it names a person and a fact."""
    if tracker.get_slot("last_topic") != "eligibility" or "followup" not in cues:
        return False
    latest = tracker.latest_message or {}
    text = str(latest.get("text") or "")
    people = read(text, latest.get("entities") or [], turn_now(tracker))
    if people.own:  # "那我呢", "and me?": the user's own case again
        return len(text.strip()) <= _SHORT_FOLLOWUP
    return bool(people.facts)


_SHORT_FOLLOWUP = 12  # characters: "那我自己呢？" is a follow-up, a long message a new question


# Cues that name a programme fact even when the NLU read the message as out of scope.
_FACT_CUES = frozenset(FACT_CUES) | frozenset(DIRECT_CUES)


class ActionAnswerOutOfScope(_AnswerAction):
    """out_of_scope: a programme question the data can't answer ("作品的智慧財產權歸誰", "比賽在
    哪裡舉辦") says so and gives the contact; anything else gets ``utter_out_of_scope``.

    Unlike the fallback it never re-answers the last topic from entities alone, unless the
    intent is unconfident and the message names a profile fact, prize tier or milestone."""

    topic = None
    no_topic_response = "utter_out_of_scope"

    def name(self) -> str:
        """``action_answer_out_of_scope``."""
        return "action_answer_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """The no-data reply for a programme question, else ``utter_out_of_scope``."""
        cues = cues_in(str((tracker.latest_message or {}).get("text") or ""))
        programme, lang = knowledge.load(), _language(tracker)
        about = about_the_bot(programme, cues, lang)
        if about is not None:  # "你是誰", "are you a bot", "我要投訴"
            dispatcher.utter_message(text=about)
            return []
        about_programme = "programme_words" in cues
        what = next(
            (c for c in NO_DATA_CUES if c in cues and (about_programme or c in SELF_EVIDENT)), None
        )
        if what is None and about_programme:
            what = next((c for c in ("venue", "future") if c in cues), "generic")
        if what is None and cues & _FACT_CUES:
            return await super().run(dispatcher, tracker, domain)  # "一定要會寫程式嗎"
        if what is None and _weak_with_facts(tracker.latest_message or {}):
            return await super().run(dispatcher, tracker, domain)  # "我是马来西亚人"
        if what is None and _person_followup(tracker, cues):
            return await super().run(dispatcher, tracker, domain)  # "那我日本同學呢"
        if what is None and _context_followup(tracker, cues):
            return await super().run(dispatcher, tracker, domain)  # "在哪裡舉辦" after a date
        if what is None:
            dispatcher.utter_message(response=self.no_topic_response)
            return []
        name = str(t(lang, "answers.events_name")) if what == "venue" else ""
        dispatcher.utter_message(text=knowledge.render_no_data(programme, what, lang, name))
        return []
