"""The asked field comes first: what a reply typed while a form asks a field is.

:func:`classify_reply` is the one rule every form uses (chat forms through
:class:`actions._editable.EditableForm`; the web form page may call it directly):

- ``command``: a form command typed as the whole reply ("取消", "cancel", "help"), or a
  ``cancel`` / ``help`` intent the NLU is sure of (:data:`SURE`); or one of the bot's own
  commands (:func:`is_bot_command`: "我要出題", "我的狀態", "my status" — a command intent the NLU
  is sure of, typed as a command phrase or a short request). Never the field's value: the
  command runs and the form asks the field again.
- ``question``: plainly a question: it ends with a question mark or particle (嗎/呢…), or is
  short (:data:`SHORT_QUESTION` characters) and has a question word (什麼, 如何, how, what…), or
  the NLU is very sure (:data:`QUESTION_SURE`) of a question intent and the text has a question
  word. Answered, and the field asked again. A long statement that happens to hold a question
  word ("預測客戶何時會流失…") is not a question.
- ``social``: a greeting, thanks or goodbye and nothing else (:func:`is_small_talk`: 「你好」
  「謝謝」"hi"), at any field; for free-text fields (names, titles…) also a short one the NLU is
  sure of. Answered (a greeting with "welcome back" and where the form is), and the field asked
  again. Validated fields take "1GB" as a volume whatever the NLU thinks of it.
- ``value``: everything else: the reply is offered to the field's validator as its value, whatever
  intent the NLU guessed ("出勤紀錄" is a dataset name, not ``my_status``).
"""

from __future__ import annotations

import re
from typing import Literal

from actions._words import data, fold

ReplyKind = Literal["value", "question", "command", "social"]

SURE = 0.9  # a cancel / help / social intent this sure is not a field value
QUESTION_SURE = 0.95  # a question intent this sure (with a question word) is a question
SHORT_QUESTION = 25  # characters: a short text with a question word reads as a question
SHORT_REQUEST = 12  # characters (CJK) or 6 words: a request longer than this is a value
SOCIAL_INTENTS = frozenset({"thank", "goodbye", "greet"})
COMMAND_INTENTS = frozenset({"cancel", "help"})


def _words(key: str) -> set[str]:
    return {fold(w) for w in data()[key]}


def is_short(text: str) -> bool:
    """At most 3 words, or 6 characters of Chinese: a chat reply rather than a field value."""
    folded = fold(text).strip(" .!！。~～")
    return len(folded.split()) <= 3 if folded.isascii() else len(folded) <= 6


def is_command(text: str, intent: str | None = None, confidence: float = 0.0) -> bool:
    """A form command typed as the whole reply, or a sure ``cancel`` / ``help`` intent."""
    folded = fold(text).strip(" .!！。")
    if folded in _words("cancel_words") | _words("help_words"):
        return True
    return intent in COMMAND_INTENTS and confidence >= SURE and is_short(text)


def _bare(text: str) -> str:
    return fold(text).strip(" .!！。~～?？,，")


def is_bot_command(text: str, intent: str | None = None, confidence: float = 0.0) -> bool:
    """One of the bot's commands (``bot_command_intents`` of ``form_data.yml``), the NLU sure of it
    (:data:`SURE`), typed as a command phrase ("我的狀態") or as a short request ("我還想再出一題",
    "show my status"). A value that merely resembles one ("出勤紀錄", "Status Analytics") is not."""
    if intent not in data()["bot_command_intents"] or confidence < SURE:
        return False
    bare = _bare(text)
    if bare in _words("command_phrases"):
        return True
    short = len(bare.split()) <= 6 if bare.isascii() else len(bare) <= SHORT_REQUEST
    for opening in _words("polite_openings"):
        bare = bare.removeprefix(opening).strip()
    return short and any(bare.startswith(cue) for cue in _words("request_cues"))


def reads_as_question(text: str, intent: str | None = None, confidence: float = 0.0) -> bool:
    """Plainly a question (see the module docstring)."""
    stripped = re.sub(r"[\s.!！。~～]+$", "", text)
    if stripped.endswith(("?", "？")) or stripped.endswith(tuple(data()["question_endings"])):
        return True
    if not is_question(stripped):
        return False
    sure = str(intent or "").startswith("ask_") and confidence >= QUESTION_SURE
    return len(stripped) <= SHORT_QUESTION or sure


def is_question(text: str) -> bool:
    """True when ``text`` reads as a question (question marks or question words)."""
    folded = fold(text)
    cues = data()["question_cues"]
    if any(fold(c) in folded for c in cues["anywhere"]):
        return True
    return folded.split(" ", 1)[0] in {fold(w) for w in cues["first_word"]}


def _talk(text: str) -> str:
    bare = fold(text).strip(" .!！。~～,，?？")
    return re.sub(r"\s*(?:there|everyone|啊|呀|喔|哦|~)+$", "", bare)


def is_small_talk(text: str) -> bool:
    """A greeting, thanks or goodbye and nothing else (「你好」「謝謝！」"hi there"; the
    ``greeting_words`` and ``small_talk_words`` of ``form_data.yml``)."""
    return _talk(text) in _words("greeting_words") | _words("small_talk_words")


def is_greeting(text: str) -> bool:
    """「你好」「哈囉」"hello" and nothing else: in a form, "welcome back" and where it is."""
    return _talk(text) in _words("greeting_words")


def classify_reply(
    text: str, intent: str | None, confidence: float, *, free_text: bool
) -> ReplyKind:
    """What ``text`` is while a field is asked (see the module docstring)."""
    if is_command(text, intent, confidence) or is_bot_command(text, intent, confidence):
        return "command"
    if reads_as_question(text, intent, confidence):
        return "question"
    if is_small_talk(text):
        return "social"
    if free_text and intent in SOCIAL_INTENTS and confidence >= SURE and is_short(text):
        return "social"
    return "value"
