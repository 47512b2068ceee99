"""Schedule queries: pure functions over a :class:`~knowledge.schema.Programme` and ``now``.

``now``/``at`` must be timezone-aware; results are aware datetimes in Asia/Taipei. A deadline's
instant is :attr:`ResolvedDate.deadline` (12:00 for the noon cut-offs, 23:59:59 for a day without a
time, the last possible instant for approximate dates such as 10月下旬). Events and periods are
"upcoming" until their ``latest`` instant has passed, so an ongoing one is still returned.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, get_args

from knowledge.dates import END_OF_DAY, TZ, RelativeSpec, ResolvedDate, add_months
from knowledge.schema import MilestoneKind, Programme

Phase = Literal[
    "not_started",
    "idea_submission",
    "idea_review",
    "contracting",
    "proof_of_concept",
    "final_review",
    "closed",
]
PHASES: tuple[Phase, ...] = get_args(Phase)  # in order


@dataclass(frozen=True)
class Occurrence:
    """One milestone in one round."""

    round_id: str
    milestone_id: str
    kind: MilestoneKind
    date: ResolvedDate

    @property
    def key_time(self) -> datetime:
        """The instant that orders occurrences: a deadline's due time, else the start."""
        return self.date.deadline if self.kind == "deadline" else self.date.earliest

    def ongoing(self, now: datetime) -> bool:
        """True when an event or period has started but not ended at ``now``."""
        return self.kind != "deadline" and self.date.earliest <= now <= self.date.latest


@dataclass(frozen=True)
class TimeLeft:
    """Time from ``now`` to a target; ``days``/``hours``/``minutes`` are whole and non-negative."""

    total_seconds: int
    days: int
    hours: int
    minutes: int

    @property
    def passed(self) -> bool:
        """True when the target is not in the future."""
        return self.total_seconds <= 0


@dataclass(frozen=True)
class RoundPhase:
    """The phase a round is in at an instant, with the phase's bounds (None when open-ended)."""

    round_id: str
    phase: Phase
    since: datetime | None
    until: datetime | None


def _check_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")


def milestone_date(programme: Programme, milestone_id: str, round_id: str) -> ResolvedDate:
    """Return the date of ``milestone_id`` in ``round_id``; raises KeyError for unknown ids."""
    return programme.date(milestone_id, round_id)


def occurrences(programme: Programme, round_id: str | None = None) -> list[Occurrence]:
    """All milestones of one round (or of every round), ordered by :attr:`Occurrence.key_time`."""
    rounds = [programme.round(round_id)] if round_id else programme.rounds
    out = [
        Occurrence(rnd.id, m.id, m.kind, programme.date(m.id, rnd.id))
        for rnd in rounds
        for m in programme.schedule.milestones
    ]
    return sorted(out, key=lambda o: (o.key_time, o.round_id))


def upcoming(
    programme: Programme,
    now: datetime,
    *,
    round_id: str | None = None,
    kinds: Iterable[MilestoneKind] | None = None,
) -> list[Occurrence]:
    """Occurrences not over at ``now`` (deadline after now; event/period ending after now)."""
    _check_aware(now)
    wanted = set(kinds) if kinds is not None else {"event", "period", "deadline"}
    return [
        o
        for o in occurrences(programme, round_id)
        if o.kind in wanted and (o.date.deadline if o.kind == "deadline" else o.date.latest) > now
    ]


def next_deadline(
    programme: Programme, now: datetime, round_id: str | None = None
) -> Occurrence | None:
    """The next deadline after ``now`` (idea, contract or proof-of-concept), or None."""
    found = upcoming(programme, now, round_id=round_id, kinds=["deadline"])
    return found[0] if found else None


def next_event(
    programme: Programme, now: datetime, round_id: str | None = None
) -> Occurrence | None:
    """The next (or ongoing) milestone of any kind after ``now``, or None."""
    found = upcoming(programme, now, round_id=round_id)
    return found[0] if found else None


def time_left(target: datetime, now: datetime) -> TimeLeft:
    """Whole days, hours and minutes from ``now`` to ``target`` (zeros once passed).

    Example: 108-1 idea deadline 2019-05-31 12:00 from 2019-05-20 10:00 → 11 days 2 hours.
    """
    _check_aware(now)
    seconds = int((target - now).total_seconds())
    left = max(seconds, 0)
    return TimeLeft(seconds, left // 86400, left % 86400 // 3600, left % 3600 // 60)


def contract_deadline(
    programme: Programme, round_id: str, review_date: date | None = None
) -> datetime:
    """The last instant to sign the cooperation document (構想審查後1個月內).

    Counted from the last day of the idea review (or from ``review_date`` when the actual review
    day is known) plus the stated number of months, at 23:59:59 Asia/Taipei; e.g. 108-2 review
    7月25日 → 2019-08-25 23:59:59.
    """
    resolved = programme.date("contract_signing", round_id)
    if review_date is None:
        return resolved.deadline
    spec = resolved.spec
    months = spec.within_months if isinstance(spec, RelativeSpec) else 1
    return datetime.combine(add_months(review_date, months), END_OF_DAY, TZ)


def _boundaries(programme: Programme, round_id: str) -> list[tuple[Phase, datetime]]:
    d = programme.date
    return [
        ("idea_submission", d("challenge_listing", round_id).earliest),
        ("idea_review", d("idea_deadline", round_id).deadline),
        ("contracting", d("idea_review", round_id).latest),
        ("proof_of_concept", d("contract_signing", round_id).deadline),
        ("final_review", d("poc_deadline", round_id).deadline),
        ("closed", d("final_review", round_id).latest),
    ]


def phase_at(programme: Programme, at: datetime, round_id: str) -> RoundPhase:
    """The phase of ``round_id`` at ``at``.

    Phases run from challenge listing to the idea deadline (idea_submission), to the end of the
    idea review (idea_review), to the contract deadline (contracting), to the proof-of-concept
    deadline (proof_of_concept), to the end of the final review (final_review); then closed.
    """
    _check_aware(at)
    phase: Phase = "not_started"
    since: datetime | None = None
    bounds = _boundaries(programme, round_id)
    for index, (name, start) in enumerate(bounds):
        if at < start:
            return RoundPhase(round_id, phase, since, start)
        phase, since = name, start
        if index == len(bounds) - 1:
            break
    return RoundPhase(round_id, phase, since, None)


def phases_at(programme: Programme, at: datetime) -> list[RoundPhase]:
    """The phase of every round at ``at`` (rounds overlap: 108-2 opens as 108-1's ideas close)."""
    return [phase_at(programme, at, rnd.id) for rnd in programme.rounds]


def current_round(programme: Programme, now: datetime, milestone_id: str | None = None) -> str:
    """The round a question that names no round most likely means at ``now``.

    With ``milestone_id``: the first round whose milestone is not over yet. Without: the first
    round not closed. Falls back to the last round.
    """
    for rnd in programme.rounds:
        if milestone_id is None:
            if phase_at(programme, now, rnd.id).phase != "closed":
                return rnd.id
            continue
        occurrence = upcoming(programme, now, round_id=rnd.id)
        if any(o.milestone_id == milestone_id for o in occurrence):
            return rnd.id
    return programme.rounds[-1].id
