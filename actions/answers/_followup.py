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

import knowledge
from actions.answers._cues import cues_in
from actions.answers._profile import MessagePeople, Subject

CONFIDENT = 0.6
BARE_FOLLOWUP = 8  # characters: 「那我呢」, "and me?" refer back whatever intent they were read as
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
# Team questions that stay team questions even about someone else ("他可以參加兩隊嗎").
_TEAM_QUESTIONS = frozenset({"alone", "multi_team", "team_size", "teams_per_challenge"})
# Parameters remembered between turns (slot names equal entity names).
CONTEXT_PARAMS: dict[str, tuple[str, ...]] = {
    "schedule": ("milestone", "round"),
    "bonus": ("award_tier", "prize_stage", "amount"),
}
PROFILE_SLOTS = ("age", "nationality", "expertise")
# The facts of the person asked about before ("那我朋友19歲呢"), for "他們可以當隊員嗎".
OTHER_PERSON = "other_person"
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
    "post_and_solve",
    "subsidy_and_prize",
    "advisor",
    "leader_change",
    "minor",
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
    # "官網是哪個" (ask_programme): the contact card, which has the website.
    "website": ("contact", frozenset({None, "programme"})),
    "any_review": ("schedule", _RULE_TOPICS | {"schedule", "challenge_posting"}),
    "age_rule": ("eligibility", _RULE_TOPICS),  # "隊長要幾歲"
    "past_count": ("programme", _RULE_TOPICS | {"challenge_posting"}),  # "第一屆有幾隊"
    "fields": ("programme", frozenset({None, "programme", "challenge_posting"})),
    "both_rounds": ("schedule", _RULE_TOPICS | {"bonus", "schedule"}),
}
# Dimensions of a question that a follow-up keeps ("那佳作呢" after an after-tax question is
# after tax too); slot ``answer_dims``. A follow-up saying "稅前" (cue ``gross``) drops ``tax``.
# "那決賽呢" after "構想審查之後呢" asks what follows the final review: the step cues are kept too,
# but only by a follow-up that names another milestone ("還剩幾天" is about the step's answer).
STEP_CUES = frozenset({"next_step", "previous_step"})
DIMENSION_CUES = frozenset({"tax", "prize_unit", "multi_challenge", "when"}) | STEP_CUES
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
    people: MessagePeople | None = None  # who the question is about (``_profile.read``)
    many: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # entities named twice or more


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


def many_entities(latest_message: Mapping[str, Any]) -> dict[str, tuple[Any, ...]]:
    """The entities the message names with two or more distinct values, in order ("第一梯和第二梯
    差在哪" → round: 108-1, 108-2)."""
    values: dict[str, list[Any]] = {}
    for entity in latest_message.get("entities") or []:
        name, value = str(entity.get("entity")), entity.get("value")
        if name in IGNORED_ENTITIES or value is None or value in values.get(name, []):
            continue
        values.setdefault(name, []).append(value)
    return {k: tuple(v) for k, v in values.items() if len(v) > 1}


# A comparison or a list of two things of one kind answers them side by side: the topic.
_MANY_TOPIC = {"round": "schedule", "milestone": "schedule", "prize_stage": "bonus"}
_MANY_TOPIC["award_tier"] = "bonus"


def _many_topic(many: Mapping[str, Any], cues: frozenset[str]) -> str | None:
    """The topic of "第一梯和第二梯差在哪", "構想審查和實證審查分別是什麼時候", "傑出和佳作
    差多少": two things of one kind compared or listed."""
    if not cues & {"compare", "when"}:
        return None
    return next((_MANY_TOPIC[name] for name in _MANY_TOPIC if name in many), None)


def _confident_topic(latest_message: Mapping[str, Any]) -> str | None:
    intent = latest_message.get("intent") or {}
    if float(intent.get("confidence") or 0.0) < CONFIDENT:
        return None
    return TOPIC_OF_INTENT.get(str(intent.get("name")))


def _fact_topic(
    intent_topic: str | None, names: set[str], cues: frozenset[str], last: str | None
) -> str | None:
    """The topic a ``FACT_CUES`` cue names, when the intent is one it overrides (or the last
    topic, for a follow-up); None without such a cue."""
    for cue, (topic, overridden) in FACT_CUES.items():
        if cue in cues and not names - {"expertise"} and intent_topic in overridden | {last}:
            return topic
    return None


def _topic(
    intent_topic: str | None, entities: Mapping[str, Any], cues: frozenset[str], last: str | None
) -> tuple[str | None, bool]:
    """(topic, is follow-up) — see the module docstring."""
    names = set(entities)
    # A bare "還剩幾天" / "扣稅後呢" refers back to a schedule / prize answer; "說明會在哪" is new.
    cue_refers = any(CUE_TOPIC.get(c) == last for c in cues & CONTEXT_CUES) and not names
    referring = "followup" in cues or cue_refers or (intent_topic is None and bool(names))
    fits = names <= TOPIC_ENTITIES.get(last or "", frozenset())
    if last and referring and fits and (intent_topic in (None, last) or names or cue_refers):
        fact = _fact_topic(intent_topic, names, cues, last)
        if fact is not None and fact != last:
            return fact, False  # "那審查會呢" after the application steps: the review's date
        return last, True
    if last and "followup" in cues and "future" in cues and not names:
        return last, True  # "what about next year" after any answer: that topic, next edition
    fact = _fact_topic(intent_topic, names, cues, None)
    if fact is not None:
        return fact, False
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
    if "prize_stage" in names and "what_is" in cues and intent_topic in STATIC_TOPICS | {None}:
        return "bonus", False  # "入圍是什麼意思"
    if "tax" in cues and "nationality" in names and intent_topic in _RULE_TOPICS:
        return "bonus", False  # "a team with foreigners and Taiwanese: how is it taxed"
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


