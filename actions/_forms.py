"""What every guided form shares: texts, typed-answer matching, skip, edit and the turn's user.

- :func:`say` renders a line of ``form_texts.yml`` in the user's language (the ``language`` slot).
- :func:`match_choice` maps a typed answer onto a choice id using the aliases in
  ``form_data.yml`` plus the labels the caller passes (from the knowledge data).
- :func:`is_skip` / :func:`is_confirm` recognise "跳過" / "確認" and friends (or a deny / affirm
  intent); :func:`edit_target` reads "修改 email" / "change the title" into a slot name.
- :func:`says_none` recognises "不知道" / "沒有簡報" / "not sure" (an optional field is skipped, a
  required one explained); :func:`name_problem` is the one check that a name or title is not a
  phone number, an e-mail address or digits only.
- :func:`drop_form_buttons`: buttons that would start the form already under way are left out
  of answers given inside it (「最多可以出幾題」 in the challenge form has no 「我要出題」).

The form validator every chat form shares is :class:`actions._editable.EditableForm`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions._asked import SURE
from actions._edits import PREVIOUS, read_edit
from actions._words import data, fold
from actions.contact import email_address, phone_e164
from actions.context import sender_key, turn_session
from db.users import get_or_create_user_for_sender
from knowledge import Lang

HERE = Path(__file__).resolve().parent
SKIPPED = "-"
REQUESTED_SLOT = "requested_slot"
Buttons = list[dict[str, str]]


@cache
def _texts() -> dict[str, dict[str, str]]:
    loaded: dict[str, dict[str, str]] = yaml.load(
        (HERE / "form_texts.yml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader
    )
    return loaded


def lang_of(tracker: Tracker) -> Lang:
    """The reply language (``zh-TW`` unless the ``language`` slot says ``en``)."""
    return "en" if tracker.get_slot("language") == "en" else "zh-TW"


def say(lang: str, key: str, **values: Any) -> str:
    """The text ``key`` in ``lang`` with ``values`` filled in."""
    return _texts()[lang][key].format(**values)


def utter_web_page(
    dispatcher: CollectingDispatcher, lang: str, *, purpose: str, intro: str, title: str
) -> None:
    """A reply asking for a signed link to the web page ``purpose`` (made by ``bot.web.links``):
    the text ``intro`` and, as the link's label, the text ``title``."""
    page = {"type": "web_page", "purpose": purpose, "title": say(lang, title)}
    dispatcher.utter_message(text=say(lang, intro), json_message=page)


def match_choice(answer: str, choices: Mapping[str, Iterable[str]]) -> str | None:
    """The id whose names (aliases, labels) equal the answer, else the one whose longest name
    the answer contains; None when nothing matches."""
    wanted = fold(answer)
    best: tuple[int, str] | None = None
    for choice_id, names in choices.items():
        for name in names:
            key = fold(str(name))
            if not key:
                continue
            if key == wanted:
                return choice_id
            if contains_word(wanted, key) and (best is None or len(key) > best[0]):
                best = (len(key), choice_id)
    return best[1] if best else None


def contains_word(text: str, key: str) -> bool:
    """``key`` occurs in ``text``; ASCII words only as whole words ("ai" is not in "domain")."""
    if key.isascii():
        return re.search(rf"(?<![a-z0-9]){re.escape(key)}(?![a-z0-9])", text) is not None
    return key in text


def latest_text(tracker: Tracker) -> str:
    """The latest user message text (empty for none)."""
    return str((tracker.latest_message or {}).get("text") or "").strip()


def latest_intent(tracker: Tracker) -> str | None:
    """The latest message's intent name."""
    name = (tracker.latest_message or {}).get("intent", {}).get("name")
    return str(name) if name else None


def is_skip(value: Any, tracker: Tracker) -> bool:
    """True for "跳過" / "skip" … or a ``deny`` button press."""
    text = fold(str(value or ""))
    words = {fold(w) for w in data()["skip_words"]}
    return text in words or latest_text(tracker) == "/deny"


def says_none(value: Any) -> bool:
    """ "不知道" / "not sure" / "沒有簡報" / "目前沒有": the person has no answer (yet). An optional
    field is skipped; a required one explains itself (``unknown_words`` and ``none_prefixes``)."""
    text = fold(str(value or "")).strip(" .!！。~～")
    if text in {fold(w) for w in data()["unknown_words"]}:
        return True
    for prefix in sorted((fold(p) for p in data()["none_prefixes"]), key=len, reverse=True):
        rest = text.removeprefix(prefix)
        if rest != text:
            return len(rest) <= 4 and not re.search(r"[\d,，、的但可會]", rest)
    return False


def name_problem(value: Any) -> str | None:
    """Why ``value`` cannot be a name or title (a ``form_texts.yml`` key): it is a phone number
    (``looks_like_phone``), an e-mail address (``looks_like_email``) or has no letters at all
    (``no_letters``); None when it may be one. The one check of every name-like field."""
    text = str(value or "").strip()
    if email_address(text) is not None:
        return "looks_like_email"
    if phone_e164(text) is not None:
        return "looks_like_phone"
    if not any(ch.isalpha() for ch in text):
        return "no_letters"
    return None


def is_confirm(value: Any, tracker: Tracker) -> bool:
    """True for "確認" / "yes" … or an ``affirm`` intent the NLU is sure of (:data:`SURE`)."""
    text = fold(str(value or "")).rstrip("!！。.")
    words = {fold(w) for w in data()["confirm_words"]}
    if text in words:
        return True
    intent = (tracker.latest_message or {}).get("intent") or {}  # "好像有點問題" (affirm 0.82): no
    return intent.get("name") == "affirm" and float(intent.get("confidence") or 0.0) >= SURE


def edit_target(text: str, slots: Iterable[str]) -> str | None:
    """The slot an edit request names ("修改 email" → ``org_email``, 「電話打錯了」 →
    ``org_phone``), among ``slots`` (:func:`actions._edits.read_edit`)."""
    edit = read_edit(text, slots)
    return None if edit is None or edit.slot == PREVIOUS else edit.slot


def busy_elsewhere(
    dispatcher: CollectingDispatcher, tracker: Tracker, forms: Iterable[str]
) -> bool:
    """Another form than ``forms`` is under way ("我要出題" while registering a team): say to
    finish it or cancel it first and return True (that form then asks its question again)."""
    active = tracker.active_loop_name
    if active is None or active in set(forms):
        return False
    dispatcher.utter_message(text=say(lang_of(tracker), "other_form_active"))
    return True


def user_id_for(tracker: Tracker) -> int:
    """The database user of this conversation (created on first use)."""
    with turn_session() as session:
        return get_or_create_user_for_sender(session=session, sender_key=sender_key(tracker)).id


def skip_button(lang: str) -> Buttons:
    """The one "skip" button (a ``/deny`` press)."""
    return [{"title": say(lang, "skip_button"), "payload": "/deny"}]


# An answer given inside a form leaves out the button that would start that same form.
_STARTS = {"post_challenge_form": "/post_challenge", "register_team_form": "/register_team",
           "join_team_form": "/join_team"}  # fmt: skip


def drop_form_buttons(buttons: list[dict[str, Any]], active_loop: str | None) -> list[Any]:
    """``buttons`` without the one that starts ``active_loop`` (the form under way)."""
    start = _STARTS.get(str(active_loop))
    return [b for b in buttons if start is None or not str(b.get("payload", "")).startswith(start)]
