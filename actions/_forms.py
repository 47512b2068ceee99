"""What every guided form shares: texts, typed-answer matching, skip, edit and the turn's user.

- :func:`say` renders a line of ``form_texts.yml`` in the user's language (the ``language`` slot).
- :func:`match_choice` maps a typed answer onto a choice id using the aliases in
  ``form_data.yml`` plus the labels the caller passes (from the knowledge data).
- :func:`is_skip` / :func:`is_confirm` recognise "跳過" / "確認" and friends (or a deny / affirm
  intent); :func:`edit_target` reads "修改 email" / "change the title" into a slot name.
- :func:`says_none` recognises "不知道" / "沒有簡報" / "not sure" (an optional field is skipped, a
  required one explained); :func:`name_problem` is the one check that a name or title is not a
  phone number, an e-mail address or digits only.
- :class:`EditableForm` is a ``FormValidationAction`` whose forms accept such edit commands at any
  point: the named slot is emptied and asked next (the engine asks the ``requested_slot`` the
  validator sets), then the form continues where it was. The asked field comes first
  (:func:`actions._asked.classify_reply`: the bot's own commands are commands, questions are
  answered), and a question about the asked field itself is answered from
  :meth:`EditableForm.field_help` (its choices, length or format).
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._asked import SURE, ReplyKind, classify_reply, is_short, reads_as_question
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
            if _contains(wanted, key) and (best is None or len(key) > best[0]):
                best = (len(key), choice_id)
    return best[1] if best else None


def _contains(text: str, key: str) -> bool:
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
    """The slot an edit command names ("修改 email" → ``org_email``), among ``slots``."""
    folded = fold(text)
    verbs = sorted((fold(v) for v in data()["edit_verbs"]), key=len, reverse=True)
    verb = next((v for v in verbs if folded.startswith(v) or folded.startswith("我要" + v)), None)
    if verb is None or len(folded) > 40:
        return None
    rest = folded.split(verb, 1)[1]
    rest = re.sub(r"^(?:一下|the|my|our)\s*", "", rest.strip())
    aliases = {s: data()["field_aliases"].get(s, []) for s in slots}
    return match_choice(rest, aliases) if rest else None


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


def _asks(tracker: Tracker) -> bool:
    """The NLU read the message as a question (``ask_*``) though it does not read as one: an
    invalid answer ("call me" for the phone) is re-asked with the reason, not answered."""
    return str(latest_intent(tracker) or "").startswith("ask_")


# An intent this confident interrupts a form and is answered (the dialogue policy's
# FORM_INTERRUPT_CONFIDENCE); a question placed with less is said to be unplaced.
ANSWERED_MID_FORM = 0.8
# Fields that take a name: a question typed there is never the answer.
NAME_SLOTS = frozenset({"org_name", "org_contact", "person_name", "team_name", "dataset_name"})


class EditableForm(FormValidationAction):
    """A form validator that also understands "修改 <field>" at any step.

    Subclasses list their editable slots in ``editable`` and get ``field_label(slot, lang)``
    right; everything else is rasa_sdk's ``validate_<slot>`` convention. :meth:`after_validation`
    is a hook run on every turn with the validated slot values (drafts are saved there).
    """

    editable: tuple[str, ...] = ()
    optional: frozenset[str] = frozenset()  # fields where "不用了" / "no thanks" means skip

    @abstractmethod
    def name(self) -> str:
        """``validate_<form>`` (abstract, so rasa_sdk does not register this base class)."""

    def field_label(self, slot: str, lang: str) -> str:
        """How ``slot`` is named to the user (default: the slot name)."""
        return slot

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Edit commands first; then the asked field comes first (:meth:`asked_first`); then
        validation as usual, and the hook."""
        edit = self.edit_events(dispatcher, tracker)
        if edit:
            return edit
        refusal = self.refusal_events(dispatcher, tracker)
        if refusal:
            return refusal
        kind, claimed = self.asked_first(tracker)
        if kind == "question":
            explained = self.explain_field(dispatcher, tracker)
            if explained:
                return explained
        if kind != "value":
            return self.not_a_value(dispatcher, tracker, kind)
        said = len(dispatcher.messages)
        events: list[EventType] = await super().run(dispatcher, tracker, domain)
        asked = tracker.get_slot(REQUESTED_SLOT)
        values = dict(tracker.slots)
        values.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
        unsure = says_none(latest_text(tracker))  # "不知道": the field's own reply explains it
        if claimed and values.get(asked) is None and not _asks(tracker) and not unsure:
            del dispatcher.messages[said:]  # not this field's value after all: an interruption
            return [SlotSet(asked, None)]
        changed = {str(e["name"]) for e in events if e.get("event") == "slot"}
        extra = await self.after_validation(dispatcher, tracker, values, changed)
        return [*events, *extra]

    def free_text(self, slot: str) -> bool:
        """True when ``slot`` takes any text (names, titles…): chit-chat is not its value."""
        return slot in NAME_SLOTS

    def field_help(self, slot: str, lang: str) -> str | None:
        """What the field ``slot`` takes (its choices, length, format), said when a question is
        about it ("分類有哪些可以選", "題目敘述要寫多長？"); None: nothing to say (the default)."""
        return None

    def explain_field(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """A question about the asked field (it names the field, or asks for its options, length
        or format: ``field_question_cues``) is answered from :meth:`field_help` and the field asked
        again, however sure the NLU is of another question; else no events."""
        asked, text = tracker.get_slot(REQUESTED_SLOT), fold(latest_text(tracker))
        help_text = self.field_help(str(asked), lang_of(tracker)) if asked else None
        if not help_text:
            return []
        names = [*data()["field_aliases"].get(str(asked), []), *data()["field_question_cues"]]
        if not any(_contains(text, fold(name)) for name in names):
            return []
        dispatcher.utter_message(text=help_text)
        return [SlotSet(asked, None), SlotSet(REQUESTED_SLOT, asked)]

    def asked_first(self, tracker: Tracker) -> tuple[ReplyKind, bool]:
        """What the latest message is for the asked field (:func:`actions._asked.classify_reply`)
        and whether it was claimed here as the value (the NLU's intent had kept the slot mapping
        from taking it: "出勤紀錄" → my_status, "1GB" → goodbye). A claimed value that then fails
        validation is dropped, so the turn is handled as an interruption."""
        asked, text = tracker.get_slot(REQUESTED_SLOT), latest_text(tracker)
        if asked not in self.editable or not text or text.startswith("/"):
            return "value", False
        intent = (tracker.latest_message or {}).get("intent") or {}
        kind = classify_reply(
            text,
            intent.get("name"),
            float(intent.get("confidence") or 0.0),
            free_text=self.free_text(str(asked)),
        )
        if says_none(text) and not reads_as_question(text):  # "不知道" answers (``help`` or not)
            kind = "value"
        if kind != "value" or asked in tracker.slots_to_validate():
            return kind, False
        tracker.add_slots([SlotSet(asked, text)])
        return kind, True

    def not_a_value(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, kind: ReplyKind
    ) -> list[EventType]:
        """Leave a question / command / chit-chat to the rules (the form asks again after them);
        a question the NLU could not place is said so here, and the field asked again."""
        asked = tracker.get_slot(REQUESTED_SLOT)
        intent = (tracker.latest_message or {}).get("intent") or {}
        unsure = float(intent.get("confidence") or 0.0) < ANSWERED_MID_FORM
        if kind == "question" and (latest_intent(tracker) in (None, "nlu_fallback") or unsure):
            dispatcher.utter_message(text=say(lang_of(tracker), "question_not_placed"))
            return [SlotSet(asked, None), SlotSet(REQUESTED_SLOT, asked)]
        return [SlotSet(asked, None)] if asked in tracker.slots_to_validate() else []

    def refusal_events(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """ "不用了" / "no thanks" (a confident ``deny``) to a required field is not its value: say
        how to leave the form and ask the field again; else no events."""
        asked = tracker.get_slot(REQUESTED_SLOT)
        intent = (tracker.latest_message or {}).get("intent") or {}
        if asked not in self.editable or asked in self.optional:
            return []
        if self.optional and is_skip(latest_text(tracker), tracker):
            return []  # a form with optional fields says itself which fields can't be skipped
        if intent.get("name") != "deny" or float(intent.get("confidence") or 0.0) < 0.8:
            return []
        if not is_short(latest_text(tracker)):  # "還沒準備好，預計下月整理完成" is an answer
            return []
        if says_none(latest_text(tracker)):  # "不確定": the field's check explains the field
            return []
        dispatcher.utter_message(text=say(lang_of(tracker), "refusal_hint"))
        return [SlotSet(asked, None), SlotSet(REQUESTED_SLOT, asked)]

    def edit_events(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """For an edit command: say so, empty the field and ask it next; else no events."""
        target = edit_target(latest_text(tracker), self.editable)
        if target is None:
            return []
        lang = lang_of(tracker)
        dispatcher.utter_message(text=say(lang, "edit_field", field=self.field_label(target, lang)))
        events: list[EventType] = []
        asked = tracker.get_slot(REQUESTED_SLOT)
        if asked and asked != target:  # the edit command is not an answer to the asked slot
            events.append(SlotSet(asked, None))
        return [*events, SlotSet(target, None), SlotSet(REQUESTED_SLOT, target)]

    async def after_validation(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        values: dict[str, Any],
        changed: set[str],
    ) -> list[EventType]:
        """Hook with the slot values after this turn's validation (``changed``: the slots this
        turn validated); returns extra events."""
        return []
