"""Reply texts for the programme's static facts (contact, rules, subsidy, posting, overview)."""

from __future__ import annotations

from knowledge._format import t
from knowledge.schema import FieldDef, Lang, Programme, Rule


def _numbered(lang: Lang, texts: list[str]) -> str:
    fmt = str(t(lang, "numbered"))
    return "\n".join(fmt.format(n=i, text=text) for i, text in enumerate(texts, start=1))


def _labels(lang: Lang, fields: list[FieldDef]) -> str:
    return str(t(lang, "list_sep")).join(f.label(lang) for f in fields)


def _rules(lang: Lang, rules: list[Rule]) -> str:
    return _numbered(lang, [rule.text.get(lang) for rule in rules])


def render_contact(programme: Programme, lang: Lang) -> str:
    """The programme office's email, phone with extension, website and Facebook page."""
    c = programme.contacts
    return str(t(lang, "contact")).format(
        email=c.email, phone=c.phone, ext=c.phone_extension, website=c.website, facebook=c.facebook
    )


def render_training_subsidy(programme: Programme, lang: Lang) -> str:
    """The course subsidy rule (up to 3萬元 / NT$30,000 per person per year) and its document."""
    sub = programme.training_subsidy
    return str(t(lang, "training_subsidy")).format(
        text=sub.text.get(lang).strip(), document=sub.rules_document
    )


def render_team_rules(programme: Programme, lang: Lang) -> str:
    """The team rules as a numbered list."""
    return str(t(lang, "team_rules")).format(rules=_rules(lang, programme.team_rules.rules))


def render_application_process(programme: Programme, lang: Lang) -> str:
    """The application steps (register, form a team, find a challenge, apply) as a list."""
    steps = _rules(lang, programme.application_steps.steps)
    return str(t(lang, "application_process")).format(steps=steps)


def render_challenge_posting(programme: Programme, lang: Lang) -> str:
    """How organisations post challenges: the limit and the fields to provide."""
    cp = programme.challenge_posting
    return str(t(lang, "challenge_posting")).format(
        max=cp.max_per_organisation,
        challenge_fields=_labels(lang, cp.challenge_fields.fields),
        dataset_fields=_labels(lang, cp.dataset_fields.fields),
        organisation_fields=_labels(lang, cp.organisation_fields.fields),
    )


def render_programme_overview(programme: Programme, lang: Lang) -> str:
    """What AIGO is, who runs it, the current edition and last year's results."""
    info, prev = programme.programme, programme.previous_edition
    sep = str(t(lang, "list_sep"))
    return str(t(lang, "programme_overview")).format(
        name=info.name.get(lang),
        organiser=info.organiser.name.get(lang),
        purpose=info.purpose.get(lang).strip(),
        organisations=info.current_edition.organisations,
        challenges=info.current_edition.challenges,
        industries=sep.join(i.get(lang) for i in info.industries.items),
        fields=sep.join(i.get(lang) for i in info.technical_fields.items),
        teams=prev.teams,
        ideas=prev.shortlisted_ideas,
        participants=prev.participants,
        solutions=prev.solutions,
    )


def render_showcase(programme: Programme, lang: Lang) -> str:
    """The 107 lung-nodule CT showcase with its stated figures."""
    s = programme.previous_edition.showcase
    return str(t(lang, "showcase")).format(
        award=programme.tier(s.award).name.get(lang),
        title=s.title.get(lang),
        organisation=s.organisation.get(lang),
        team=s.team.get(lang),
        cls=f"{s.method.classification_accuracy_pct:g}",
        xy=f"{s.method.xy_accuracy_pct:g}",
        z=f"{s.method.z_accuracy_pct:g}",
        patients=s.results.patients,
        doctor=s.results.doctor_minutes,
        ai=f"{s.results.ai_minutes:g}",
        speedup=s.results.speedup,
        mark_min=f"{s.results.marking_accuracy_min_pct:g}",
        mark_max=f"{s.results.marking_accuracy_max_pct:g}",
    )


def render_past_results(programme: Programme, lang: Lang) -> str:
    """Last year's (107, the 1st edition's) figures, teams first ("第一屆有幾隊")."""
    prev = programme.previous_edition
    return str(t(lang, "answers.past_results")).format(
        teams=prev.teams,
        ideas=prev.shortlisted_ideas,
        participants=prev.participants,
        solutions=prev.solutions,
    )


def render_fields(programme: Programme, lang: Lang) -> str:
    """The industries and technical fields of this edition's challenges ("題目有哪些領域")."""
    info, sep = programme.programme, str(t(lang, "list_sep"))
    return str(t(lang, "answers.fields")).format(
        industries=sep.join(i.get(lang) for i in info.industries.items),
        fields=sep.join(i.get(lang) for i in info.technical_fields.items),
        organisations=info.current_edition.organisations,
        challenges=info.current_edition.challenges,
    )
