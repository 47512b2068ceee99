"""Schedule, prize and eligibility computations."""

from __future__ import annotations

from datetime import date, datetime

import pytest

import knowledge
from knowledge import TZ
from knowledge.eligibility import Profile, assess
from knowledge.prizes import max_total, net_amount, stage_amount, tier_total
from knowledge.schedule import (
    contract_deadline,
    current_round,
    next_deadline,
    next_event,
    phase_at,
    phases_at,
    time_left,
    upcoming,
)

P = knowledge.load()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(TZ)


# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("milestone", "round_id", "earliest", "latest", "deadline", "exact"),
    [
        ("idea_deadline", "108-1", "05-31T00:00", "05-31T23:59:59", "05-31T12:00", True),
        ("idea_deadline", "108-2", "07-15T00:00", "07-15T23:59:59", "07-15T12:00", True),
        ("challenge_listing", "108-1", "03-04T00:00", "03-04T23:59:59", "03-04T23:59:59", True),
        ("info_session", "108-1", "03-21T00:00", "03-25T23:59:59", "03-25T23:59:59", False),
        ("roundtable", "108-1", "05-02T00:00", "05-03T23:59:59", "05-03T23:59:59", False),
        ("matching_period", "108-1", "03-01T00:00", "05-31T23:59:59", "05-31T23:59:59", False),
        ("matching_period", "108-2", "05-31T00:00", "07-20T23:59:59", "07-20T23:59:59", False),
        ("site_visit", "108-1", "08-01T00:00", "08-31T23:59:59", "08-31T23:59:59", False),
        ("poc_deadline", "108-1", "10-21T00:00", "10-31T23:59:59", "10-31T12:00", False),
        ("poc_deadline", "108-2", "11-11T00:00", "11-20T23:59:59", "11-20T12:00", False),
        ("final_review", "108-2", "11-21T00:00", "11-30T23:59:59", "11-30T23:59:59", False),
        ("contract_signing", "108-2", "07-25T00:00", "08-25T23:59:59", "08-25T23:59:59", False),
        ("contract_signing", "108-1", "06-19T00:00", "07-20T23:59:59", "07-20T23:59:59", False),
    ],
)  # fmt: skip
def test_resolved_dates(
    milestone: str, round_id: str, earliest: str, latest: str, deadline: str, exact: bool
) -> None:
    d = P.date(milestone, round_id)
    assert d.earliest == at(f"2019-{earliest}+08:00")
    assert d.latest == at(f"2019-{latest}+08:00")
    assert d.deadline == at(f"2019-{deadline}+08:00")
    assert d.exact is exact
    assert d.earliest.tzinfo == TZ


def test_tentative_marks() -> None:
    assert P.date("poc_deadline", "108-1").tentative
    assert P.date("poc_deadline", "108-2").tentative
    assert not P.date("final_review", "108-2").tentative
    assert P.date("site_visit", "108-1").approximate
    assert not P.date("info_session", "108-1").approximate


def test_unknown_ids_raise_key_error() -> None:
    with pytest.raises(KeyError):
        P.date("idea_deadline", "109-1")
    with pytest.raises(KeyError):
        P.date("lunch", "108-1")


# --- schedule queries --------------------------------------------------------------------------


def test_days_left_to_108_1_idea_deadline() -> None:
    left = time_left(P.date("idea_deadline", "108-1").deadline, at("2019-05-20T10:00+08:00"))
    assert (left.days, left.hours, left.minutes) == (11, 2, 0)
    assert not left.passed
    after = time_left(P.date("idea_deadline", "108-1").deadline, at("2019-05-31T12:00:01+08:00"))
    assert after.passed and after.days == 0


def test_contract_deadline_after_108_2_review() -> None:
    assert contract_deadline(P, "108-2") == at("2019-08-25T23:59:59+08:00")
    assert contract_deadline(P, "108-2", date(2019, 7, 25)).date() == date(2019, 8, 25)
    assert contract_deadline(P, "108-2", date(2019, 1, 31)).date() == date(2019, 2, 28)


def test_next_deadline_and_event() -> None:
    now = at("2019-05-20T10:00+08:00")
    nxt = next_deadline(P, now)
    assert nxt is not None and (nxt.round_id, nxt.milestone_id) == ("108-1", "idea_deadline")
    ev = next_event(P, now)
    assert ev is not None and ev.milestone_id == "matching_period" and ev.ongoing(now)
    noon = at("2019-05-31T12:00+08:00")
    after = next_deadline(P, noon)
    assert after is not None and (after.round_id, after.milestone_id) == ("108-2", "idea_deadline")
    same_round = next_deadline(P, noon, round_id="108-1")
    assert same_round is not None and same_round.milestone_id == "contract_signing"
    assert next_deadline(P, at("2019-12-01T00:00+08:00")) is None


def test_upcoming_is_ordered_and_filtered() -> None:
    now = at("2019-07-01T09:00+08:00")
    found = upcoming(P, now, kinds=["deadline"])
    times = [o.key_time for o in found]
    assert times == sorted(times) and all(t > now for t in times)
    assert {o.kind for o in found} == {"deadline"}
    with pytest.raises(ValueError, match="aware"):
        upcoming(P, datetime(2019, 7, 1))


