"""Loading the Rasa domain and rules, response variations, rule choice, slot mappings."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.dialogue import DomainError, load_domain, load_rules
from bot.dialogue.domain import parse_domain
from bot.dialogue.rules import parse_rule
from bot.dialogue.slots import extract_slots
from bot.services import DOMAIN_PATH, RULES_PATH

DATA = Path(__file__).parent / "data"
ARCHITECTURE_INTENTS = {
    "greet", "goodbye", "thank", "affirm", "deny", "help", "cancel", "ask_programme",
    "ask_eligibility", "ask_team_rules", "ask_application_process", "ask_bonus", "ask_schedule",
    "ask_training_subsidy", "ask_challenge_posting", "ask_contact", "post_challenge",
    "register_team", "join_team", "subscribe_reminders", "unsubscribe_reminders", "my_status",
    "out_of_scope", "nlu_fallback",
}  # fmt: skip


def test_project_domain_declares_every_intent_and_every_rule_intent() -> None:
    domain = load_domain(DOMAIN_PATH)
    rules = load_rules(RULES_PATH)
    assert domain.intents >= ARCHITECTURE_INTENTS
    assert rules.intents() <= domain.intents
    for rule in rules.rules:
        for action in rule.actions:
            known = domain.responses.keys() | domain.actions | domain.forms.keys()
            assert action in known, action


def test_every_response_has_zh_default_and_english_variation() -> None:
    domain = load_domain(DOMAIN_PATH)
    for name in domain.responses:
        zh = domain.render(name, {"language": "zh-TW"}, limit="2000")
        en = domain.render(name, {"language": "en"}, limit="2000")
        assert zh and en and zh["text"] != en["text"], name
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh["text"]), name


def test_render_fills_slots_and_kwargs() -> None:
    domain = load_domain(DATA / "form_domain.yml")
    assert domain.render("utter_submitted", {"full_name": "王小明"}) == {"text": "已送出，王小明！"}
    assert domain.render("utter_nope", {}) is None


def test_more_specific_rule_wins() -> None:
    rules = load_rules(DATA / "form_rules.yml")
    assert rules.for_intent("greet", set(), None, {}) is not None
    submit = rules.after_action("signup_form", "signup_form", {})
    assert submit is not None and submit.actions == ("action_submit_signup",)
    assert rules.after_action("signup_form", None, {}) is None


def test_malformed_files_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "domain.yml"
    bad.write_text("slots: {x: {mappings: []}}", encoding="utf-8")
    with pytest.raises(DomainError, match=r"domain.yml: slot 'x' needs a 'type'"):
        load_domain(bad)
    with pytest.raises(DomainError, match=r"rules.yml: rule 'r': a rule must start"):
        parse_rule({"rule": "r", "steps": [{"slot_was_set": []}]}, Path("rules.yml"))
    with pytest.raises(DomainError, match="undeclared slots"):
        parse_domain({"forms": {"f": {"required_slots": ["nope"]}}}, Path("d.yml"))


def test_slot_mappings_follow_conditions_and_intent_filters() -> None:
    domain = load_domain(DATA / "form_domain.yml")
    text = {"text": "王小明", "intent": {"name": "greet"}, "entities": []}
    assert extract_slots(domain, text, None, None) == {}
    assert extract_slots(domain, text, "signup_form", "full_name") == {"full_name": "王小明"}
    cancel = {"text": "取消", "intent": {"name": "cancel"}, "entities": []}
    assert extract_slots(domain, cancel, "signup_form", "full_name") == {}
    email = {"text": "a@b.co", "intent": {"name": "greet"}, "entities": [
        {"entity": "email", "value": "a@b.co"}]}  # fmt: skip
    assert extract_slots(domain, email, "signup_form", "full_name") == {
        "full_name": "a@b.co",
        "email": "a@b.co",
    }
    lang = {"text": "English please", "intent": {"name": "nlu_fallback"}, "entities": [
        {"entity": "language", "value": "en"}]}  # fmt: skip
    assert extract_slots(domain, lang, None, None) == {"language": "en"}
