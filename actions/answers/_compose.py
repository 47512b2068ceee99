"""Compose the reply to a resolved :class:`~actions.answers._followup.Query`, one per topic.

Every fact comes from :mod:`knowledge` (rendered by its ``render_*`` functions in the user's
language, with ``now`` passed in); this module only chooses which facts answer the question and
adds buttons (Rasa ``/intent{"entity": "value"}`` payloads) and, for schedules, a ``custom``
timeline (shape in ``docs/CONTRACTS.md``). It returns the replies and the context to remember.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import knowledge
from actions.answers._followup import (
    CONTEXT_ROUND,
    DIRECT_CUES,
    NO_DATA_CUES,
    REVIEWS,
    STEP_CUES,
    Query,
)
from actions.answers._timeline import schedule_payload
from knowledge import Lang, Programme
from knowledge._format import t
from knowledge.dates import RelativeSpec
from knowledge.render import render_date_short
from knowledge.render_answers import (
    render_challenge_count,
    render_future_eligibility,
    render_skills_rule,
    render_step,
)
from knowledge.render_direct import (
    render_about,
    render_contact_short,
    render_first_payment,
    render_gross_or_net,
    render_multi_challenge,
    render_pool,
    render_prize_unit,
    render_proof_no_date,
    render_proof_payment,
    render_subsidy_cap,
    render_team_alone,
    render_team_multi,
    render_tier_after_tax,
)
from knowledge.render_schedule import render_schedule_list, render_schedule_short


@dataclass
class Answer:
    """Replies (``text``/``buttons``/``custom`` dicts) and the slots to remember."""

    replies: list[dict[str, Any]] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)

    def say(self, text: str, buttons: list[dict[str, str]] | None = None) -> None:
        """Add a text reply (with buttons when given)."""
        reply: dict[str, Any] = {"text": text}
        if buttons:
            reply["buttons"] = buttons
        self.replies.append(reply)


def _button(title: str, intent: str, **entities: str) -> dict[str, str]:
    payload = f"/{intent}" + (json.dumps(entities, ensure_ascii=False) if entities else "")
    return {"title": title, "payload": payload}


def _answer_text(lang: Lang, key: str) -> str:
    return str(t(lang, f"answers.{key}"))


# -- schedule ------------------------------------------------------------------------------


def _round_buttons(
    p: Programme, lang: Lang, exclude: str | None, milestone: str | None
) -> list[dict[str, str]]:
    extra = {"milestone": milestone} if milestone else {}
    return [
        _button(r.name.get(lang), "ask_schedule", round=r.id, **extra)
        for r in p.rounds
        if r.id != exclude
    ]


def edition_over(p: Programme, now: datetime) -> bool:
    """True once every milestone of every round is over (the edition has ended)."""
    return not knowledge.upcoming(p, now)


def schedule(p: Programme, q: Query, lang: Lang, now: datetime) -> Answer:
    """A milestone's date (the upcoming round's, mentioning the other), days left, the phase,
    whether ideas can still be submitted, or the table. Once the edition is over, every answer
    starts by saying so (the dates are those of the past edition, never moved to this year)."""
    answer = _schedule(p, q, lang, now)
    said = str(answer.replies[0].get("text") or "") if answer.replies else ""
    if edition_over(p, now) and said and knowledge.render_next_deadline(p, lang, now) not in said:
        over = knowledge.render_edition_over(p, lang)
        answer.replies[0]["text"] = over + "\n" + said
    return answer


def _schedule(p: Programme, q: Query, lang: Lang, now: datetime) -> Answer:
    answer = Answer()
    milestone, round_id = q.params.get("milestone"), q.params.get("round")
    if "future" in q.cues:
        answer.say(knowledge.render_no_data(p, "future", lang))
        return answer
    if "still_open" in q.cues and milestone in (None, "idea_deadline") and not q.followup:
        answer.context = {"milestone": "idea_deadline", "round": round_id}
        answer.say(knowledge.render_still_open(p, lang, now, round_id))
        return answer
    if "phase" in q.cues and milestone is None and not q.followup:
        answer.context = {"milestone": None, "round": round_id}
        text = (
            knowledge.render_phase(p, lang, now)
            + "\n"
            + knowledge.render_next_deadline(p, lang, now, round_id)
        )
        answer.say(text, _round_buttons(p, lang, None, None))
        return answer
    if "venue" in q.cues and milestone is None and not q.followup:  # "where is the venue"
        answer.say(knowledge.render_no_data(p, "venue", lang, _answer_text(lang, "events_name")))
        return answer
    step = next((c for c in sorted(STEP_CUES) if c in q.cues), None)
    target = _adjacent_milestone(p, milestone, step) if step and milestone else None
    if step and target is not None:  # "構想審查之後呢": the next (previous) milestone
        answer.context = {"milestone": target, "round": round_id}
        round_id = round_id or knowledge.current_round(p, now, target)
        line = knowledge.render_milestone(p, target, round_id, lang, now)
        line += knowledge.render_other_rounds(p, target, round_id, lang, now)
        answer.say(render_step(p, step, str(milestone), lang) + "\n" + line)
        return answer
    lead, review_buttons = "", []
    if milestone is None and "any_review" in q.cues:  # "那審查會呢": the next review, or ask
        found_review = _next_review(p, now, round_id)
        if found_review is None:
            answer.say(_answer_text(lang, "which_review"), _review_buttons(p, lang, round_id))
            return answer
        milestone, round_id = found_review.milestone_id, found_review.round_id
        other = next(m for m in REVIEWS if m != milestone)
        lead = _answer_text(lang, "any_review").format(
            round=p.round(round_id).name.get(lang),
            idea=p.milestone("idea_review").name.get(lang),
            final=p.milestone("final_review").name.get(lang),
            name=p.milestone(milestone).name.get(lang),
        )
        review_buttons = [
            _button(
                p.milestone(other).name.get(lang), "ask_schedule", milestone=other, round=round_id
            )
        ]
    if "days_left" in q.cues and milestone is None:
        found = knowledge.next_deadline(p, now, round_id)
        if found is None:
            answer.say(knowledge.render_next_deadline(p, lang, now, round_id))
            return answer
        milestone, round_id = found.milestone_id, found.round_id
    if milestone is None:
        return _table(p, q, lang, now)
    named_round = round_id is not None and CONTEXT_ROUND not in q.cues
    round_id = round_id or knowledge.current_round(p, now, milestone)
    answer.context = {"milestone": milestone, "round": round_id}
    buttons = review_buttons + _round_buttons(p, lang, round_id, milestone)
    if "days_left" in q.cues:
        answer.say(knowledge.render_days_left(p, milestone, round_id, lang, now), buttons)
        return answer
    line = knowledge.render_milestone(p, milestone, round_id, lang, now)
    if "what_is" in q.cues:  # "輪桌接洽會是什麼": what it is, then when
        line = render_about(p, milestone, lang) + "\n" + line
    if not named_round:
        line += knowledge.render_other_rounds(p, milestone, round_id, lang, now)
    name = p.milestone(milestone).name.get(lang)
    unknown = "venue" if "venue" in q.cues else None
    if "exact_time" in q.cues and p.date(milestone, round_id).spec.time is None:
        unknown = "exact_time"
    if unknown:
        known = _answer_text(lang, "venue_known").format(line=line)
        line = knowledge.render_no_data(p, unknown, lang, name) + "\n" + known
    answer.say(lead + line, buttons)
    return answer


def _next_review(p: Programme, now: datetime, round_id: str | None) -> knowledge.Occurrence | None:
    """The next review (idea review or final review) not over at ``now``, in ``round_id`` (or
    any round); None when both are over."""
    found = [o for o in knowledge.upcoming(p, now, round_id=round_id) if o.milestone_id in REVIEWS]
    return found[0] if found else None


def _review_buttons(p: Programme, lang: Lang, round_id: str | None) -> list[dict[str, str]]:
    extra = {"round": round_id} if round_id else {}
    return [
        _button(p.milestone(m).name.get(lang), "ask_schedule", milestone=m, **extra)
        for m in REVIEWS
    ]


def _adjacent_milestone(p: Programme, milestone_id: str, step: str) -> str | None:
    """For ``next_step``: the milestone dated relative to ``milestone_id`` (signing after the
    idea review), else the one listed after it; for ``previous_step``: the one it is dated
    relative to, else the one listed before it. None past either end or for an unknown id."""
    ids = [m.id for m in p.schedule.milestones]
    if milestone_id not in ids:
        return None
    for m in p.schedule.milestones:
        for d in m.dates.values():
            if not isinstance(d, RelativeSpec):
                continue
            if step == "next_step" and d.after == milestone_id:
                return m.id
            if step == "previous_step" and m.id == milestone_id:
                return d.after
    index = ids.index(milestone_id) + (1 if step == "next_step" else -1)
    return ids[index] if 0 <= index < len(ids) else None


def _table(p: Programme, q: Query, lang: Lang, now: datetime) -> Answer:
    """The schedule for a phone: the next deadline and the next two milestones, with buttons for
    the rounds and "完整時程"; every milestone when the user asked for everything. The reply
    carries the round's timeline (``custom``) for LINE Flex / Telegram."""
    round_id = q.params.get("round")
    answer = Answer(context={"milestone": None, "round": round_id})
    if "full" in q.cues:
        text = render_schedule_list(p, round_id, lang)
    else:
        text = render_schedule_short(p, round_id, lang, now)
    buttons = _round_buttons(p, lang, round_id, None)
    if round_id or "full" not in q.cues:
        full = _answer_text(lang, "all_rounds_button")
        buttons.append(_button(full, "ask_schedule", scope="full"))
    shown = round_id or knowledge.current_round(p, now)
    answer.replies.append(
        {"text": text, "buttons": buttons, "custom": schedule_payload(p, shown, lang, now)}
    )
    return answer


