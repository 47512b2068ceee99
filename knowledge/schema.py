"""Typed model of ``programme.yml`` (pydantic v2, unknown keys rejected).

Structure only; cross-references (rounds, milestone ids, prize arithmetic) are checked by
:mod:`knowledge.loader`, which also resolves every date once so queries stay cheap.
Figures carry the seed quote they come from in ``source`` / ``*_source`` fields.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from knowledge.dates import DateSpec, ResolvedDate, roc_to_gregorian

Lang = Literal["zh-TW", "en"]
LANGS: tuple[Lang, ...] = ("zh-TW", "en")
StageId = Literal["shortlist", "solution_grant", "proof"]
TierId = Literal["outstanding", "excellent", "merit"]
Nationality = Literal["ROC", "foreign"]
MilestoneKind = Literal["event", "period", "deadline"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(_Model):
    """A text in both languages."""

    zh_TW: str = Field(alias="zh-TW")
    en: str

    def get(self, lang: Lang) -> str:
        """Return the text in ``lang`` (``zh-TW`` or ``en``)."""
        return self.zh_TW if lang == "zh-TW" else self.en


class TextList(_Model):
    """A list of texts in both languages."""

    zh_TW: list[str] = Field(alias="zh-TW")
    en: list[str]

    def get(self, lang: Lang) -> list[str]:
        """Return the list in ``lang``."""
        return self.zh_TW if lang == "zh-TW" else self.en


class SourcedText(Text):
    source: str


class SourcedTextList(TextList):
    source: str


class ItemList(_Model):
    items: list[Text]
    open_ended: bool = False
    source: str


class Organiser(_Model):
    name: Text
    source: str


class CurrentEdition(_Model):
    number: int
    organisations: int
    challenges: int
    source: str


class ProgrammeInfo(_Model):
    name: Text
    organiser: Organiser
    background: SourcedText
    purpose: SourcedText
    mechanism: SourcedText
    benefits: SourcedTextList
    current_edition: CurrentEdition
    industries: ItemList
    technical_fields: ItemList


class PastIndustry(_Model):
    name: Text
    examples: TextList


class ShowcaseProblem(_Model):
    slices_min: int
    slices_max: int
    slices_source: str
    nodule_min_cm: float
    nodule_source: str


class ShowcaseMethod(_Model):
    classification_accuracy_pct: float
    classification_source: str
    xy_accuracy_pct: float
    z_accuracy_pct: float
    position_source: str


class ShowcaseResults(_Model):
    patients: int
    doctor_minutes: int
    ai_minutes: float
    speedup: int
    timing_source: str
    marking_accuracy_min_pct: float
    marking_accuracy_max_pct: float
    marking_source: str


class ShowcaseFollowUp(_Model):
    partners: list[str]
    partners_source: str
    pacs_market_share_pct: int
    pacs_source: str


class Showcase(_Model):
    title: Text
    title_source: str
    organisation: Text
    organisation_source: str
    team: Text
    team_source: str
    award: TierId
    award_source: str
    problem: ShowcaseProblem
    method: ShowcaseMethod
    results: ShowcaseResults
    follow_up: ShowcaseFollowUp


class PreviousEdition(_Model):
    roc_year: int
    number: int
    source: str
    teams: int
    shortlisted_ideas: int
    teams_source: str
    participants: int
    participants_unit: Text
    participants_source: str
    solutions: int
    solutions_source: str
    industry_count: int
    industries_source: str
    industries: list[PastIndustry]
    showcase: Showcase


class Rule(_Model):
    """One stated rule; ``text`` is what replies quote."""

    id: str
    source: str
    text: Text


class EligibilityRule(Rule):
    id: Literal["age", "nationality", "expertise", "team"]
    min_age: int | None = None
    required: Nationality | None = None
    in_principle: bool = False


class Eligibility(_Model):
    source: str
    rules: list[EligibilityRule]

    def rule(self, rule_id: str) -> EligibilityRule:
        """Return the rule with ``rule_id``; raises KeyError if absent."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


class TeamRules(_Model):
    max_teams_per_person: int
    source: str
    rules: list[Rule]


class ApplicationSteps(_Model):
    source: str
    steps: list[Rule]


class Tranche(_Model):
    id: str
    amount: int
    source: str
    text: Text


class Tier(_Model):
    id: TierId
    name: Text
    amount: int
    source: str


