"""``/challenge``: the challenge form on one page, editing the chat's own draft.

The page shows every field of the programme's form at once, grouped as the programme groups them
(the organisation and contact, the challenge, the dataset). It is an adapter: every read and
write goes through :meth:`bot.dialogue.Engine.update_state` (the sender's lock, one transaction)
and :mod:`actions.challenge.draft` (the chat's field checks, draft row and submission), so a
field filled here is known to the chat and the other way round.

Routes (the sender is :func:`bot.web.identity.sender_for` ``"challenge"``; without one the page
asks for a link from the chat):

=============================  ==========================================================
``GET  /challenge``            the form, filled with the draft
``POST /challenge``            save every field (no-JS path); complete → the summary
``POST /challenge/check``      JSON ``{field, value}`` → ``{ok, message}`` (live messages)
``POST /challenge/save``       JSON ``{fields: {slot: text}}`` → ``{saved, problems}`` (autosave)
``GET  /challenge/review``     the summary with 確認送出
``POST /challenge/submit``     submit through the chat's submission (limit, ``submitted``)
=============================  ==========================================================

Every POST carries this session's CSRF token (form field ``_csrf`` or ``X-CSRF-Token``). While
the chat edits a submitted challenge (``challenge_editing``) the page says to finish that there
first (409): the slots then hold that challenge, which only the chat's 確認送出 may change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

import knowledge
from actions._forms import SKIPPED, say
from actions.challenge import draft
from actions.challenge import fields as cf
from actions.challenge.form import DRAFT_SLOT, FORM
from actions.challenge.lifecycle import EDITING_SLOT
from actions.challenge.ownership import owned_problem
from actions.challenge.store import (
    FIELD_MAP,
    FIELDS,
    OPTIONAL,
    display_value,
    field_label,
    limit_text,
    submitted_text,
)
from bot.dialogue.domain import REQUESTED_SLOT, Domain
from bot.dialogue.state import DialogueState
from bot.web import inputs, uploads
from bot.web.deps import services_of
from bot.web.identity import sender_for
from bot.web.render import error_page, language, render, text
from bot.web.security import CSRF_FIELD, CSRF_HEADER, check_csrf
from db.challenges import LimitReached
from db.org_access import NotAMember
from db.users import get_or_create_user_for_sender

PURPOSE = "challenge"
MAX_JSON_BYTES = 64_000
SECTIONS = (
    ("organisation_fields", "cf_section_org"),
    ("challenge_fields", "cf_section_challenge"),
    ("dataset_fields", "cf_section_dataset"),
)
TEXTAREAS = frozenset(
    {"challenge_description", "challenge_data_readiness", "challenge_expected_outcome",
     "challenge_resources", "challenge_incentives"}
)  # fmt: skip
INPUT_TYPES = {"org_email": "email", "org_phone": "tel"}
AUTOCOMPLETE = {"org_name": "organization", "org_contact": "name", "org_phone": "tel",
                "org_email": "email"}  # fmt: skip
CONFIRM_SLOT = "challenge_confirm"
Handler = Callable[[Request], Awaitable[Response]]
NOTICES = frozenset({"uploaded"})  # ?notice= values the page announces


@dataclass
class FieldView:
    """One field as the template draws it."""

    slot: str
    label: str
    required: bool
    kind: str  # text / email / tel / textarea / select / list / file
    value: str = ""
    placeholder: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    autocomplete: str = "off"
    problem: str = ""


# -- reading and writing the sender's draft (inside Engine.update_state) ---------------------


def user_id_of(session: Session, sender: str) -> int:
    return get_or_create_user_for_sender(session=session, sender_key=sender).id


def apply_changes(state: DialogueState, changes: Mapping[str, Any], domain: Domain) -> None:
    """Set the changed slots. When the chat form was waiting for a field the page has just
    filled (or for the confirmation of a summary now out of date), it asks its next question
    on the sender's next message instead of taking that message as the answer."""
    for slot, value in changes.items():
        state.set_slot(slot, value, domain)
    asked = state.requested_slot
    filled = asked is not None and changes.get(asked) is not None
    stale = asked == CONFIRM_SLOT and any(slot in FIELDS for slot in changes)
    if state.active_loop == FORM and (filled or stale):
        state.set_slot(REQUESTED_SLOT, None, domain)
    if state.slots.get(CONFIRM_SLOT) is not None and any(slot in FIELDS for slot in changes):
        state.set_slot(CONFIRM_SLOT, None, domain)