# -- prizes --------------------------------------------------------------------------------


def bonus(p: Programme, q: Query, lang: Lang, now: datetime) -> Answer:
    """The direct answer first: per team (not per person), per challenge, a tier's total (after
    tax first when asked), a stage, the withholding rule, or the whole prize scheme; buttons
    for the award tiers. The question's dimensions are remembered for follow-ups."""
    tier, stage = q.params.get("award_tier"), q.params.get("prize_stage")
    nationality = q.params.get("nationality")
    answer = Answer(context={"award_tier": tier, "prize_stage": stage})
    buttons = [
        _button(x.name.get(lang), "ask_bonus", award_tier=x.id)
        for x in p.stage("proof").tiers
        if x.id != tier
    ]
    lead = _prize_lead(p, q, lang)
    if lead is not None:
        answer.say(lead, buttons)
        return answer
    lines = [render_prize_unit(p, lang)] if "prize_unit" in q.cues else []
    if "multi_challenge" in q.cues:
        lines.append(render_multi_challenge(p, lang))
    if tier and "tax" in q.cues:
        lines.append(render_tier_after_tax(p, tier, nationality, lang))
    elif tier:
        lines.append(knowledge.render_tier_total(p, tier, nationality, lang))
    elif lines:
        pass  # the per-team / per-challenge answer is the whole answer
    elif "tax" in q.cues:
        lines.append(knowledge.render_withholding(p, lang))
    elif stage:
        lines.append(knowledge.render_stage(p, stage, lang))
        lines.append(knowledge.render_max_total(p, lang))
    elif "maximum" in q.cues:  # "最多能拿多少獎金": the maximum first, then the stages
        lines.append(knowledge.render_max_total(p, lang))
        lines.append(knowledge.render_prize_summary(p, lang))
    else:
        lines.append(knowledge.render_prize_summary(p, lang))
    answer.say("\n".join(lines), buttons)
    return answer