class Stage(_Model):
    id: StageId
    name: Text
    source: str
    amount: int | None = None
    amount_min: int | None = None
    amount_max: int | None = None
    payment: Text | None = None
    payment_source: str | None = None
    receipts_required: bool = False
    receipts_source: str | None = None
    tranches: list[Tranche] = []
    tiers: list[Tier] = []
    about: SourcedText | None = None  # what the stage is, in the seed's own words and context


class Withholding(_Model):
    source: str
    ROC: int = Field(ge=0, le=100)
    foreign: int = Field(ge=0, le=100)

    def percent(self, nationality: Nationality) -> int:
        """Withholding rate in percent for ``nationality``."""
        return self.ROC if nationality == "ROC" else self.foreign


class Prizes(_Model):
    source: str
    max_per_team_per_challenge: int
    max_source: str
    total_pool_min: int
    pool_source: str
    unlimited_winners: bool
    winners_source: str
    adjustable: bool
    adjustable_source: str
    withholding: Withholding
    stages: list[Stage]


class TrainingSubsidy(_Model):
    max_per_person_per_year: int
    source: str
    text: Text
    rules_document: str
    rules_document_source: str


class FieldDef(_Model):
    id: str
    zh_TW: str = Field(alias="zh-TW")
    en: str
    example: str

    def label(self, lang: Lang) -> str:
        """The field's label in ``lang``."""
        return self.zh_TW if lang == "zh-TW" else self.en


class FieldGroup(_Model):
    source: str
    fields: list[FieldDef] = []
    items: list[FieldDef] = []


class ChallengePosting(_Model):
    max_per_organisation: int
    source: str
    organisation_fields: FieldGroup
    challenge_fields: FieldGroup
    dataset_fields: FieldGroup
    categories: FieldGroup
    delivery_methods: FieldGroup


class Round(_Model):
    id: str
    roc_year: int
    source: str
    name: Text

    @property
    def year(self) -> int:
        """Gregorian year of the round (108 → 2019)."""
        return roc_to_gregorian(self.roc_year)


class Milestone(_Model):
    id: str
    kind: MilestoneKind
    stage: Literal["idea", "proof"]
    name: Text
    aliases: TextList
    source: str
    dates: dict[str, DateSpec]
    about: SourcedText | None = None  # what it is, in the seed's own words and context


class Schedule(_Model):
    source: str
    note: SourcedText
    noon_cutoff_source: str
    tentative_mark_source: str
    milestones: list[Milestone]


class Contacts(_Model):
    email: str
    email_source: str
    phone: str
    phone_extension: str
    phone_source: str
    website: str
    website_source: str
    facebook: str
    facebook_source: str


class Programme(_Model):
    """The whole knowledge file. Look-ups raise ``KeyError`` for unknown ids."""

    version: int
    programme: ProgrammeInfo
    previous_edition: PreviousEdition
    eligibility: Eligibility
    team_rules: TeamRules
    application_steps: ApplicationSteps
    prizes: Prizes
    training_subsidy: TrainingSubsidy
    challenge_posting: ChallengePosting
    rounds: list[Round]
    schedule: Schedule
    contacts: Contacts
    _resolved: dict[tuple[str, str], ResolvedDate] = PrivateAttr(default_factory=dict)

    def round(self, round_id: str) -> Round:
        """Return the round ``round_id`` (e.g. ``"108-2"``)."""
        for rnd in self.rounds:
            if rnd.id == round_id:
                return rnd
        raise KeyError(round_id)

    def milestone(self, milestone_id: str) -> Milestone:
        """Return the milestone ``milestone_id`` (e.g. ``"idea_deadline"``)."""
        for milestone in self.schedule.milestones:
            if milestone.id == milestone_id:
                return milestone
        raise KeyError(milestone_id)

    def stage(self, stage_id: str) -> Stage:
        """Return the prize stage ``stage_id``."""
        for stage in self.prizes.stages:
            if stage.id == stage_id:
                return stage
        raise KeyError(stage_id)

    def tier(self, tier_id: str) -> Tier:
        """Return the proof-stage award tier ``tier_id``."""
        for tier in self.stage("proof").tiers:
            if tier.id == tier_id:
                return tier
        raise KeyError(tier_id)

    def date(self, milestone_id: str, round_id: str) -> ResolvedDate:
        """Return the resolved date of ``milestone_id`` in ``round_id`` (set by the loader)."""
        key = (round_id, milestone_id)
        if key not in self._resolved:
            self.round(round_id)
            self.milestone(milestone_id)
            raise KeyError(key)
        return self._resolved[key]
