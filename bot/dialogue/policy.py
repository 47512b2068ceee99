"""What the bot does with one parsed user message: the dialogue state machine.

The conversation is in one of two phases, and each turn's input falls in one of three kinds; the
``TRANSITIONS`` table below is the whole machine (diagram in ``bot/dialogue/README.md``):

=========  ============  ==================================================================
phase      input         step
=========  ============  ==================================================================
idle       rule          run the intent rule's actions (a form action activates that form)
idle       no_rule       run the ``nlu_fallback`` rule (says what the bot can do)
in_form    fills_slot    validate, ask the next slot, or submit (forms without a custom validator)
in_form    rule          interruption: run the rule (answer, cancel …), then re-ask the same slot
in_form    no_rule       say it was not understood (``utter_form_retry``) and re-ask the slot
in_form    claimed       the form's validator took the message (see below): go on with the form
any        unclear       a state-changing intent guessed below the clear confidence: ask which
                         reading was meant (``action_clarify_intent``), change nothing
any        elsewhere     names another competition (「智慧城市競賽」, "AI CUP"): say it is out of
                         scope (``action_answer_elsewhere``), never start a form or fill a slot
=========  ============  ==================================================================

"fills_slot" means the message filled the form's requested slot through a slot mapping (form
extraction wins over rules, as in Rasa; give ``from_text`` mappings a ``not_intent`` list so
questions and ``cancel`` are not taken as answers). One deliberate difference from Rasa: an intent
guessed with confidence under ``FORM_INTERRUPT_CONFIDENCE`` does not block a ``from_text`` answer,
so "王小明" is taken as a name even if the NLU weakly thinks it is ``help``. A form completing
runs the action rule ``- action: <form>`` / ``- active_loop: null`` (its submit action).

"claimed": as in Rasa, where the active form (and so its ``validate_<form>`` action, with its
custom ``extract_<slot>`` methods) runs before any interruption, every message in a form with a
custom validator is first offered to it, whether a mapping filled the requested slot or not (the
asked field comes first: ``actions._editable.EditableForm`` decides whether the reply is the value).
When the validator returns a ``requested_slot`` event or a value for the requested slot, ends the
form or says something, the form goes on; otherwise (declined) the turn is reclassified without
the slot fill: an interruption (the rule answers, the form asks again) or a retry.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any

from actions._asked import reads_as_question
from actions.confirm import PENDING_SLOT, needs_clarifying
from actions.elsewhere import other_competition, takes_part
from actions.reminder_info import changes_reminders
from bot.dialogue.domain import REQUESTED_SLOT, Domain
from bot.dialogue.rules import Rule, RuleSet
from bot.dialogue.runner import ActionRunner
from bot.dialogue.slots import extract_slots
from bot.dialogue.state import DialogueState

FALLBACK_INTENT = "nlu_fallback"
# While a form asks a slot, an intent below this confidence cannot interrupt a from_text answer.
FORM_INTERRUPT_CONFIDENCE = 0.8
MAX_ACTIONS_PER_TURN = 20
# A change said right after one of these actions' replies is about the reminders.
REMINDER_ACTIONS = frozenset({"action_subscribe_reminders"})
REMINDER_INTENT = "subscribe_reminders"


class Phase(StrEnum):
    """Where the conversation is when a message arrives."""

    IDLE = "idle"
    IN_FORM = "in_form"


class Input(StrEnum):
    """What kind of message arrived, relative to the phase."""

    FILLS_SLOT = "fills_slot"
    RULE = "rule"
    NO_RULE = "no_rule"
    CLAIMED = "claimed"
    UNCLEAR = "unclear"
    ELSEWHERE = "elsewhere"


Step = Callable[["Turn"], Awaitable[None]]


class Turn:
    """One user message being handled; replies accumulate in :attr:`out`."""

    def __init__(
        self, domain: Domain, rules: RuleSet, runner: ActionRunner, state: DialogueState
    ) -> None:
        self.domain, self.rules, self.runner, self.state = domain, rules, runner, state
        self.out: list[dict[str, Any]] = []
        self.rule: Rule | None = None
        self.filled: dict[str, Any] = {}
        self._budget = MAX_ACTIONS_PER_TURN

    @property
    def intent(self) -> str:
        """The intent of the message being handled."""
        return str((self.state.latest_message.get("intent") or {}).get("name") or FALLBACK_INTENT)

    async def handle(self) -> list[dict[str, Any]]:
        """Extract slots, classify the turn, run the step from ``TRANSITIONS``; return replies."""
        if self._names_elsewhere():  # before any slot is filled from the message
            phase = Phase.IN_FORM if self.state.active_loop else Phase.IDLE
            await TRANSITIONS[(phase, Input.ELSEWHERE)](self)
            return self.out
        self._follow_reminders()
        self.filled = extract_slots(
            self.domain,
            self.state.latest_message,
            self.state.active_loop,
            self.state.requested_slot,
        )
        requested = self.state.requested_slot
        if self.state.active_loop and requested and requested not in self.filled:
            confidence = float((self.state.latest_message.get("intent") or {}).get("confidence", 0))
            if confidence < FORM_INTERRUPT_CONFIDENCE:
                relaxed = extract_slots(
                    self.domain,
                    self.state.latest_message,
                    self.state.active_loop,
                    requested,
                    relaxed=True,
                )
                if requested in relaxed:
                    self.filled[requested] = relaxed[requested]
        answers_pending = self._answers_pending()
        if answers_pending:
            self.filled = {}  # 是/否 answers the confirmation just asked, not the form's question
        for name, value in self.filled.items():
            self.state.set_slot(name, value, self.domain)
        phase, kind = self.classify()
        if answers_pending and phase is Phase.IN_FORM:
            self.rule = self.rules.for_intent(self.intent, set(), None, self.state.slots)
            kind = Input.RULE if self.rule else Input.NO_RULE
        elif phase is Phase.IN_FORM and await self.offer_to_form():
            kind = Input.CLAIMED
        elif phase is Phase.IN_FORM and kind is Input.FILLS_SLOT and self._has_validator():
            self.filled.pop(str(self.state.requested_slot), None)  # declined: not the value
            phase, kind = self.classify()
        if kind is Input.RULE and needs_clarifying(self.state.latest_message):
            kind = Input.UNCLEAR
        await TRANSITIONS[(phase, kind)](self)
        return self.out

    def _follow_reminders(self) -> None:
        """Right after a reminders reply, a change naming a round or kind (「改成只要第一梯」,
        "switch to round 2 only") is about the reminders, whatever the NLU guessed."""
        state = self.state
        after = state.active_loop is None and state.latest_action_name in REMINDER_ACTIONS
        if after and changes_reminders(state.latest_message):
            state.latest_message["intent"] = {"name": REMINDER_INTENT, "confidence": 1.0}

    def _names_elsewhere(self) -> bool:
        """The message names another competition; in a form, only when it also asks to take part
        or reads as a question (a team called 「AI CUP 戰隊」 is a name)."""
        text = str(self.state.latest_message.get("text") or "")
        if text.startswith("/") or other_competition(text) is None:
            return False
        return self.state.active_loop is None or takes_part(text) or reads_as_question(text)

    def classify(self) -> tuple[Phase, Input]:
        """Return (phase, input kind) for this message; sets :attr:`rule` when one applies."""
        state = self.state
        entities = {str(e.get("entity")) for e in state.latest_message.get("entities") or []}
        self.rule = self.rules.for_intent(self.intent, entities, state.active_loop, state.slots)
        if state.active_loop is None:
            return Phase.IDLE, Input.RULE if self.rule else Input.NO_RULE
        if state.requested_slot and state.requested_slot in self.filled:
            return Phase.IN_FORM, Input.FILLS_SLOT
        if self.rule and self.intent == FALLBACK_INTENT and self.rule.active_loop is None:
            self.rule = None  # the generic fallback is for idle talk; in a form, re-ask instead
        return Phase.IN_FORM, Input.RULE if self.rule else Input.NO_RULE

    # -- steps -----------------------------------------------------------------------------

    async def run_rule(self) -> None:
        """Run the matched rule's actions (stopping when a form takes over)."""
        assert self.rule is not None
        await self.run_actions(list(self.rule.actions), self.rule)

    async def fallback(self) -> None:
        """No rule for the intent: run the ``nlu_fallback`` rule, else ``utter_default``."""
        self.rule = self.rules.for_intent(FALLBACK_INTENT, set(), None, self.state.slots)
        if self.rule:
            await self.run_rule()
        else:
            self.runner.utter(self.state, self.out, "utter_default")

    async def form_continue(self) -> None:
        """The requested slot was answered: validate, then ask the next slot or submit."""
        assert self.state.active_loop is not None
        await self.form_step(self.state.active_loop, validate=True)

    async def interrupt(self) -> None:
        """A question (or cancel …) in the middle of a form; the form re-asks afterwards."""
        await self.run_rule()
        await self.resume_form()

    async def clarify(self) -> None:
        """A guessed state-changing intent: ask what was meant; a form re-asks afterwards."""
        await self.run_actions(["action_clarify_intent"])
        await self.resume_form()

    async def elsewhere(self) -> None:
        """Another competition: say so (nothing stored, no form started); a form re-asks."""
        await self.run_actions(["action_answer_elsewhere"])
        await self.resume_form()

    async def form_retry(self) -> None:
        """Nothing usable in the message while a form asks: say so, then ask again."""
        self.runner.utter(self.state, self.out, "utter_form_retry")
        await self.resume_form()

    # -- helpers -----------------------------------------------------------------------------

    async def run_actions(self, actions: list[str], rule: Rule | None = None) -> None:
        """Run ``actions`` in order, following ``FollowupAction`` events and action rules."""
        last = None
        while actions and self._budget > 0:
            name = actions.pop(0)
            self._budget -= 1
            last = name
            if name in self.domain.forms:
                if self.state.active_loop == name:
                    await self.form_step(name, validate=False)
                else:
                    await self.activate_form(name)
                return
            result = await self.runner.run(name, self.state, self.out)
            actions = result.followups + actions
        if last and rule is not None and not rule.wait_for_user_input:
            follow = self.rules.after_action(last, self.state.active_loop, self.state.slots)
            if follow:
                await self.run_actions(list(follow.actions), follow)

    async def resume_form(self) -> None:
        """If a form is (still, or newly) active and did not just ask, ask its next slot."""
        form = self.state.active_loop
        if form and self.state.latest_action_name != form:
            await self.form_step(form, validate=False)

    async def activate_form(self, form: str) -> None:
        """Activate ``form``: take slots the activating message already gave, then ask."""
        self.state.apply({"event": "active_loop", "name": form}, self.domain)
        fresh = extract_slots(self.domain, self.state.latest_message, form, None)
        required = set(self.domain.forms[form])
        for name, value in fresh.items():
            if name in required:
                self.state.set_slot(name, value, self.domain)
        await self.form_step(form, validate=bool(required & set(fresh)))

    async def form_step(self, form: str, *, validate: bool) -> None:
        """Validate the latest slot candidates, then ask the next missing slot or complete."""
        requested: Any = ...
        if not validate and self._asking_missing():
            requested = self.state.requested_slot  # re-ask the same slot
        if self.runner.is_custom(f"validate_{form}") and requested is ...:
            requested = await self._validate(form)
            if self.state.active_loop != form:  # the validator ended the form
                return
        await self.form_next(form, requested)

    async def _validate(self, form: str) -> Any:
        """Run ``validate_<form>``; return the ``requested_slot`` it set, else ``...``."""
        requested: Any = ...
        before = len(self.state.new_events)
        await self.runner.run(f"validate_{form}", self.state, self.out)
        for event in self.state.new_events[before:]:
            if event.get("event") == "slot" and event.get("name") == REQUESTED_SLOT:
                requested = event.get("value")
        return requested

    def _answers_pending(self) -> bool:
        """True for 是/否 right after a confirmation question (:mod:`actions.confirm`), also when
        that question was asked in the middle of a form."""
        return self.intent in ("affirm", "deny") and self.state.slots.get(PENDING_SLOT) is not None

    def _has_validator(self) -> bool:
        form = self.state.active_loop
        return form is not None and self.runner.is_custom(f"validate_{form}")

    async def offer_to_form(self) -> bool:
        """Offer the message to the form's validator first (Rasa runs the active form first), with
        the requested slot filled or not. Claimed = it set ``requested_slot``, a value for the
        requested slot, another slot (an edit emptying a field), ended the form, or said something
        (a re-ask reason); the form step is then finished here and :meth:`form_claimed` has
        nothing left to do. Declined (none of these): the message is not the field's value, and
        the turn is an interruption or a retry."""
        form, asked = self.state.active_loop, self.state.requested_slot
        if form is None or not self._has_validator():
            return False
        before, said = len(self.state.new_events), len(self.out)
        requested = await self._validate(form)
        claimed = requested is not ... or self.state.active_loop != form or len(self.out) > said
        for event in self.state.new_events[before:]:
            if event.get("event") == "slot" and event.get("name") != REQUESTED_SLOT:
                claimed = claimed or event.get("name") != asked or event.get("value") is not None
        if claimed and self.state.active_loop == form:
            await self.form_next(form, requested)
        return claimed

    async def form_claimed(self) -> None:
        """The validator took the message in :meth:`offer_to_form`; the form already moved on."""

    async def form_next(self, form: str, requested: Any) -> None:
        """Ask ``requested`` (``...``: the first missing required slot) or complete the form."""
        if requested is ...:
            missing = (s for s in self.domain.forms[form] if self.state.slots.get(s) is None)
            requested = next(missing, None)
        self.state.apply({"event": "action", "name": form}, self.domain)
        if requested is None:
            await self.complete_form(form)
        else:
            self.state.set_slot(REQUESTED_SLOT, requested, self.domain)
            await self.ask(form, str(requested))

    def _asking_missing(self) -> bool:
        slot = self.state.requested_slot
        return slot is not None and self.state.slots.get(slot) is None

    async def complete_form(self, form: str) -> None:
        """Deactivate ``form`` and run its submit rule."""
        self.state.apply({"event": "active_loop", "name": None}, self.domain)
        self.state.set_slot(REQUESTED_SLOT, None, self.domain)
        rule = self.rules.after_action(form, form, self.state.slots)
        if rule:
            await self.run_actions(list(rule.actions), rule)

    async def ask(self, form: str, slot: str) -> None:
        """Ask for ``slot``: ``action_ask_<form>_<slot>``, ``action_ask_<slot>``, or a response;
        prefixed with the form's progress when it has ``utter_progress_<form>``."""
        at = len(self.out)
        for name in (f"action_ask_{form}_{slot}", f"action_ask_{slot}"):
            if self.runner.is_custom(name):
                await self.runner.run(name, self.state, self.out)
                return self.show_progress(form, slot, at)
        for name in (f"utter_ask_{form}_{slot}", f"utter_ask_{slot}"):
            if name in self.domain.responses:
                self.runner.utter(self.state, self.out, name)
                return self.show_progress(form, slot, at)

    def show_progress(self, form: str, slot: str, at: int) -> None:
        """Prefix the question at ``out[at]`` with ``utter_progress_<form>`` ({n}/{total}: the
        slot's place among the required slots, a last ``*_confirm`` slot not counted)."""
        slots = list(self.domain.forms[form])
        if slots and slots[-1].endswith("_confirm"):
            slots.pop()
        name = f"utter_progress_{form}"
        if slot not in slots or at >= len(self.out) or name not in self.domain.responses:
            return
        n, total = str(slots.index(slot) + 1), str(len(slots))
        progress = self.domain.render(name, self.state.slots, n=n, total=total) or {}
        question = self.out[at]
        question["text"] = f"{progress.get('text', '')}{question.get('text', '')}"


TRANSITIONS: dict[tuple[Phase, Input], Step] = {
    (Phase.IDLE, Input.RULE): Turn.run_rule,
    (Phase.IDLE, Input.NO_RULE): Turn.fallback,
    (Phase.IN_FORM, Input.FILLS_SLOT): Turn.form_continue,
    (Phase.IN_FORM, Input.RULE): Turn.interrupt,
    (Phase.IN_FORM, Input.NO_RULE): Turn.form_retry,
    (Phase.IN_FORM, Input.CLAIMED): Turn.form_claimed,
    (Phase.IDLE, Input.UNCLEAR): Turn.clarify,
    (Phase.IN_FORM, Input.UNCLEAR): Turn.clarify,
    (Phase.IDLE, Input.ELSEWHERE): Turn.elsewhere,
    (Phase.IN_FORM, Input.ELSEWHERE): Turn.elsewhere,
}