def _replaced(name: str, entities: Mapping[str, Any]) -> bool:
    """A remembered prize tier gives way to a stage the message names, and the other way round
    ("入圍是什麼意思" after "那優等呢" is about the shortlist, not the Excellent award)."""
    other = {"award_tier": "prize_stage", "prize_stage": "award_tier"}.get(name)
    return other is not None and other in entities and entities[other] != "proof"


def _about_someone(people: MessagePeople | None, slots: Mapping[str, Any]) -> MessagePeople | None:
    """The message's people, a pronoun ("他們可以當隊員嗎") given the facts of the person asked
    about before; None when the message is about the user or no one in particular."""
    if people is None or people.own:
        return None
    if people.subject.pronoun and not people.facts:
        before = slots.get(OTHER_PERSON) or {}
        facts = {k: v for k, v in before.items() if k in PROFILE_SLOTS and v is not None}
        who = str(before.get("who") or people.subject.who or "")
        subject = Subject("other", who, bool(before.get("mine")), True)
        return MessagePeople(subject, facts) if facts else None
    return people if people.facts or people.subject.kind == "other" else None


def resolve(
    latest_message: Mapping[str, Any],
    slots: Mapping[str, Any],
    default_topic: str | None,
    people: MessagePeople | None = None,
) -> Query:
    """Resolve the question of ``latest_message`` given the conversation's ``slots``.

    ``default_topic`` is the topic of the action that runs (None for the fallback action); when
    the intent is not confident it still counts for a message without entities or follow-up cue.
    ``people`` (:func:`actions.answers._profile.read`) says whose facts the message states: the
    user's own complete their profile; another person's or no one's are answered on their own.
    """
    someone = _about_someone(people, slots)
    entities = message_entities(latest_message)
    facts = (someone or people or MessagePeople(Subject("own"))).facts
    entities.update(facts)  # "明年就滿20歲": 19 now, not the 20 the NLU read
    cues = cues_in(str(latest_message.get("text") or ""))
    if any(e.get("entity") == "scope" for e in latest_message.get("entities") or []):
        cues |= {"full"}
    intent_topic = _confident_topic(latest_message)
    text = str(latest_message.get("text") or "").strip()
    if "followup" in cues and not entities and len(text) <= BARE_FOLLOWUP:
        intent_topic = None  # 「那我呢」 names no topic of its own, however sure the NLU is
    if intent_topic is None and not entities and "followup" not in cues:
        intent_topic = default_topic  # a weak guess is still the best reading of a bare question
    many = many_entities(latest_message)
    if "both_rounds" in cues and "compare" in cues and "round" not in many:
        many["round"] = tuple(r.id for r in knowledge.load().rounds)  # "兩梯一樣嗎"
    if "compare" in cues:  # "差在哪" is not "where", "what is the difference" not "what is"
        cues -= {"venue", "what_is"}
    topic, followup = _topic(intent_topic, entities, cues, slots.get("last_topic"))
    if _many_topic(many, cues) and not (topic == "bonus" and "round" in many):
        topic, followup = _many_topic(many, cues), False
    last_milestone = slots.get("milestone") if slots.get("last_topic") == "schedule" else None
    if "prepare" in cues and last_milestone and not entities:
        topic, followup = "schedule", True  # "要準備什麼" after "訪視是什麼時候"
    if topic is None:
        return Query(None, {}, cues)
    if followup and topic == slots.get("last_topic"):
        kept = frozenset(slots.get("answer_dims") or ()) & DIMENSION_CUES
        if "milestone" not in entities or cues & STEP_CUES:
            kept -= STEP_CUES
        if cues & {"amount_q", "tax", "gross", "no_award", "what_is"}:
            kept -= {"when"}  # "那傑出總共多少" after "獎金什麼時候發": an amount now
        cues |= kept
    if "gross" in cues:  # "稅前呢" names tax but asks for the amount before it
        cues -= {"tax"}
    params: dict[str, Any] = {}
    for name in CONTEXT_PARAMS.get(topic, ()):
        value = entities.get(name)
        if value is None and followup and not _replaced(name, entities):
            value = slots.get(name)
        params[name] = value
    if topic == "schedule" and "any_review" in cues and "milestone" not in entities:
        params["milestone"] = None  # "那審查會呢" after another milestone: not that milestone
    asks_one = params.get("milestone") is not None or "any_review" in cues
    if asks_one and params.get("round") is None and slots.get("named_round"):
        # "第二梯構想幾號截止" then "實證什麼時候要交": the named round, the other mentioned
        params["round"] = slots["named_round"]
        cues |= {CONTEXT_ROUND}
    if someone and topic == "team_rules" and someone.facts and not cues & _TEAM_QUESTIONS:
        topic, cues = "eligibility", cues | {"member_lead"}  # "外國朋友可以加入我們隊嗎"
    general = tuple(n for n in PROFILE_SLOTS if n in facts) if someone else ()
    for name in PROFILE_SLOTS:  # someone else's facts are answered on their own
        params[name] = facts.get(name) if someone else entities.get(name, slots.get(name))
    if (
        people
        and people.own
        and "age" not in people.facts
        and (people.birth or people.birthday_unclear)
    ):
        params["age"] = None  # "1999年生的" / "20歲了但還沒生日": the answer works it out or asks
    return Query(topic, params, cues, followup, general, someone or people, many)