class EditingInChat(Exception):
    """The sender is editing a submitted challenge in the chat (``challenge_editing``): its
    slots hold that challenge, which only the chat's 確認送出 may change."""


def refuse_while_editing(state: DialogueState) -> None:
    """Raise :class:`EditingInChat` when the chat is editing a submitted challenge."""
    if state.slots.get(EDITING_SLOT):
        raise EditingInChat


async def _run(request: Request, sender: str, work: Any) -> Any:
    """``work(state, session, engine)`` under the engine's lock for ``sender`` (never while the
    chat edits a submitted challenge: :class:`EditingInChat`)."""
    engine = services_of(request).engine

    def guarded(state: DialogueState, session: Session) -> Any:
        refuse_while_editing(state)
        return work(state, session, engine)

    return await engine.update_state(sender, guarded)


def not_while_editing(handler: Handler) -> Handler:
    """Answer :class:`EditingInChat` with the page (or JSON) that says to finish in the chat."""

    @wraps(handler)
    async def guarded(request: Request) -> Response:
        try:
            return await handler(request)
        except EditingInChat:
            if request.headers.get(CSRF_HEADER):  # the page's scripts
                message = text("cf_editing_in_chat", language(request))
                return JSONResponse({"error": message}, status_code=409)
            return error_page(request, 409, "cf_editing_in_chat")

    return guarded


def _now(request: Request) -> Any:
    return services_of(request).clock.now()


# -- views ------------------------------------------------------------------------------------


def _example(label_zh: str, example: str) -> str:
    """The seed's example answer, without a repeated label ("資料編碼方式：DICOM" → "DICOM")."""
    shown = example.split("：", 1)[1] if example.startswith(label_zh + "：") else example
    return "" if shown == label_zh else shown


def _field_view(
    programme: knowledge.Programme,
    slot: str,
    value: Any,
    lang: str,
    problem: str,
    typed: str | None = None,
) -> FieldView:
    group, field_id, _ = FIELD_MAP[slot]
    found = next(f for f in getattr(programme.challenge_posting, group).fields if f.id == field_id)
    view = FieldView(
        slot=slot,
        label=field_label(programme, slot, lang),
        required=slot not in OPTIONAL,
        kind=INPUT_TYPES.get(slot, "textarea" if slot in TEXTAREAS else "text"),
        autocomplete=AUTOCOMPLETE.get(slot, "off"),
        problem=problem,
    )
    example = _example(found.zh_TW, found.example)
    view.placeholder = text("cf_example", lang, example=example) if example else ""
    if typed is not None:  # a refused answer stays as typed
        view.value = typed
    elif value not in (None, "", SKIPPED):
        view.value = display_value(programme, slot, value, lang)
    if slot == "challenge_category":
        view.kind, view.value = "select", str(value or "")
        items = programme.challenge_posting.categories.items
        view.choices = [
            (item.zh_TW, item.label("en" if lang == "en" else "zh-TW")) for item in items
        ]
    elif slot == "challenge_industry":
        view.kind = "list"
        view.choices = [(label, label) for label in _labels(cf.industry_choices(programme), lang)]
    elif slot == "dataset_delivery_method":
        view.kind = "list"
        view.choices = [(label, label) for label in _labels(cf.delivery_choices(programme), lang)]
    elif slot == "challenge_presentation":
        view.kind = "file"
    return view


def _labels(choices: Mapping[str, list[str]], lang: str) -> list[str]:
    """The choice labels in ``lang`` (names are [zh-TW, en, …])."""
    english = lang == "en"
    return [names[1] if english and len(names) > 1 else label for label, names in choices.items()]


def sections(
    values: Mapping[str, Any],
    problems: Mapping[str, str],
    lang: str,
    typed: Mapping[str, str] | None = None,
) -> list[tuple[str, list[FieldView]]]:
    """``(heading text key, field views)`` per section of the programme's form."""
    programme, typed = knowledge.load(), typed or {}
    return [
        (
            heading,
            [
                _field_view(
                    programme, slot, values.get(slot), lang, problems.get(slot, ""), typed.get(slot)
                )
                for slot in FIELDS
                if FIELD_MAP[slot][0] == group
            ],
        )
        for group, heading in SECTIONS
    ]


