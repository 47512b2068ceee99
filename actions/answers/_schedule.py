"""Compose the schedule answer: a milestone's date (the upcoming round's, mentioning the other),
days left, the phase, whether ideas can still be submitted, the two rounds side by side, several
milestones at once, or the short schedule with its timeline (``custom``, shape in
``docs/CONTRACTS.md``).

Every fact comes from :mod:`knowledge`, rendered in the user's language with ``now`` passed in.
"""

from __future__ import annotations

from datetime import datetime

import knowledge
from actions.answers._answer import Answer
from actions.answers._answer import answer_text as _answer_text
from actions.answers._answer import button as _button
from actions.answers._followup import CONTEXT_ROUND, REVIEWS, STEP_CUES, Query
from actions.answers._timeline import schedule_payload
from knowledge import Lang, Programme
from knowledge.dates import RelativeSpec
from knowledge.render_answers import render_step
from knowledge.render_direct import render_about, render_contact_short
from knowledge.render_schedule import (
    render_listing_open,
    render_rounds_compare,
    render_schedule_list,
    render_schedule_short,
)


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
    side = _side_by_side(p, q, lang, now)
    if side is not None:
        return side
    if "still_open" in q.cues and milestone == "challenge_listing":  # "現在出題還來得及上架嗎"
        answer.context = {"milestone": milestone, "round": None}
        answer.say(render_listing_open(p, lang, now))
        return answer
    if "still_open" in q.cues and milestone in (None, "idea_deadline"):
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
    if round_id and not named_round and _over(p, milestone, round_id, now):
        round_id = None  # "題目什麼時候上架" after "第一梯…": the round still ahead leads
    round_id = round_id or knowledge.current_round(p, now, milestone)
    answer.context = {"milestone": milestone, "round": round_id}
    buttons = review_buttons + _round_buttons(p, lang, round_id, milestone)
    if "days_left" in q.cues:
        answer.say(knowledge.render_days_left(p, milestone, round_id, lang, now), buttons)
        return answer
    line = knowledge.render_milestone(p, milestone, round_id, lang, now)
    if "what_is" in q.cues or "prepare" in q.cues:  # "輪桌接洽會是什麼": what it is, then when
        line = render_about(p, milestone, lang) + "\n" + line
    if "prepare" in q.cues:  # "要準備什麼" after "訪視是什麼時候": the data lists nothing
        what = _answer_text(lang, "prepare").format(
            name=p.milestone(milestone).name.get(lang), contact=render_contact_short(p, lang)
        )
        line = what + "\n" + line
    time = p.date(milestone, round_id).spec.time
    if "exact_time" in q.cues and time is not None:  # "是中午還是半夜": the time first
        clock = knowledge.format_time(time, lang)
        line = _answer_text(lang, "exact_time_known").format(time=clock) + "\n" + line
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


def _over(p: Programme, milestone: str, round_id: str, now: datetime) -> bool:
    date = p.date(milestone, round_id)
    end = date.deadline if p.milestone(milestone).kind == "deadline" else date.latest
    return end <= now


def _side_by_side(p: Programme, q: Query, lang: Lang, now: datetime) -> Answer | None:
    """Several milestones at once ("構想審查和實證審查分別是什麼時候"), or the two rounds compared
    ("第一梯和第二梯差在哪"); None for a question about one thing."""
    milestones, rounds = q.many.get("milestone"), q.many.get("round")
    answer = Answer()
    if milestones:
        round_id = q.params.get("round") if not rounds else None
        lines = []
        for m in milestones:
            shown = round_id or knowledge.current_round(p, now, str(m))
            line = knowledge.render_milestone(p, str(m), shown, lang, now)
            if round_id is None:
                line += knowledge.render_other_rounds(p, str(m), shown, lang, now)
            lines.append(line)
        answer.context = {"milestone": None, "round": round_id}
        answer.say("\n".join(lines))
        return answer
    if rounds and q.params.get("milestone") is None:
        answer.context = {"milestone": None, "round": None}
        answer.say(render_rounds_compare(p, str(rounds[0]), str(rounds[1]), lang))
        return answer
    return None


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
