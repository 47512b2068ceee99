"""The challenge presentation (「出題說明簡報」): uploaded on the form page, downloaded by the
organisation and the organisers.

- ``POST /challenge/presentation`` (multipart, CSRF field ``_csrf``, file field
  ``presentation``): the body is read in chunks and refused once it passes the size limit
  (``AIGO_UPLOAD_MAX_MB``); the type is recognised by the bytes (:func:`bot.web.uploads.sniff`:
  PDF, PPTX, ODP). The file goes into ``challenge_files`` with the sender's draft (created when
  the organisation is named), and its name into the draft's ``challenge_presentation`` field
  (the chat's summary shows it). A refusal re-draws the form with the reason by the field.
- ``GET /challenge/presentation/<challenge id>``: the file, for the chat user who created the
  challenge or its organisation and for signed-in organisers (the console); 403 without either
  session, 404 for anybody else and when there is no file.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from actions.challenge import draft
from actions.challenge.form import DRAFT_SLOT
from bot.web.challenge_form import (
    PURPOSE,
    apply_changes,
    not_while_editing,
    refuse_while_editing,
    show_form,
    user_id_of,
)
from bot.web.console._guard import in_session, signed_in
from bot.web.deps import services_of
from bot.web.identity import sender_for
from bot.web.inputs import clean_form
from bot.web.params import row_id
from bot.web.render import error_page, language, text
from bot.web.security import CSRF_FIELD, check_csrf
from bot.web.uploads import (
    MULTIPART_SLACK,
    TYPES,
    UPLOAD_PATH,
    limits,
    parse_multipart,
    read_capped,
    safe_filename,
    sniff,
)
from db import challenge_files
from db import challenges as repo
from db.models import Challenge
from db.users import find_user, parse_sender_key


async def _refuse(request: Request, key: str, status: int, **values: Any) -> Response:
    """Back to the form with the reason next to the presentation field."""
    message = text(key, language(request), **values)
    return await show_form(request, {"challenge_presentation": message}, status)


@not_while_editing
async def upload(request: Request) -> Response:
    """``POST /challenge/presentation`` (see the module docstring)."""
    sender = sender_for(request, PURPOSE)
    if sender is None:
        return error_page(request, 403, "need_link")
    size = limits(request)
    body = await read_capped(request, size["max_bytes"] + MULTIPART_SLACK)
    if body is None:
        return await _refuse(request, "cf_upload_too_large", 413, max_mb=size["max_mb"])
    try:
        form = clean_form(await parse_multipart(request, body))
    except MultiPartException:
        return await _refuse(request, "cf_upload_missing", 400)
    if not check_csrf(request, str(form.get(CSRF_FIELD) or "")):
        return error_page(request, 403, "csrf_failed")
    chosen = form.get("presentation")
    if not isinstance(chosen, UploadFile):
        return await _refuse(request, "cf_upload_missing", 400)
    content = await chosen.read(size["max_bytes"] + 1)
    if len(content) > size["max_bytes"]:
        return await _refuse(request, "cf_upload_too_large", 413, max_mb=size["max_mb"])
    if not content:
        return await _refuse(request, "cf_upload_missing", 400)
    kind = sniff(content)
    if kind is None:
        return await _refuse(request, "cf_upload_wrong_type", 415)
    name = safe_filename(chosen.filename or "", kind)
    if not await _store(request, sender, name, kind, content):
        return await _refuse(request, "cf_upload_needs_draft", 409)
    return RedirectResponse("/challenge?notice=uploaded#f-challenge_presentation", 303)


async def _store(request: Request, sender: str, name: str, kind: str, content: bytes) -> bool:
    """Save the file with the sender's draft and its name in the draft (False: no draft yet,
    the organisation is not named)."""
    services = services_of(request)
    lang, now, domain = language(request), services.clock.now(), services.engine.domain

    def work(state: Any, session: Session) -> bool:
        refuse_while_editing(state)
        user_id = user_id_of(session, sender)
        values = draft.values_of(session, user_id, state.slots)
        challenge = _own_draft(session, values.get(DRAFT_SLOT), user_id)
        if challenge is None:
            return False
        challenge_files.save_file(
            session=session,
            challenge=challenge,
            filename=name,
            media_type=TYPES[kind][0],
            content=content,
            user_id=user_id,
            now=now,
        )
        answers = {"challenge_presentation": name}
        result = draft.edit(session, user_id, state.slots, answers, now, lang)
        apply_changes(state, result.changes, domain)
        return True

    stored: bool = await services.engine.update_state(sender, work)
    return stored


def _own_draft(session: Session, draft_id: Any, user_id: int) -> Challenge | None:
    """The user's draft ``draft_id`` (None when it is missing, another's or submitted)."""
    challenge = repo.get_challenge(session=session, challenge_id=int(draft_id or 0))
    if challenge is None or challenge.created_by_user_id != user_id:
        return None
    return challenge if challenge.status == "draft" else None


def may_download(session: Session, challenge: Challenge, sender: str | None) -> bool:
    """True when the chat user ``sender`` created the challenge or its organisation."""
    if sender is None:
        return False
    channel, external_id = parse_sender_key(sender)
    user = find_user(session=session, channel=channel, external_id=external_id)
    owners = (challenge.created_by_user_id, challenge.organisation.created_by_user_id)
    return user is not None and user.id in owners


async def download(request: Request) -> Response:
    """``GET /challenge/presentation/<id>`` (see the module docstring)."""
    challenge_id = row_id(request.path_params["challenge_id"])
    if challenge_id is None:  # not an id a challenge can have
        return error_page(request, 404, "not_found")
    organiser = await signed_in(request)
    sender = sender_for(request, PURPOSE)
    if organiser is None and sender is None:
        return error_page(request, 403, "need_link")

    def find(session: Session) -> tuple[str, str, bytes] | None:
        row = challenge_files.file_of(session=session, challenge_id=challenge_id)
        if row is None:
            return None
        if organiser is None and not may_download(session, row.challenge, sender):
            return None
        full = challenge_files.content_of(session=session, file_id=row.id)
        return (full.filename, full.media_type, full.content) if full else None

    found = await in_session(request, find)
    if found is None:
        return error_page(request, 404, "not_found")
    name, media_type, content = found
    disposition = f"attachment; filename*=UTF-8''{quote(name)}"
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})


def routes() -> list[Route]:
    """The upload and download routes."""
    return [
        Route(UPLOAD_PATH, upload, methods=["POST"]),
        Route(UPLOAD_PATH + "/{challenge_id}", download, methods=["GET"]),
    ]
