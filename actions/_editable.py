"""The form validator every chat form shares: the asked field first, and corrections anywhere.

:class:`EditableForm` is a ``FormValidationAction`` (rasa_sdk's ``validate_<slot>`` convention)
that handles, before any value is validated:

1. corrections (:func:`actions._edits.read_edit`): 「修改 email」 empties that field and asks it
   next; with a value (「修改 聯繫窗口 李經理」「不對，聯繫窗口改成李經理」「其實分類改成
   推薦系統好了」) the value is checked by that field's own ``validate_<slot>`` and stored, the
   change confirmed, and the field that was asked is asked again; 「上一步」/"back" goes to the
   field before;
2. where the form is: 「你好」 or 「剛剛填到哪」 get "welcome back", how far the form is and the
   field asked next (:mod:`actions._form_help`);
3. the asked field comes first (:func:`actions._asked.classify_reply`): the bot's own commands are
   commands, small talk is small talk, questions are answered — about the field itself from
   :meth:`EditableForm.field_help`, about the form from ``form_questions`` — and the field asked
   again; a correction that names no field (「我打錯了」) is never the value;
4. then validation as usual, and :meth:`EditableForm.after_validation` (drafts are saved there).
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import _form_help
from actions._asked import ReplyKind, classify_reply, is_greeting, is_short, reads_as_question
from actions._edits import PREVIOUS, read_edit, sounds_like_correction
from actions._forms import (
    REQUESTED_SLOT,
    SKIPPED,
    contains_word,
    is_skip,
    lang_of,
    latest_intent,
    latest_text,
    say,
    says_none,
)
from actions._words import data, fold

# An intent this confident interrupts a form and is answered (the dialogue policy's
# FORM_INTERRUPT_CONFIDENCE); a question placed with less is said to be unplaced.
ANSWERED_MID_FORM = 0.8
# Fields that take a name: a question typed there is never the answer.
NAME_SLOTS = frozenset({"org_name", "org_contact", "person_name", "team_name", "dataset_name"})


def _asks(tracker: Tracker) -> bool:
    """The NLU read the message as a question (``ask_*``) though it does not read as one: an
    invalid answer ("call me" for the phone) is re-asked with the reason, not answered."""
    return str(latest_intent(tracker) or "").startswith("ask_")


def _ask_again(asked: Any) -> list[EventType]:
    return [SlotSet(asked, None), SlotSet(REQUESTED_SLOT, asked)] if asked else []


def _sent_twice(tracker: Tracker) -> bool:
    """The latest message repeats the one before it (a value sent again after a doubt)."""
    texts = [str(e.get("text") or "") for e in tracker.events if e.get("event") == "user"]
    return len(texts) >= 2 and fold(texts[-1]) == fold(texts[-2])


class EditableForm(FormValidationAction):
    """A form validator that also understands corrections at any step (module docstring).

    Subclasses list their editable slots in ``editable`` (in the form's order) and get
    ``field_label(slot, lang)`` and :meth:`shown` right; everything else is rasa_sdk's
    ``validate_<slot>`` convention.
    """

    editable: tuple[str, ...] = ()
    optional: frozenset[str] = frozenset()  # fields where "不用了" / "no thanks" means skip

    @abstractmethod
    def name(self) -> str:
        """``validate_<form>`` (abstract, so rasa_sdk does not register this base class)."""

    def field_label(self, slot: str, lang: str) -> str:
        """How ``slot`` is named to the user (default: the slot name)."""
        return slot

    def shown(self, slot: str, value: Any, lang: str) -> str:
        """A stored value as the user reads it (default: as stored; skipped: 「（略過）」)."""
        return say(lang, "skipped") if value == SKIPPED else str(value)

    def form(self) -> str:
        """The form's name (``validate_<form>`` without ``validate_``)."""
        return self.name().removeprefix("validate_")

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Corrections, where the form is, the asked field first; then validation and the hook."""
        for early in (self.edit_events, self.where_events):
            handled = await early(dispatcher, tracker, domain)
            if handled:
                return handled
        refusal = self.correction_events(dispatcher, tracker) or self.refusal_events(
            dispatcher, tracker
        )
        if refusal:
            return refusal
        kind, claimed = self.asked_first(tracker)
        if kind == "question":
            explained = self.answer_question(dispatcher, tracker) or self.explain_field(
                dispatcher, tracker
            )
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

    def is_answer(self, slot: str, text: str, tracker: Tracker) -> bool:
        """True when ``text`` is one of the field's own answers, though it reads as a refusal
        (「都沒有」 to the expertise question); the default: never."""
        return False

    def field_help(self, slot: str, lang: str) -> str | None:
        """What the field ``slot`` takes (its choices, length, format), said when a question is
        about it ("分類有哪些可以選", "題目敘述要寫多長？"); None: nothing to say (the default)."""
        return None

    # -- corrections ---------------------------------------------------------------------------

    def shows_changes(self, asked: Any) -> bool:
        """True when asking ``asked`` again shows what changed (a summary): the change is not
        confirmed separately then. Default: never."""
        return False

    def previous(self, asked: Any) -> str | None:
        """The editable field before ``asked`` (the last one after them all), else None."""
        order = list(self.editable)
        if asked in order:
            index = order.index(asked)
            return order[index - 1] if index > 0 else None
        return order[-1] if order else None

    async def edit_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """For an edit request: store a value it gives (:meth:`set_value`), or say so, empty
        the field and ask it next; else no events."""
        edit = read_edit(latest_text(tracker), self.editable)
        if edit is None:
            return []
        lang, asked = lang_of(tracker), tracker.get_slot(REQUESTED_SLOT)
        target = self.previous(asked) if edit.slot == PREVIOUS else edit.slot
        if target is None:
            dispatcher.utter_message(text=say(lang, "back_first"))
            return _ask_again(asked)
        if edit.value is not None:
            return await self.set_value(dispatcher, tracker, domain, target, edit.value)
        label, current = self.field_label(target, lang), tracker.get_slot(target)
        if current is None:
            dispatcher.utter_message(text=say(lang, "edit_field", field=label))
        else:
            key = "back_to" if edit.slot == PREVIOUS else "edit_field_was"
            value = self.shown(target, current, lang)
            dispatcher.utter_message(text=say(lang, key, field=label, value=value))
        events: list[EventType] = []
        if asked and asked != target:  # the edit request is not an answer to the asked slot
            events.append(SlotSet(asked, None))
        return [*events, SlotSet(target, None), SlotSet(REQUESTED_SLOT, target)]

    async def set_value(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        target: str,
        value: str,
    ) -> list[EventType]:
        """「聯繫窗口改成李經理」: check ``value`` with ``validate_<target>``; stored, say what
        changed and ask the field that was asked again; refused (the validator said why), ask
        ``target`` instead."""
        lang, asked = lang_of(tracker), tracker.get_slot(REQUESTED_SLOT)
        validate = getattr(self, f"validate_{target}", None)
        said = len(dispatcher.messages)
        result: dict[str, Any] = (
            await validate(value, dispatcher, tracker, domain) if validate else {target: value}
        )
        events: list[EventType] = [SlotSet(k, v) for k, v in result.items()]
        clear = [SlotSet(asked, None)] if asked and asked != target else []
        stored = result.get(target)
        if stored is None:
            if len(dispatcher.messages) == said:
                label = self.field_label(target, lang)
                dispatcher.utter_message(text=say(lang, "edit_field", field=label))
            return [*clear, *events, SlotSet(target, None), SlotSet(REQUESTED_SLOT, target)]
        if not self.shows_changes(asked):
            label, shown = self.field_label(target, lang), self.shown(target, stored, lang)
            dispatcher.utter_message(text=say(lang, "edit_done", field=label, value=shown))
        values = {**tracker.slots, **result}
        if asked and asked != target:
            values[asked] = None
        resume = [*clear, SlotSet(REQUESTED_SLOT, asked)] if asked and asked != target else []
        extra = await self.after_validation(dispatcher, tracker, values, {target})
        return [*events, *resume, *extra]

    def correction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[EventType]:
        """A correction naming no field (「我打錯了」「等等 不對」) is not the asked field's value:
        ask which field (sent again unchanged, it is taken as the value); else no events."""
        asked, text = tracker.get_slot(REQUESTED_SLOT), latest_text(tracker)
        if asked not in self.editable or not sounds_like_correction(text) or _sent_twice(tracker):
            return []
        label = self.field_label(str(asked), lang_of(tracker))
        dispatcher.utter_message(text=say(lang_of(tracker), "correction_which_field", field=label))
        return _ask_again(asked)

    # -- where the form is, questions ----------------------------------------------------------

    async def where_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """「你好」 / 「剛剛填到哪」 in the middle of the form: welcome back, how far it is and
        the field asked next (asked again); else no events."""
        asked, text = tracker.get_slot(REQUESTED_SLOT), latest_text(tracker)
        if not asked or text.startswith("/"):
            return []
        if not (is_greeting(text) or _form_help.asks_where(text)):
            return []
        lang = lang_of(tracker)
        done = sum(1 for s in self.editable if s != asked and tracker.get_slot(s) is not None)
        label, before = self.asked_label(str(asked), lang), self.previous(asked)
        example = self.field_label(before, lang) if before else label
        text = _form_help.where_text(lang, self.form(), label, done, len(self.editable), example)
        dispatcher.utter_message(text=text)
        return _ask_again(asked)

    def asked_label(self, asked: str, lang: str) -> str:
        """The asked field's name; the last confirmation step is named by its button."""
        return (
            self.field_label(asked, lang) if asked in self.editable else say(lang, "confirm_button")
        )

    def answer_question(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[EventType]:
        """A question this form answers itself (``form_questions``: what to submit, no dataset,
        what the document does not say), whatever intent the NLU guessed; else no events."""
        asked, text = tracker.get_slot(REQUESTED_SLOT), latest_text(tracker)
        topic = _form_help.form_question(text, self.form())
        if topic is None or not asked:
            return []
        lang = lang_of(tracker)
        label = self.asked_label(str(asked), lang)
        dispatcher.utter_message(text=_form_help.answer(topic, lang, label))
        return _ask_again(asked)

    def explain_field(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """A question about the asked field (it names the field, or asks for its options, length
        or format: ``field_question_cues``) is answered from :meth:`field_help` and the field asked
        again, however sure the NLU is of another question; else no events."""
        asked, text = tracker.get_slot(REQUESTED_SLOT), fold(latest_text(tracker))
        help_text = self.field_help(str(asked), lang_of(tracker)) if asked else None
        if not help_text:
            return []
        names = [*data()["field_aliases"].get(str(asked), []), *data()["field_question_cues"]]
        if not any(contains_word(text, fold(name)) for name in names):
            return []
        dispatcher.utter_message(text=help_text)
        return _ask_again(asked)

    # -- the asked field first -----------------------------------------------------------------

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
            return _ask_again(asked)
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
        if self.is_answer(str(asked), latest_text(tracker), tracker):  # 「都沒有」: an answer
            return []
        dispatcher.utter_message(text=say(lang_of(tracker), "refusal_hint"))
        return _ask_again(asked)

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


__all__ = ["ANSWERED_MID_FORM", "NAME_SLOTS", "EditableForm"]
