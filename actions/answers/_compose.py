"""Compose the reply to a resolved :class:`~actions.answers._followup.Query`, one per topic.

Every fact comes from :mod:`knowledge` (rendered by its ``render_*`` functions in the user's
language, with ``now`` passed in); this module only chooses which facts answer the question and
adds buttons (Rasa ``/intent{"entity": "value"}`` payloads) and, for schedules, a ``custom``
timeline (shape in ``docs/CONTRACTS.md``). It returns the replies and the context to remember.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import knowledge
from actions.answers._answer import Answer
from actions.answers._answer import answer_text as _answer_text
from actions.answers._answer import button as _button
from actions.answers._eligibility import eligibility
from actions.answers._followup import (
    DIRECT_CUES,
    NO_DATA_CUES,
    Query,
)
from actions.answers._schedule import schedule
from knowledge import Lang, Programme
from knowledge._format import t
from knowledge.render import render_date_short
from knowledge.render_answers import (
    render_challenge_count,
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
from knowledge.render_info import render_fields, render_past_results
from knowledge.render_prizes import (
    render_compare_stages,
    render_compare_tiers,
    render_maximum,
    render_mixed_tax,
    render_no_award,
    render_stage_about,
    render_stage_after_tax,
)
from knowledge.render_schedule import render_posting_deadline

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
    lead = _prize_special(p, q, lang) or _prize_lead(p, q, lang)
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


def _prize_special(p: Programme, q: Query, lang: Lang) -> str | None:
    """Two awards or stages compared, a mixed-nationality team's tax, no award, what a stage is,
    a stage after tax, or the maximum; None for the other prize questions."""
    if q.cues & {"gross_or_net", "pool"}:
        return None  # "70萬是稅前還是稅後", "總獎金多少": answered by _prize_lead
    tier, stage = q.params.get("award_tier"), q.params.get("prize_stage")
    tiers, stages = q.many.get("award_tier"), q.many.get("prize_stage")
    if tiers:  # "傑出和佳作差多少"
        return render_compare_tiers(p, str(tiers[0]), str(tiers[1]), lang)
    if stages:  # "入圍獎金跟實證獎金哪個比較多"
        return render_compare_stages(p, str(stages[0]), str(stages[1]), lang)
    both = len(q.many.get("nationality") or ()) > 1
    if "tax" in q.cues and (both or ("mixed" in q.cues and q.params.get("nationality"))):
        return render_mixed_tax(p, lang)  # "外國人跟台灣人同一隊稅怎麼算"
    if "no_award" in q.cues:  # "如果沒得獎呢" (even after a tier), "沒得獎可以拿到錢嗎"
        return render_no_award(p, lang)
    if "what_is" in q.cues and stage and not tier:  # "入圍是什麼意思"
        about = render_stage_about(p, str(stage), lang)
        return (about + "\n" if about else "") + knowledge.render_stage(p, str(stage), lang)
    if "tax" in q.cues and stage and not tier and "when" not in q.cues:  # "實證獎金扣稅後"
        return render_stage_after_tax(p, str(stage), q.params.get("nationality"), lang)
    if "maximum" in q.cues and not (tier or stage) and not q.cues & _PER_CUES:
        return render_maximum(p, lang)  # "最多可以拿多少"
    return None


# Maximum questions answered per team / per challenge instead ("最多每個人拿多少").
_PER_CUES = frozenset({"prize_unit", "multi_challenge", "tax", "pool", "gross_or_net"})


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
    elif "past_count" in q.cues:  # "第一屆有幾隊": last year's figures
        answer.say(render_past_results(p, lang))
    elif "challenge_count" in q.cues:  # "目前有幾題", "有幾家企業出題"
        answer.say(render_challenge_count(p, lang))
    elif "fields" in q.cues:  # "題目有哪些領域"
        answer.say(render_fields(p, lang))
    elif "showcase" in q.cues:
        answer.say(knowledge.render_showcase(p, lang))
    else:
        answer.say(knowledge.render_programme_overview(p, lang))
    return answer


def challenge_posting(p: Programme, q: Query, lang: Lang, now: datetime) -> Answer:
    """How organisations post challenges, with a button to start posting one."""
    answer = Answer()
    button = _button(_answer_text(lang, "post_button"), "post_challenge")
    if q.cues & {"when", "still_open"}:  # "企業出題截止是什麼時候": no deadline, the listings
        answer.say(render_posting_deadline(p, lang, now), [button])
        return answer
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
    if "subsidy_who" in q.cues or q.params.get("nationality") == "foreign":
        sub = p.training_subsidy  # "can I get the subsidy as a foreigner": not in this document
        foreign = q.params.get("nationality") == "foreign"
        answer.say(
            _answer_text(lang, "subsidy_who").format(
                who=_answer_text(lang, "subsidy_who_foreign") if foreign else "",
                max=knowledge.format_amount(sub.max_per_person_per_year, lang),
                document=sub.rules_document,
                contact=render_contact_short(p, lang),
            )
        )
        return answer
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
    stated = q.people is not None and bool(q.people.facts)  # "我是研究生 22歲": a verdict
    cue = next((c for c in DIRECT_CUES if c in q.cues and not (stated and c in _PERSON_CUES)), None)
    if cue is None:
        return None
    answer = Answer()
    contact = render_contact_short(p, lang)
    rule = p.eligibility.rule
    if cue == "minor":
        age = rule("age")
        text = _direct(lang, cue).format(
            rule=age.text.get(lang), min_age=age.min_age, email=p.contacts.email
        )
    elif cue == "occupation":
        text = _direct(lang, cue).format(
            age_rule=rule("age").text.get(lang), skills_rule=rule("expertise").text.get(lang)
        )
    elif cue == "post_and_solve":
        text = _direct(lang, cue).format(
            max=p.challenge_posting.max_per_organisation,
            teams=p.team_rules.max_teams_per_person,
            contact=contact,
        )
    elif cue == "subsidy_and_prize":
        sub = p.training_subsidy
        text = _direct(lang, cue).format(
            max=knowledge.format_amount(sub.max_per_person_per_year, lang),
            prize=knowledge.format_amount(p.prizes.max_per_team_per_challenge, lang),
            document=sub.rules_document,
            contact=contact,
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


# Questions about who may join ("研究生可以參加嗎"): a verdict instead when facts are stated.
_PERSON_CUES = frozenset({"minor", "occupation"})


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