def _prize_lead(p: Programme, q: Query, lang: Lang) -> str | None:
    """The whole answer to a prize question that asks when (the first payment, the proof prize),
    whether an amount is before tax, or the total pool; None for the other prize questions."""
    tier, stage = q.params.get("award_tier"), q.params.get("prize_stage")
    if "gross_or_net" in q.cues:
        amount = q.params.get("amount")
        return render_gross_or_net(p, int(amount) if amount else None, lang)
    if "pool" in q.cues and not tier and not stage:
        return render_pool(p, lang)
    if "when" not in q.cues and "first_payment" not in q.cues:
        return None
    if stage == "proof" and "first_payment" not in q.cues:
        reviews = str(t(lang, "list_sep")).join(
            _answer_text(lang, "still_open_round").format(
                round=r.name.get(lang),
                date=render_date_short(p, "final_review", r.id, lang),
            )
            for r in p.rounds
        )
        return render_proof_payment(p, reviews, lang)
    if stage == "solution_grant" and "first_payment" not in q.cues:
        return knowledge.render_stage(p, stage, lang)
    first = render_first_payment(p, tier, lang)
    if tier or stage or "first_payment" in q.cues:
        return first
    grant = knowledge.render_stage(p, "solution_grant", lang)  # "獎金什麼時候發": each stage
    return "\n".join([first, grant, render_proof_no_date(p, lang)])