def warm_up() -> None:
    """Build the form's views once (loads the choice lists the chat's checks use)."""
    for lang in ("zh-TW", "en"):
        sections({}, {}, lang)


def _refused(request: Request) -> Response:
    return error_page(request, 403, "need_link")


def _page(
    request: Request,
    found: dict[str, Any],
    problems: Mapping[str, str],
    status: int = 200,
    typed: Mapping[str, str] | None = None,
) -> Response:
    """The form page; ``typed`` keeps refused answers in their inputs."""
    lang = language(request)
    values = found["values"]
    notice = request.query_params.get("notice", "")
    return render(
        request,
        "challenge_form.html",
        status=status,
        sections=sections(values, problems, lang, typed),
        problems=problems,
        has_draft=bool(values.get(DRAFT_SLOT)),
        presentation=found.get("presentation"),
        upload=uploads.limits(request),
        notice=notice if notice in NOTICES else "",
    )


def _load(request: Request, sender: str) -> Any:
    def work(state: DialogueState, session: Session, engine: Any) -> dict[str, Any]:
        values = draft.values_of(session, user_id_of(session, sender), state.slots)
        return {"values": values, "presentation": uploads.presentation_of(session, values)}

    return _run(request, sender, work)


async def show_form(request: Request, problems: Mapping[str, str], status: int = 200) -> Response:
    """The form for this session's sender, with ``problems`` by their fields."""
    sender = sender_for(request, PURPOSE)
    if sender is None:
        return _refused(request)
    return _page(request, await _load(request, sender), problems, status)


@not_while_editing
async def form_page(request: Request) -> Response:
    """``GET /challenge``."""
    return await show_form(request, {})


def _save(request: Request, sender: str, answers: Mapping[str, Any]) -> Any:
    lang, now = language(request), _now(request)

    def work(state: DialogueState, session: Session, engine: Any) -> draft.Edit:
        user_id = user_id_of(session, sender)
        result = draft.edit(session, user_id, state.slots, answers, now, lang)
        apply_changes(state, result.changes, engine.domain)
        return result

    return _run(request, sender, work)


def _answers(form: Mapping[str, Any]) -> dict[str, str]:
    """The form's fields among the posted values (the presentation is uploaded, not typed)."""
    return {
        slot: str(form.get(slot) or "")
        for slot in FIELDS
        if slot in form and slot != "challenge_presentation"
    }


async def _posted(request: Request) -> tuple[str, Any] | Response:
    """The sender and the posted form, else the refusal (no link, or no CSRF token)."""
    sender = sender_for(request, PURPOSE)
    if sender is None:
        return _refused(request)
    form = await inputs.form(request)
    if not check_csrf(request, str(form.get(CSRF_FIELD) or "")):
        return error_page(request, 403, "csrf_failed")
    return sender, form


@not_while_editing
async def form_post(request: Request) -> Response:
    """``POST /challenge``: save every field; complete and valid → the summary."""
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    sender, form = posted
    result: draft.Edit = await _save(request, sender, _answers(form))
    lang = language(request)
    problems = dict(result.problems)
    for slot in draft.missing(result.values):
        problems.setdefault(slot, _required(slot, lang))
    if problems:
        answers = _answers(form)
        typed = {slot: answers[slot] for slot in result.problems if slot in answers}
        return _page(request, await _load(request, sender), problems, 400, typed)
    return RedirectResponse("/challenge/review", status_code=303)


def _required(slot: str, lang: str) -> str:
    return say(lang, "required", field=field_label(knowledge.load(), slot, lang))


async def _json_body(request: Request) -> dict[str, Any] | None:
    data = await inputs.json_body(request, MAX_JSON_BYTES)
    return data if isinstance(data, dict) else None


def _json_refusal(request: Request) -> Response | None:
    """403 without a sender or the CSRF header (JSON endpoints)."""
    lang = language(request)
    if sender_for(request, PURPOSE) is None:
        return JSONResponse({"error": text("need_link", lang)}, status_code=403)
    if not check_csrf(request, request.headers.get(CSRF_HEADER)):
        return JSONResponse({"error": text("chat_session_expired", lang)}, status_code=403)
    return None