@pytest.mark.parametrize(
    ("when", "round_id", "phase"),
    [
        ("2019-03-01T09:00", "108-1", "not_started"),
        ("2019-03-04T09:00", "108-1", "idea_submission"),
        ("2019-05-31T11:59", "108-1", "idea_submission"),
        ("2019-05-31T12:00", "108-1", "idea_review"),
        ("2019-06-25T09:00", "108-1", "contracting"),
        ("2019-09-01T09:00", "108-1", "proof_of_concept"),
        ("2019-11-01T09:00", "108-1", "final_review"),
        ("2019-11-07T00:00", "108-1", "closed"),
        ("2019-05-31T12:00", "108-2", "idea_submission"),
        ("2019-07-20T09:00", "108-2", "idea_review"),
        ("2019-08-01T09:00", "108-2", "contracting"),
        ("2019-10-01T09:00", "108-2", "proof_of_concept"),
        ("2019-11-25T09:00", "108-2", "final_review"),
    ],
)
def test_phase_at(when: str, round_id: str, phase: str) -> None:
    assert phase_at(P, at(when + "+08:00"), round_id).phase == phase


def test_phases_and_current_round() -> None:
    now = at("2019-06-01T09:00+08:00")
    assert [(p.round_id, p.phase) for p in phases_at(P, now)] == [
        ("108-1", "idea_review"),
        ("108-2", "idea_submission"),
    ]
    assert current_round(P, now) == "108-1"
    assert current_round(P, now, "idea_deadline") == "108-2"
    assert current_round(P, at("2019-12-31T00:00+08:00")) == "108-2"


# --- prizes ------------------------------------------------------------------------------------


def test_stage_amounts() -> None:
    assert stage_amount(P, "shortlist") == 50_000
    assert stage_amount(P, "solution_grant") == 250_000
    assert stage_amount(P, "proof", "outstanding") == 400_000
    with pytest.raises(ValueError, match="tier"):
        stage_amount(P, "proof")
    assert sum(t.amount for t in P.stage("solution_grant").tranches) == 250_000


@pytest.mark.parametrize(
    ("tier", "nationality", "gross", "net"),
    [
        ("excellent", None, 600_000, 600_000),
        ("excellent", "ROC", 600_000, 540_000),
        ("outstanding", None, 700_000, 700_000),
        ("outstanding", "ROC", 700_000, 630_000),
        ("merit", None, 500_000, 500_000),
        ("merit", "foreign", 500_000, 400_000),
    ],
)
def test_tier_totals(tier: str, nationality: str | None, gross: int, net: int) -> None:
    total = tier_total(P, tier, nationality)  # type: ignore[arg-type]
    assert (total.gross, total.net) == (gross, net)
    assert [stage for stage, _ in total.parts] == ["shortlist", "solution_grant", "proof"]


def test_max_and_net() -> None:
    assert max_total(P) == P.prizes.max_per_team_per_challenge == 700_000
    assert net_amount(P, 50_000, "foreign") == 40_000


# --- eligibility -------------------------------------------------------------------------------

NOW = at("2019-05-20T10:00+08:00")


def test_eligible_national_in_team() -> None:
    v = assess(P, Profile(age=25, nationality="ROC", expertise="ai", in_team=True), NOW)
    assert v.status == "eligible"
    assert [r.outcome for r in v.reasons] == ["met"] * 4


def test_age_19_not_eligible_with_quoted_rule() -> None:
    v = assess(P, Profile(age=19, nationality="ROC", expertise="ai", in_team=True), NOW)
    assert v.status == "not_eligible"
    reason = v.reasons[0]
    assert (reason.rule_id, reason.outcome, reason.code) == ("age", "not_met", "age_under")
    assert "年滿20歲" in reason.rule.text.zh_TW


def test_foreigner_needs_review() -> None:
    v = assess(P, Profile(age=30, nationality="foreign", expertise="domain", in_team=True), NOW)
    assert v.status == "needs_review"
    assert [r.code for r in v.reasons if r.outcome != "met"] == ["nationality_foreign"]


def test_birth_date_counts_age_at_now() -> None:
    turns_20_tomorrow = Profile(
        birth_date=date(1999, 5, 21), nationality="ROC", expertise="both", in_team=True
    )
    assert assess(P, turns_20_tomorrow, NOW).status == "not_eligible"
    assert assess(P, turns_20_tomorrow, at("2019-05-21T00:00+08:00")).status == "eligible"


def test_unknowns_and_no_team_need_review() -> None:
    v = assess(P, Profile(), NOW)
    assert v.status == "needs_review" and v.age is None
    assert {r.outcome for r in v.reasons} == {"missing"}
    v = assess(P, Profile(age=22, nationality="ROC", expertise="ai", in_team=False), NOW)
    assert v.status == "needs_review" and v.reasons[3].code == "team_needed"
    v = assess(P, Profile(age=22, nationality="ROC", expertise="none", in_team=True), NOW)
    assert v.status == "not_eligible"
