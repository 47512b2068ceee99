"""What a form says itself in the middle of a field (QA wave 6, items 17 and 31).

- :func:`asks_where`: 「剛剛填到哪」"where were we" (``where_cues``).
- :func:`where_text`: "welcome back: we are filling in …, item n of N, next 「field」".
- :func:`form_question`: a question the form answers itself (``form_questions`` in
  ``form_data.yml``): what to submit (the document's list of the challenge fields), a challenge
  without a dataset (the document names both 「企業資料集完整」 and 「尚無有效資料」), and what the
  document does not say (de-identification, English): said so, with the office's contact.

Everything stated comes from the programme document (``knowledge``); the wording is in
``form_texts.yml``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import knowledge
from actions._hant import to_traditional
from actions._texts import Texts
from actions._words import data

say = Texts(Path(__file__).with_name("form_texts.yml")).say


def _normal(text: str) -> str:
    return to_traditional(unicodedata.normalize("NFKC", text))


@cache
def _compiled(key: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in data()[key])


def asks_where(text: str) -> bool:
    """「剛剛填到哪」「還剩幾題」"where were we": where the form is."""
    normal = _normal(text)
    return any(p.search(normal) for p in _compiled("where_cues"))


def where_text(lang: str, form: str, field: str, done: int, total: int, example: str) -> str:
    """Welcome back, the form, how far it is, the field asked next and how to change an earlier
    one (``example``: a field's name)."""
    name = say(lang, f"form_name_{form}")
    values = {"form": name, "field": field, "done": done, "total": total, "example": example}
    return say(lang, "welcome_back", **values)


def form_question(text: str, form: str) -> str | None:
    """The ``form_questions`` topic ``text`` asks about inside ``form``, else None."""
    normal = _normal(text)
    for topic, spec in data()["form_questions"].items():
        if form not in spec["forms"]:
            continue
        if any(re.search(p, normal, re.IGNORECASE) for p in spec["cues"]):
            return str(topic)
    return None


def answer(topic: str, lang: str, field: str) -> str:
    """The answer to a ``form_questions`` topic (``field``: the label of the field asked now)."""
    programme = knowledge.load()
    c = programme.contacts
    contact = {"email": c.email, "phone": c.phone, "ext": c.phone_extension}
    language: knowledge.Lang = "en" if lang == "en" else "zh-TW"
    if topic == "what_to_submit":
        listing = knowledge.render_challenge_posting(programme, language)
        return "\n".join([listing, say(lang, "faq_what_to_submit_now", field=field)])
    if topic == "no_dataset":
        return say(lang, "faq_no_dataset", **contact)
    what = say(lang, f"faq_what_{topic}")
    return say(lang, "faq_no_data", what=what, **contact)


__all__ = ["answer", "asks_where", "form_question", "where_text"]