# -- eligibility and static facts -------------------------------------------------------------


def eligibility(p: Programme, q: Query, lang: Lang, now: datetime) -> Answer:
    """The verdict on the age / nationality / expertise given so far, or the rules."""
    age, nationality, expertise = (q.params.get(k) for k in ("age", "nationality", "expertise"))
    answer = Answer()
    if "future" in q.cues and (q.followup or (age is None and nationality is None)):
        answer.say(render_future_eligibility(p, lang))  # "那明年呢" after "我19歲可以參加嗎"
        return answer
    rule = p.eligibility.rule("age")
    if "skills" in q.cues:  # "一定要會寫程式嗎", "沒有AI背景可以嗎": not required, either one
        text = _direct(lang, "skills_lead") + "\n" + render_skills_rule(p, lang)
        if age is not None and int(age) < (rule.min_age or 0):  # "我19歲" said earlier
            text += "\n" + _direct(lang, "age_recall").format(
                age=int(age), rule=rule.text.get(lang), email=p.contacts.email, min_age=rule.min_age
            )
        answer.say(text)
        answer.context = {"expertise": None}  # the question names no expertise of the user
        return answer
    if "age_limit" in q.cues:  # "65歲有年齡上限嗎": only a minimum
        text = _direct(lang, "no_age_limit").format(rule=rule.text.get(lang), min_age=rule.min_age)
        if age is not None and int(age) >= (rule.min_age or 0):
            text += _direct(lang, "age_ok").format(age=int(age))
        elif age is not None:
            text += "\n" + _direct(lang, "age_recall").format(
                age=int(age), rule=rule.text.get(lang), email=p.contacts.email, min_age=rule.min_age
            )
        answer.say(text)
        return answer
    lead = ""
    if "member_only" in q.cues:  # "我可以當隊員就好嗎 不當隊長": the rules apply to everyone
        lead = _direct(lang, "member_only").format(rule=rule.text.get(lang))
        if age is None and nationality is None and expertise is None:
            answer.say(lead)
            return answer
        lead += "\n"
    if age is None and nationality is None and expertise is None:
        answer.say(knowledge.render_eligibility_rules(p, lang))
        return answer
    profile = knowledge.Profile(
        age=int(age) if age is not None else None,
        nationality=nationality if nationality in ("ROC", "foreign") else None,
        expertise=expertise if expertise in ("ai", "domain", "both") else None,
    )
    verdict = knowledge.assess(p, profile, now)
    answer.say(
        lead + knowledge.render_eligibility_answer(p, verdict, lang, general=bool(q.general))
    )
    # a fact asked about in general is not the user's profile (the engine took it as one)
    answer.context = dict.fromkeys(q.general)
    return answer


def team_rules(p: Programme, q: Query, lang: Lang, now: datetime) -> Answer:
    """Yes/no questions first ("可以自己一個人參加嗎" no, teams only; "兩隊" no, one team), then
    the team rules; questions they don't answer (team size, teams per challenge) say so."""
    answer = Answer()
    if "multi_team" in q.cues and "teams_per_challenge" not in q.cues:
        answer.say(render_team_multi(p, lang))
        return answer
    if "alone" in q.cues and "teams_per_challenge" not in q.cues:
        answer.say(render_team_alone(p, lang))
        return answer
    rules = knowledge.render_team_rules(p, lang)
    for cue in ("teams_per_challenge", "team_size"):
        if cue in q.cues:
            answer.say(knowledge.render_no_data(p, cue, lang) + "\n\n" + rules)
            return answer
    answer.say(rules)
    return answer


def programme(p: Programme, q: Query, lang: Lang, now: datetime) -> Answer:
    """The overview, last year's showcase, or "no data" about later editions."""
    answer = Answer()
    if "future" in q.cues:
        answer.say(knowledge.render_no_data(p, "future", lang))
    elif "organiser" in q.cues:  # "主辦單位是誰": the organiser in one or two lines
        info = p.programme
        answer.say(
            _direct(lang, "organiser").format(
                organiser=info.organiser.name.get(lang),
                name=info.name.get(lang),
                email=p.contacts.email,
                website=p.contacts.website,
            )
        )
    elif "challenge_count" in q.cues:  # "目前有幾題"
        answer.say(render_challenge_count(p, lang))
    elif "showcase" in q.cues:
        answer.say(knowledge.render_showcase(p, lang))
    else:
        answer.say(knowledge.render_programme_overview(p, lang))
    return answer


