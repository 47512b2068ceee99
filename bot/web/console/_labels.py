"""How the console names intents, forms and form fields (``labels.yml``; fields of the guided
forms are named by the forms themselves, as the chat names them). Unknown names are shown as
they are, so a new intent never breaks a page."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from actions._editable import EditableForm
from actions.challenge.form import ValidatePostChallengeForm
from actions.team.form import ValidateJoinTeamForm, ValidateRegisterTeamForm

LABELS_FILE = Path(__file__).with_name("labels.yml")
_FORMS: dict[str, type[EditableForm]] = {
    "post_challenge_form": ValidatePostChallengeForm,
    "register_team_form": ValidateRegisterTeamForm,
    "join_team_form": ValidateJoinTeamForm,
}


@cache
def _labels() -> dict[str, dict[str, dict[str, str]]]:
    data: dict[str, dict[str, dict[str, str]]] = yaml.load(
        LABELS_FILE.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader
    )
    return data


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "zh-TW"


def intent_name(intent: str, lang: str) -> str:
    """``ask_bonus`` → 「獎金」 / "Prizes"."""
    return _labels()["intents"].get(intent, {}).get(_lang(lang), intent)


def form_name(form: str, lang: str) -> str:
    """``post_challenge_form`` → 「企業出題」 / "Challenge posting"."""
    return _labels()["forms"].get(form, {}).get(_lang(lang), form)


def field_name(form: str, slot: str, lang: str) -> str:
    """A form's field as the chat names it (``org_email`` → 「聯絡Email」…)."""
    extra = _labels()["fields"].get(slot)
    if extra:
        return extra[_lang(lang)]
    validator = _FORMS.get(form)
    if validator is not None:
        try:
            return validator().field_label(slot, _lang(lang))
        except (KeyError, StopIteration):
            pass
    return slot
