"""The AIGO programme's rules as data (``programme.yml``), validated at load, with pure queries
and reply rendering in zh-TW and en.

Typical use::

    import knowledge
    p = knowledge.load()                       # cached bundled file
    d = p.date("idea_deadline", "108-1")       # ResolvedDate (earliest/latest/deadline/exact)
    knowledge.render_milestone(p, "idea_deadline", "108-1", "zh-TW", now)
"""

from knowledge._format import format_amount, format_date, format_time
from knowledge.dates import TZ, ResolvedDate, gregorian_to_roc, roc_to_gregorian
from knowledge.eligibility import Profile, Reason, Verdict, age_on, assess
from knowledge.loader import DEFAULT_PATH, KnowledgeError, load, parse
from knowledge.prizes import TIERS, TierTotal, max_total, net_amount, stage_amount, tier_total
from knowledge.render import (
    render_date,
    render_eligibility,
    render_milestone,
    render_next_deadline,
    render_phase,
    render_prize_summary,
    render_schedule_table,
    render_tier_total,
)
from knowledge.render_answers import (
    render_days_left,
    render_edition_over,
    render_eligibility_answer,
    render_eligibility_rules,
    render_max_total,
    render_net_both,
    render_no_data,
    render_other_rounds,
    render_stage,
    render_still_open,
    render_withholding,
)
from knowledge.render_info import (
    render_application_process,
    render_challenge_posting,
    render_contact,
    render_programme_overview,
    render_showcase,
    render_team_rules,
    render_training_subsidy,
)
from knowledge.schedule import (
    PHASES,
    Occurrence,
    RoundPhase,
    TimeLeft,
    contract_deadline,
    current_round,
    milestone_date,
    next_deadline,
    next_event,
    occurrences,
    phase_at,
    phases_at,
    time_left,
    upcoming,
)
from knowledge.schema import LANGS, Lang, Programme

__all__ = [
    "DEFAULT_PATH",
    "LANGS",
    "PHASES",
    "TIERS",
    "TZ",
    "KnowledgeError",
    "Lang",
    "Occurrence",
    "Profile",
    "Programme",
    "Reason",
    "ResolvedDate",
    "RoundPhase",
    "TierTotal",
    "TimeLeft",
    "Verdict",
    "age_on",
    "assess",
    "contract_deadline",
    "current_round",
    "format_amount",
    "format_date",
    "format_time",
    "gregorian_to_roc",
    "load",
    "max_total",
    "milestone_date",
    "net_amount",
    "next_deadline",
    "next_event",
    "occurrences",
    "parse",
    "phase_at",
    "phases_at",
    "render_application_process",
    "render_challenge_posting",
    "render_contact",
    "render_date",
    "render_days_left",
    "render_edition_over",
    "render_eligibility",
    "render_eligibility_answer",
    "render_eligibility_rules",
    "render_max_total",
    "render_milestone",
    "render_net_both",
    "render_next_deadline",
    "render_no_data",
    "render_other_rounds",
    "render_phase",
    "render_prize_summary",
    "render_programme_overview",
    "render_schedule_table",
    "render_showcase",
    "render_stage",
    "render_still_open",
    "render_team_rules",
    "render_tier_total",
    "render_training_subsidy",
    "render_withholding",
    "roc_to_gregorian",
    "stage_amount",
    "tier_total",
    "time_left",
    "upcoming",
]