def challenge_posting(p: Programme, q: Query, lang: Lang, now: datetime) -> Answer:
    """How organisations post challenges, with a button to start posting one."""
    answer = Answer()
    button = _button(_answer_text(lang, "post_button"), "post_challenge")
    answer.say(knowledge.render_challenge_posting(p, lang), [button])
    return answer


def _static(render: Callable[[Programme, Lang], str]) -> Composer:
    def compose(p: Programme, q: Query, lang: Lang, now: datetime) -> Answer:
        answer = Answer()
        answer.say(render(p, lang))
        return answer

    return compose


def training_subsidy(p: Programme, q: Query, lang: Lang, now: datetime) -> Answer:
    """The course subsidy; "how much" leads with the cap per person per year."""
    answer = Answer()
    text = knowledge.render_training_subsidy(p, lang)
    if "how_much" in q.cues:
        text = render_subsidy_cap(p, lang) + "\n" + text
    answer.say(text)
    return answer


def no_data(p: Programme, q: Query, lang: Lang, now: datetime) -> Answer | None:
    """For a programme question the data can't answer (a ``NO_DATA_CUES`` cue): say so and give
    the office's contact; None when the message has no such cue."""
    for cue in NO_DATA_CUES:
        if cue in q.cues:
            answer = Answer()
            answer.say(knowledge.render_no_data(p, cue, lang))
            return answer
    if "future" in q.cues and q.topic not in (None, "eligibility", "schedule", "programme"):
        answer = Answer()  # "will there be a 2026 edition" read as another topic
        answer.say(knowledge.render_no_data(p, "future", lang))
        return answer
    if q.topic == "programme" and "venue" in q.cues:  # "這個競賽辦在哪" (no milestone named)
        answer = Answer()
        name = _answer_text(lang, "events_name")
        answer.say(knowledge.render_no_data(p, "venue", lang, name))
        return answer
    return None


def direct_fact(p: Programme, q: Query, lang: Lang, now: datetime) -> Answer | None:
    """A question answered from the rules whatever the topic (a ``DIRECT_CUES`` cue: "可以當指導
    老師嗎", "隊長可以換人嗎", "單據是什麼"…); None when the message has none."""
    cue = next((c for c in DIRECT_CUES if c in q.cues), None)
    if cue is None:
        return None
    answer = Answer()
    contact = render_contact_short(p, lang)
    rule = p.eligibility.rule
    if cue == "occupation":
        text = _direct(lang, cue).format(
            age_rule=rule("age").text.get(lang), skills_rule=rule("expertise").text.get(lang)
        )
    elif cue == "leader_change":
        button = _button(_direct(lang, "leader_button"), "transfer_leadership")
        answer.say(_direct(lang, cue), [button])
        return answer
    elif cue == "proposal_content":
        dates = str(t(lang, "list_sep")).join(
            _answer_text(lang, "still_open_round").format(
                round=r.name.get(lang), date=render_date_short(p, "idea_deadline", r.id, lang)
            )
            for r in p.rounds
        )
        text = _direct(lang, cue).format(dates=dates, contact=contact)
    elif cue == "coop_doc":
        text = _direct(lang, cue).format(
            about=render_about(p, "contract_signing", lang), contact=contact
        )
    elif cue == "receipts":
        stage = knowledge.render_stage(p, "solution_grant", lang)
        text = _direct(lang, cue).format(stage=stage, contact=contact)
    else:  # advisor
        text = _direct(lang, cue).format(contact=contact)
    answer.say(text)
    return answer


def _direct(lang: Lang, key: str) -> str:
    return _answer_text(lang, f"direct.{key}")


Composer = Callable[[Programme, Query, Lang, datetime], Answer]
COMPOSERS: dict[str, Composer] = {
    "schedule": schedule,
    "bonus": bonus,
    "eligibility": eligibility,
    "team_rules": team_rules,
    "programme": programme,
    "challenge_posting": challenge_posting,
    "application_process": _static(knowledge.render_application_process),
    "training_subsidy": training_subsidy,
    "contact": _static(knowledge.render_contact),
}
