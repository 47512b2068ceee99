"""Which question a message asks: its topic and parameters, follow-ups included.

A message is a *follow-up* of the last answered topic (slot ``last_topic``) when it says so
("那第二梯呢", "what about round 2", cues like "還剩幾天" or "扣稅後呢") or when the NLU has
no confident ask_* intent for it, and every entity it carries fits that topic. A follow-up keeps
the last answer's parameters (slots ``milestone``, ``round``, ``award_tier``, ``prize_stage``)
and overrides those the message names. Otherwise the intent decides the topic (with no usable
intent, the entities do: a bare "優等" is a prize question). The user's profile (``age``,
``nationality``, ``expertise``) is always taken from the slots, which the engine fills from
entities before the action runs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from actions.answers._cues import cues_in

CONFIDENT = 0.6
TOPIC_OF_INTENT: dict[str, str] = {
    "ask_programme": "programme",
    "ask_eligibility": "eligibility",
    "ask_team_rules": "team_rules",
    "ask_application_process": "application_process",
    "ask_bonus": "bonus",
    "ask_schedule": "schedule",
    "ask_training_subsidy": "training_subsidy",
    "ask_challenge_posting": "challenge_posting",
    "ask_contact": "contact",
}
# Entities a topic can take from a follow-up, in the order they imply the topic.
TOPIC_ENTITIES: dict[str, frozenset[str]] = {
    "schedule": frozenset({"milestone", "round", "date"}),
    # "what about round 2?" after a prize answer: the seed's prizes name no round, so the same
    # prize answer applies (re-answered, never moved to the schedule).
    "bonus": frozenset({"award_tier", "prize_stage", "amount", "nationality", "round"}),
    "eligibility": frozenset({"age", "nationality", "expertise"}),
}
ENTITY_TOPIC: dict[str, str] = {
    "milestone": "schedule",
    "round": "schedule",
    "date": "schedule",
    "award_tier": "bonus",
    "prize_stage": "bonus",
    "amount": "bonus",
    "age": "eligibility",
    "nationality": "eligibility",
    "expertise": "eligibility",
}
# Parameters remembered between turns (slot names equal entity names).
CONTEXT_PARAMS: dict[str, tuple[str, ...]] = {
    "schedule": ("milestone", "round"),
    "bonus": ("award_tier", "prize_stage", "amount"),
}
PROFILE_SLOTS = ("age", "nationality", "expertise")
# "外國人可以參加嗎" asks about foreigners in general; "我是外國人可以參加嗎" about the user.
# A profile fact only counts as the user's own with a first-person word (我/我們, I, my, we…).
_FIRST_PERSON = re.compile(r"我|本人|咱|俺|\b(i|i'm|im|i've|my|me|mine|we|we're|our|us)\b", re.I)
# Cues that refer back to the previous answer of the same topic.
CONTEXT_CUES = frozenset({"days_left", "tax", "venue", "exact_time"})
# The topic a cue belongs to (refers back to it; answers it when nothing else says the topic).
CUE_TOPIC: dict[str, str] = {
    "days_left": "schedule",
    "venue": "schedule",
    "exact_time": "schedule",
    "future": "schedule",
    "tax": "bonus",
    "team_size": "team_rules",
    "teams_per_challenge": "team_rules",
    "showcase": "programme",
    "phase": "schedule",
    "still_open": "schedule",
    "challenge_count": "programme",
    "skills": "eligibility",
}
# Programme questions the data has no answer to (cue names = templates.yml answers.what.*):
# whatever the topic, the reply says the data doesn't say and gives the office's contact.
NO_DATA_CUES: tuple[str, ...] = (
    "ip",
    "criteria",
    "doc_format",
    "doc_language",
    "online",
    "lodging",
    "prize_split",
    "cross_school",
    "fee",
    "postpone",
    "challenges_per_team",
)
# Questions answered from the rules whatever the topic (``_compose.direct_fact``), in order.
DIRECT_CUES: tuple[str, ...] = (
    "advisor",
    "leader_change",
    "occupation",
    "proposal_content",
    "coop_doc",
    "receipts",
)
# Topics whose answer takes no entities: a milestone asked about with "when" is a schedule question.
STATIC_TOPICS = frozenset({"application_process", "programme", "team_rules", "challenge_posting"})
# Question types that are about the calendar whatever the intent says ("現在還能報名嗎" reads
# like eligibility, "現在是什麼階段" like the overview): answered from the schedule at ``now``.
STEERING_CUES = frozenset({"phase", "still_open"})
STEERABLE_TOPICS = frozenset({None, "programme", "eligibility", "application_process", "schedule"})
_RULE_TOPICS: frozenset[str | None] = frozenset(
    {None, "programme", "eligibility", "application_process", "team_rules"}
)
# Cues that name the fact asked whatever close intent the NLU guessed ("how many challenges are
# there" read as challenge posting, "一定要會寫程式嗎" as the application steps): cue -> (topic,
# the intent topics it overrides).
FACT_CUES: dict[str, tuple[str, frozenset[str | None]]] = {
    "challenge_count": (
        "programme",
        frozenset({None, "programme", "challenge_posting", "application_process"}),
    ),
    "skills": (
        "eligibility",
        frozenset({None, "programme", "application_process", "team_rules", "eligibility"}),
    ),
    # Yes/no questions answered first (issue 11): "可以自己一個人參加嗎", "可以同時參加兩隊嗎".
    "alone": ("team_rules", _RULE_TOPICS),
    "multi_team": ("team_rules", _RULE_TOPICS),
    "prize_unit": ("bonus", _RULE_TOPICS | {"bonus"}),
    "member_only": ("eligibility", _RULE_TOPICS),
    "organiser": ("programme", _RULE_TOPICS | {"challenge_posting", "contact"}),
    "any_review": ("schedule", _RULE_TOPICS | {"schedule", "challenge_posting"}),
}
# Dimensions of a question that a follow-up keeps ("那佳作呢" after an after-tax question is
# after tax too); slot ``answer_dims``. A follow-up saying "稅前" (cue ``gross``) drops ``tax``.
# "那決賽呢" after "構想審查之後呢" asks what follows the final review: the step cues are kept too,
# but only by a follow-up that names another milestone ("還剩幾天" is about the step's answer).
STEP_CUES = frozenset({"next_step", "previous_step"})
DIMENSION_CUES = frozenset({"tax", "prize_unit", "multi_challenge"}) | STEP_CUES
# Words after a milestone that make it the reference point of another one ("構想審查後多久要簽約").
_REFERENCE_AFTER = re.compile(
    r"\s*(完|結束|完成|過)?\s*(之後|以後|後|之前|以前|前)|\s*(is )?(over|done)?\s*(after|before)\b",
    re.IGNORECASE,
)
# Marks a round taken from the ``named_round`` slot (not named in this message): the answer is
# about that round and still mentions the other.
CONTEXT_ROUND = "context_round"
# "那審查會呢": 審查會 alone is either review (idea review or final review) — the next one of the
# round in context is answered.
REVIEWS = ("idea_review", "final_review")
IGNORED_ENTITIES = frozenset({"language", "scope"})  # scope=full: the "完整時程" button


@dataclass(frozen=True)
class Query:
    """A resolved question: ``topic`` (None: not understood), its parameters and cues."""

    topic: str | None
    params: dict[str, Any] = field(default_factory=dict)
    cues: frozenset[str] = frozenset()
    followup: bool = False
    general: tuple[str, ...] = ()  # profile facts asked about in general, not the user's own


def message_entities(latest_message: Mapping[str, Any]) -> dict[str, Any]:
    """The first value of each entity in the message (ignoring ``language``).

    A milestone named as the reference point of another ("構想審查**後**多久要簽約", "what's due
    after the idea review") gives way to the next milestone named.
    """
    found: dict[str, Any] = {}
    text = str(latest_message.get("text") or "")
    reference = False  # the milestone found so far is a reference point; a later one wins
    for entity in latest_message.get("entities") or []:
        name, value = str(entity.get("entity")), entity.get("value")
        if name in IGNORED_ENTITIES or value is None:
            continue
        if name in found and not (name == "milestone" and reference):
            continue
        found[name] = value
        if name == "milestone":
            end = entity.get("end")
            reference = isinstance(end, int) and _REFERENCE_AFTER.match(text, end) is not None
    return found


def _confident_topic(latest_message: Mapping[str, Any]) -> str | None:
    intent = latest_message.get("intent") or {}
    if float(intent.get("confidence") or 0.0) < CONFIDENT:
        return None
    return TOPIC_OF_INTENT.get(str(intent.get("name")))


def _topic(
    intent_topic: str | None, entities: Mapping[str, Any], cues: frozenset[str], last: str | None
) -> tuple[str | None, bool]:
    """(topic, is follow-up) — see the module docstring."""
    names = set(entities)
    # A bare "還剩幾天" / "扣稅後呢" refers back to a schedule / prize answer; "說明會在哪" is new.
    cue_refers = any(CUE_TOPIC.get(c) == last for c in cues & CONTEXT_CUES) and not names
    referring = "followup" in cues or cue_refers or (intent_topic is None and bool(names))
    fits = names <= TOPIC_ENTITIES.get(last or "", frozenset())
    if last and referring and fits and (intent_topic in (None, last) or names):
        return last, True
    if last and "followup" in cues and "future" in cues and not names:
        return last, True  # "what about next year" after any answer: that topic, next edition
    for cue, (topic, overridden) in FACT_CUES.items():
        if cue in cues and not names - {"expertise"} and intent_topic in overridden:
            return topic, False
    if {"multi_challenge", "how_much"} <= cues and not names - {"award_tier"}:
        return "bonus", False  # "how much can we win if we solve two challenges"
    if "milestone" in names and cues & STEP_CUES and intent_topic in STATIC_TOPICS | {None}:
        return "schedule", False  # "構想審查之後呢": the milestone after (or before) it
    if (
        "milestone" in names
        and cues & {"when", "what_is", "already"}
        and intent_topic in STATIC_TOPICS
    ):
        return "schedule", False
    if cues & STEERING_CUES and names <= {"round"} and intent_topic in STEERABLE_TOPICS:
        return "schedule", False
    if intent_topic == "schedule" and names and names <= {"award_tier", "prize_stage", "amount"}:
        return "bonus", False  # "when is the proof of concept award paid out": a prize's timing
    if intent_topic:
        return intent_topic, False
    for name in ENTITY_TOPIC:
        if name in names:
            return ENTITY_TOPIC[name], False
    for cue in sorted(cues):
        if cue in CUE_TOPIC:
            return CUE_TOPIC[cue], False
    return None, False


def resolve(
    latest_message: Mapping[str, Any], slots: Mapping[str, Any], default_topic: str | None
) -> Query:
    """Resolve the question of ``latest_message`` given the conversation's ``slots``.

    ``default_topic`` is the topic of the action that runs (None for the fallback action); when
    the intent is not confident it still counts for a message without entities or follow-up cue.
    """
    entities = message_entities(latest_message)
    cues = cues_in(str(latest_message.get("text") or ""))
    if any(e.get("entity") == "scope" for e in latest_message.get("entities") or []):
        cues |= {"full"}
    intent_topic = _confident_topic(latest_message)
    if intent_topic is None and not entities and "followup" not in cues:
        intent_topic = default_topic  # a weak guess is still the best reading of a bare question
    topic, followup = _topic(intent_topic, entities, cues, slots.get("last_topic"))
    if topic is None:
        return Query(None, {}, cues)
    if followup and topic == slots.get("last_topic"):
        kept = frozenset(slots.get("answer_dims") or ()) & DIMENSION_CUES
        if "milestone" not in entities or cues & STEP_CUES:
            kept -= STEP_CUES
        cues |= kept
    if "gross" in cues:  # "稅前呢" names tax but asks for the amount before it
        cues -= {"tax"}
    params: dict[str, Any] = {}
    for name in CONTEXT_PARAMS.get(topic, ()):
        value = entities.get(name)
        if value is None and followup:
            value = slots.get(name)
        params[name] = value
    if topic == "schedule" and "any_review" in cues and "milestone" not in entities:
        params["milestone"] = None  # "那審查會呢" after another milestone: not that milestone
    asks_one = params.get("milestone") is not None or "any_review" in cues
    if asks_one and params.get("round") is None and slots.get("named_round"):
        # "第二梯構想幾號截止" then "實證什麼時候要交": the named round, the other mentioned
        params["round"] = slots["named_round"]
        cues |= {CONTEXT_ROUND}
    text = str(latest_message.get("text") or "")
    named = tuple(n for n in PROFILE_SLOTS if n in entities)
    general = named if topic == "eligibility" and not _FIRST_PERSON.search(text) else ()
    for name in PROFILE_SLOTS:  # a general question is answered on its own facts only
        params[name] = entities.get(name) if general else entities.get(name, slots.get(name))
    return Query(topic, params, cues, followup, general)