async def check_field(request: Request) -> Response:
    """``POST /challenge/check``: the chat's check of one answer, nothing saved."""
    refusal = _json_refusal(request)
    if refusal is not None:
        return refusal
    data = await _json_body(request)
    slot = str((data or {}).get("field", ""))
    if data is None or slot not in FIELDS:
        return JSONResponse({"error": text("chat_error", language(request))}, status_code=400)
    try:
        draft.check(slot, data.get("value"))
    except cf.Invalid as bad:
        message = draft.problem_text(slot, bad, language(request))
        return JSONResponse({"ok": False, "message": message})
    return JSONResponse({"ok": True, "message": ""})


@not_while_editing
async def save_fields(request: Request) -> Response:
    """``POST /challenge/save``: autosave the posted fields into the shared draft."""
    refusal = _json_refusal(request)
    if refusal is not None:
        return refusal
    data = await _json_body(request)
    posted = (data or {}).get("fields")
    if not isinstance(posted, dict) or not set(posted) <= set(FIELDS) - {"challenge_presentation"}:
        return JSONResponse({"error": text("chat_error", language(request))}, status_code=400)
    sender = str(sender_for(request, PURPOSE))
    result = await _save(request, sender, {k: str(v or "") for k, v in posted.items()})
    saved = sorted(set(posted) - set(result.problems))
    lang = language(request)
    return JSONResponse(
        {
            "saved": saved,
            "problems": result.problems,
            "status": text("cf_not_saved", lang) if result.problems else text("cf_saved", lang),
        }
    )


@not_while_editing
async def review_page(request: Request) -> Response:
    """``GET /challenge/review``: every field under its heading, then 確認送出."""
    sender = sender_for(request, PURPOSE)
    if sender is None:
        return _refused(request)
    found = await _load(request, sender)
    values, lang = found["values"], language(request)
    missing = draft.missing(values)
    programme = knowledge.load()
    summary = [
        (heading, [(view.label, _summary_value(view, values, lang)) for view in views])
        for heading, views in sections(values, {}, lang)
    ]
    missing_labels = [field_label(programme, slot, lang) for slot in missing]
    return render(
        request,
        "challenge_review.html",
        summary=summary,
        missing=missing_labels,
        presentation=found["presentation"],
    )


def _summary_value(view: FieldView, values: Mapping[str, Any], lang: str) -> str:
    """The field as the summary shows it (a category by its label in ``lang``)."""
    value = values.get(view.slot)
    if view.slot != "challenge_category" or not value:
        return view.value
    return display_value(knowledge.load(), view.slot, value, lang)


@not_while_editing
async def submit(request: Request) -> Response:
    """``POST /challenge/submit``: the chat's submission; the chat's words for the outcome."""
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    sender = posted[0]
    lang, now, programme = language(request), _now(request), knowledge.load()

    def work(state: DialogueState, session: Session, engine: Any) -> tuple[str, str]:
        user_id = user_id_of(session, sender)
        values = draft.values_of(session, user_id, state.slots)
        if draft.missing(values):
            return "missing", ""
        try:
            challenge, count = draft.submit(session, user_id, values, now, programme)
        except LimitReached as full:
            return "refused", limit_text(full, lang)
        except NotAMember as stranger:  # someone else owns it (db.org_access)
            name = str(values.get("org_name") or stranger.organisation)
            return "refused", owned_problem(session, name, user_id, lang) or str(stranger)
        contact = values.get("org_contact")
        done = submitted_text(programme, challenge, count, contact, lang)
        cleared = {s: None for s in (*FIELDS, DRAFT_SLOT) if state.slots.get(s) is not None}
        apply_changes(state, cleared, engine.domain)
        if state.active_loop == FORM:  # the chat's form is over: its draft was submitted
            state.apply({"event": "active_loop", "name": None}, engine.domain)
            state.set_slot(REQUESTED_SLOT, None, engine.domain)
        return "submitted", done

    outcome, message = await _run(request, sender, work)
    if outcome == "missing":
        return RedirectResponse("/challenge/review", status_code=303)
    status = 200 if outcome == "submitted" else 409
    return render(request, "challenge_done.html", status=status, outcome=outcome, message=message)


def routes() -> list[Route]:
    """The challenge form's routes."""
    return [
        Route("/challenge", form_page, methods=["GET"]),
        Route("/challenge", form_post, methods=["POST"]),
        Route("/challenge/check", check_field, methods=["POST"]),
        Route("/challenge/save", save_fields, methods=["POST"]),
        Route("/challenge/review", review_page, methods=["GET"]),
        Route("/challenge/submit", submit, methods=["POST"]),
    ]
