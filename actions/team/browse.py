"""Students browse open challenges and apply in chat (``browse_challenges``, ``apply_challenge``).

- Browsing reads filters from the message — an industry and a technical category (the programme's
  labels plus the aliases of ``form_data.yml``) and keywords (what is left after the stop words of
  ``browse_texts.yml``; English ones as whole words) — and shows one card per matching open
  challenge with an 申請 button (``/apply_challenge{"challenge_ref": …}``), at most
  :data:`MAX_CARDS`. Asked for a
  recommendation, a team member also gets advice from the members' expertise, and the cards
  leave out what the team applied to and put challenges whose data is ready first.
- Applying: leader only, open challenges only (:mod:`db.catalogue`), once per challenge; the
  challenge comes from a reference, a button, or filters that match exactly one challenge,
  otherwise the cards of the matches or ``apply_challenge_form`` ask which. The reply says what
  happens next and where the official application is made (the programme's application steps).
- With nothing open, both say so and point to what the programme document says (the website's
  「解題競賽」 list, this edition's organisations and challenges).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

import knowledge
from actions._forms import lang_of, latest_text, match_choice, user_id_for
from actions._texts import Texts
from actions._words import fold
from actions.answers._cues import cues_in
from actions.challenge.fields import category_choices, industry_choices, shown_choice
from actions.context import turn_session
from db import catalogue
from db import teams as repo
from db.models import Challenge, Membership
from knowledge.render_info import render_fields

_TEXTS = Texts(Path(__file__).with_name("browse_texts.yml"))
say = _TEXTS.say

MAX_CARDS = 5
DESCRIPTION_CHARS = 80
_REFERENCE = re.compile(r"AIGO-\d{3}-\d{4}", re.IGNORECASE)
_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#.-]{2,}|[\u4e00-\u9fff]{2,}")


@dataclass(frozen=True)
class Filters:
    """What a browse or apply message asks for (all empty: everything)."""

    industry: str | None = None
    category: str | None = None
    keywords: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.industry or self.category or self.keywords)

    def describe(self, lang: str, programme: knowledge.Programme) -> str:
        """The filters as the user reads them."""
        industry = self.industry and shown_choice(
            programme, "challenge_industry", self.industry, lang
        )
        category = self.category and shown_choice(
            programme, "challenge_category", self.category, lang
        )
        parts = [part for part in (industry, category, *self.keywords) if part]
        return say(lang, "filter_joiner").join(parts)


def _strip_names(text: str, choices: dict[str, list[str]], found: str | None) -> str:
    for name in sorted(choices.get(found or "", []), key=len, reverse=True):
        text = text.replace(fold(str(name)), " ")
    return text


@cache
def _recommend_words() -> re.Pattern[str]:
    return re.compile("|".join(_TEXTS.data["recommend_words"]), re.IGNORECASE)


@cache
def _synonyms() -> dict[str, tuple[str, ...]]:
    """Each keyword → the words meaning the same (itself included)."""
    found: dict[str, tuple[str, ...]] = {}
    for group in _TEXTS.data["keyword_synonyms"]:
        words = tuple(fold(str(w)) for w in group)
        for word in words:
            found[word] = words
    return found


def filters_from(text: str, programme: knowledge.Programme) -> Filters:
    """Industry, category and keywords of ``text`` (references are not keywords; a request for
    a recommendation, "推薦適合我們的", is not the recommender-system category)."""
    folded = fold(_recommend_words().sub(" ", _REFERENCE.sub(" ", text)))
    industries, categories = industry_choices(programme), category_choices(programme)
    industry, category = match_choice(folded, industries), match_choice(folded, categories)
    rest = _strip_names(_strip_names(folded, industries, industry), categories, category)
    for word in sorted(map(fold, _TEXTS.data["stop_words"]), key=len, reverse=True):
        rest = rest.replace(word, " ")
    english = set(_TEXTS.data["stop_words_en"])
    keywords = tuple(dict.fromkeys(t for t in _TOKEN.findall(rest) if t not in english))
    return Filters(industry, category, keywords)


def select(challenges: list[Challenge], filters: Filters) -> list[Challenge]:
    """The challenges that satisfy every filter (keywords: any one in the challenge's text)."""

    def fits(c: Challenge) -> bool:
        if filters.industry and c.industry != filters.industry:
            return False
        if filters.category and c.category != filters.category:
            return False
        blob = fold(" ".join(filter(None, (c.title, c.description, c.industry, c.category))))
        words = [w for k in filters.keywords for w in _synonyms().get(k, (k,))]
        return not words or any(w in blob for w in words)

    return [c for c in challenges if fits(c)]


def card(c: Challenge, lang: str, programme: knowledge.Programme) -> dict[str, Any]:
    """One challenge as a reply with its 申請 button."""
    description = " ".join(str(c.description or "").split())
    if len(description) > DESCRIPTION_CHARS:
        description = description[:DESCRIPTION_CHARS] + "…"
    text = say(
        lang,
        "card",
        reference=c.reference,
        title=c.title,
        organisation=c.organisation.name,
        industry=shown_choice(programme, "challenge_industry", str(c.industry or "-"), lang),
        category=shown_choice(programme, "challenge_category", str(c.category or "-"), lang),
        description=description,
    )
    payload = "/apply_challenge" + json.dumps({"challenge_ref": c.reference})
    return {
        "text": text,
        "buttons": [
            {"title": say(lang, "button_apply", reference=c.reference), "payload": payload}
        ],
    }


def none_listed(lang: str, programme: knowledge.Programme) -> str:
    """Nothing is open: what the programme document says instead."""
    edition = programme.programme.current_edition
    return say(
        lang,
        "none_listed",
        website=programme.contacts.website,
        organisations=edition.organisations,
        challenges=edition.challenges,
    )


def _data_ready(c: Challenge) -> bool:
    readiness = fold(str(c.data_readiness or ""))
    if re.search(_TEXTS.data["data_not_ready"], readiness):
        return False
    return bool(re.search(_TEXTS.data["data_ready"], readiness))


def recommendation(session: Session, membership: Membership, lang: str) -> str:
    """Advice from the team members' expertise (ai / domain / both); members who have not given
    theirs are counted apart, never listed as a skill (QA #37: 「（未填、AI技術）」)."""
    team = membership.team.name
    members = repo.members(session=session, team_id=membership.team_id)
    kinds = {m.expertise for m in members if m.expertise in ("ai", "domain", "both")}
    unknown = len(members) - sum(1 for m in members if m.expertise in ("ai", "domain", "both"))
    if not kinds:
        return say(lang, "recommend_none_known", team=team)
    has_ai, has_domain = bool(kinds & {"ai", "both"}), bool(kinds & {"domain", "both"})
    key = (
        "recommend_balanced"
        if has_ai and has_domain
        else ("recommend_need_domain" if has_ai else "recommend_need_ai")
    )
    labels: dict[str, str] = _TEXTS.data["en" if lang == "en" else "zh-TW"]["expertise"]
    shown = say(lang, "filter_joiner").join(labels[k] for k in sorted(kinds))
    text = say(lang, "recommend", team=team, kinds=shown, advice=say(lang, key))
    return text + (say(lang, "recommend_unknown", count=unknown) if unknown else "")


def recommended(
    session: Session, membership: Membership, chosen: list[Challenge], lang: str
) -> tuple[list[str], list[Challenge]]:
    """The recommendation's lines and its challenges: those the team already applied to left
    out, those whose data is ready first."""
    applied = {c.id for _, c in repo.applications(session=session, team_id=membership.team_id)}
    left = [c for c in chosen if c.id not in applied]
    lines = [recommendation(session, membership, lang)]
    if applied & {c.id for c in chosen}:
        hidden = len(chosen) - len(left)
        key = "recommend_all_applied" if not left else "recommend_applied_hidden"
        lines.append(say(lang, key, count=hidden, team=membership.team.name))
    ranked = sorted(left, key=lambda c: not _data_ready(c))  # stable: ready ones first
    if ranked and _data_ready(ranked[0]) and not all(map(_data_ready, ranked)):
        lines.append(say(lang, "recommend_ready_first"))
    return lines, ranked


def browse_replies(
    session: Session, text: str, lang: str, user_id: int | None
) -> list[dict[str, Any]]:
    """The replies to a browse request (see the module docstring)."""
    programme = knowledge.load()
    open_ones = catalogue.open_challenges(session=session)
    if not open_ones:
        # "題目有哪些領域" with nothing listed yet: the fields the programme document names.
        if "fields" in cues_in(text):
            return [{"text": render_fields(programme, "en" if lang == "en" else "zh-TW")}]
        return [{"text": none_listed(lang, programme)}]
    filters = filters_from(text, programme)
    chosen = select(open_ones, filters) if filters else open_ones
    described = filters.describe(lang, programme)
    if filters and not chosen:
        head, chosen = say(lang, "none_match", filters=described, count=len(open_ones)), open_ones
    elif filters:
        head = say(lang, "found", filters=described, count=len(chosen))
    else:
        head = say(lang, "listed", count=len(chosen))
    lines = [head]
    membership = repo.membership_of(session=session, user_id=user_id) if user_id else None
    cues = _TEXTS.data["recommend_cues"]
    if membership is not None and any(fold(c) in fold(text) for c in cues):
        advice, chosen = recommended(session, membership, chosen, lang)
        lines += advice
    if len(chosen) > MAX_CARDS:
        lines.append(say(lang, "more", count=len(chosen) - MAX_CARDS))
    cards = [card(c, lang, programme) for c in chosen[:MAX_CARDS]]
    return [{"text": "\n".join(lines)}, *cards]


class ActionBrowseChallenges(Action):
    """``browse_challenges``: the open challenges, filtered, as cards."""

    def name(self) -> str:
        """``action_browse_challenges``."""
        return "action_browse_challenges"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Utter the head line and the cards."""
        with turn_session() as session:
            user = user_id_for(tracker)
            replies = browse_replies(session, latest_text(tracker), lang_of(tracker), user)
        for reply in replies:
            dispatcher.utter_message(text=reply["text"], buttons=reply.get("buttons") or [])
        return []
