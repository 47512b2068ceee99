"""Students browse open challenges and apply in chat (``browse_challenges``, ``apply_challenge``).

- Browsing reads filters from the message — an industry and a technical category (the programme's
  labels plus the aliases of ``form_data.yml``) and keywords (what is left after the stop words of
  ``browse_texts.yml``; English ones as whole words) — and shows one card per matching open
  challenge with an 申請 button (``/apply_challenge{"challenge_ref": …}``), at most
  :data:`MAX_CARDS`. Asked for a
  recommendation, a team member also gets advice from the members' expertise.
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
from actions.challenge.fields import category_choices, industry_choices, shown_choice
from actions.context import turn_session
from db import catalogue
from db import teams as repo
from db.models import Challenge, Membership

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


def recommendation(session: Session, membership: Membership, lang: str) -> str:
    """Advice from the team members' expertise (ai / domain / both)."""
    members = repo.members(session=session, team_id=membership.team_id)
    kinds = {m.expertise for m in members}
    has_ai, has_domain = bool(kinds & {"ai", "both"}), bool(kinds & {"domain", "both"})
    key = (
        "recommend_balanced"
        if has_ai and has_domain
        else ("recommend_need_domain" if has_ai else "recommend_need_ai")
    )
    labels: dict[str, str] = _TEXTS.data["en" if lang == "en" else "zh-TW"]["expertise"]
    kinds_of = sorted({str(m.expertise or "-") for m in members})
    shown = say(lang, "filter_joiner").join(labels.get(k, k) for k in kinds_of)
    return say(lang, "recommend", team=membership.team.name, kinds=shown, advice=say(lang, key))


def browse_replies(
    session: Session, text: str, lang: str, user_id: int | None
) -> list[dict[str, Any]]:
    """The replies to a browse request (see the module docstring)."""
    programme = knowledge.load()
    open_ones = catalogue.open_challenges(session=session)
    if not open_ones:
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
        lines.append(recommendation(session, membership, lang))
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
