"""Chat actions of the team lifecycle (leave, hand over, remove, withdraw, dissolve).

Each is a :class:`actions.confirm.ConfirmedAction`: ``prepare`` checks the request with the same
rules the database functions apply (:mod:`db.team_lifecycle`) and resolves who or what is meant —
a ``member`` (user id, from a button) or a name typed in the message, a ``challenge_ref`` —
otherwise it lists the choices as buttons; ``perform`` calls the lifecycle function and pushes a
notice to the people it affects (:func:`db.notices.notify`, through the reminders' outbox).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from rasa_sdk.events import EventType
from sqlalchemy.orm import Session

from actions._forms import user_id_for
from actions._texts import Texts
from actions._words import fold
from actions.confirm import Ask, ConfirmedAction, Request, button
from actions.confirm.choice import offered
from actions.team.logic import format_day
from db import notices
from db import team_lifecycle as life
from db import teams as repo
from db.invites import format_code
from db.models import Membership, User
from db.teams import MemberView
from db.users import chat_language

_TEXTS = Texts(Path(__file__).with_name("lifecycle_texts.yml"))
say = _TEXTS.say

_REFERENCE = re.compile(r"AIGO-\d{3}-\d{4}", re.IGNORECASE)


def _name(member: MemberView, lang: str) -> str:
    return member.name or say(lang, "unnamed", id=member.user_id)


def notify_affected(
    *, session: Session, outcome: life.Outcome, key: str, now: datetime, **values: str
) -> None:
    """Push ``key`` to every user ``outcome.tell`` names, each in their own language (the chat
    actions here and the web team page both tell people this way)."""
    for user_id in outcome.tell:
        lang = chat_language(session=session, user_id=user_id) or "zh-TW"
        text = say(lang, key, team=outcome.team or "", **values)
        notices.notify(session=session, user_id=user_id, text=text, kind=key, now=now)


def leaver_name(session: Session, user_id: int) -> str:
    """How a member who leaves is named to the leader (their name, else "成員 #id")."""
    user = session.get(User, user_id)
    return (user.display_name if user else None) or say("zh-TW", "unnamed", id=user_id)


def tell(req: Request, outcome: life.Outcome, key: str, **values: str) -> None:
    """:func:`notify_affected` within a chat turn."""
    notify_affected(session=req.session, outcome=outcome, key=key, now=req.now, **values)


def membership(req: Request, *, leader: bool) -> Membership | None:
    """The asker's membership (a leader's when ``leader``), else say why not and return None."""
    found = repo.membership_of(session=req.session, user_id=user_id_for(req.tracker))
    if found is None:
        req.dispatcher.utter_message(text=say(req.lang, "not_in_team"))
        return None
    if leader and found.role != "leader":
        req.dispatcher.utter_message(text=say(req.lang, "not_leader", team=found.team.name))
        return None
    return found


def _named_in_part(name: str | None, text: str) -> bool:
    """True when ``text`` names the member by part of the name: a Chinese given name (小明 of
    王小明, two characters at least) or one word of a Latin name (Nguyen of Nguyen Van An)."""
    folded = fold(name or "")
    if folded.isascii():
        words = [w for w in folded.split() if len(w) >= 3]
        return any(re.search(rf"\b{re.escape(w)}\b", text) for w in words)
    return len(folded) >= 3 and folded[1:] in text


def pick_member(req: Request, mine: Membership, intent: str, pick_key: str) -> MemberView | None:
    """The other member the request names (button id or typed name); else list them as buttons."""
    team = mine.team.name
    views = repo.members(session=req.session, team_id=mine.team_id)
    others = [m for m in views if m.user_id != mine.user_id]
    wanted = req.args.get("member")
    text = fold(req.text)
    for m in others:
        if (wanted and str(m.user_id) == wanted) or (m.name and fold(m.name) in text):
            return m
    partly = [m for m in others if not wanted and _named_in_part(m.name, text)]
    if len(partly) == 1:  # 「讓小明當隊長」 for 王小明: one member only
        return partly[0]
    if wanted:
        req.dispatcher.utter_message(text=say(req.lang, "not_member", team=team))
        return None
    if not others:
        req.dispatcher.utter_message(text=say(req.lang, "no_other_members", team=team))
        return None
    buttons = [button(req, intent, {"member": str(m.user_id)}, _name(m, req.lang)) for m in others]
    req.dispatcher.utter_message(text=say(req.lang, pick_key, team=team), buttons=buttons)
    req.events.append(offered(buttons))  # 「小美」 typed next picks 陳小美
    return None


def new_code_text(outcome: life.Outcome, name: str, lang: str) -> str:
    """After a removal that replaced the invite code: the new code, and why (chat and web)."""
    if outcome.invite is None:
        return ""
    code, expires = format_code(outcome.invite.code), format_day(outcome.invite.expires_at, lang)
    return say(lang, "removed_new_code", name=name, code=code, expires=expires)


def _done_or_refuse(req: Request, outcome: life.Outcome, done: Callable[[], None]) -> None:
    if outcome.done:
        done()
        return
    values = {"team": outcome.team or "", "reference": outcome.reference or ""}
    req.dispatcher.utter_message(text=say(req.lang, outcome.status, **values))


class ActionRemoveMember(ConfirmedAction):
    """``remove_member``: the leader removes a member, who is told."""

    intent, arg_names = "remove_member", ("member",)

    def name(self) -> str:
        """``action_remove_member``."""
        return "action_remove_member"

    def prepare(self, req: Request) -> Ask | None:
        """Leader only; the member named, picked or asked for."""
        mine = membership(req, leader=True)
        target = pick_member(req, mine, self.intent, "pick_remove") if mine else None
        if mine is None or target is None:
            return None
        name = _name(target, req.lang)
        question = say(req.lang, "confirm_remove", name=name, team=mine.team.name)
        about = say(req.lang, "about_remove", name=name, team=mine.team.name)
        return Ask(question, {"member": str(target.user_id)}, about=about)

    def perform(self, req: Request, args: dict[str, str]) -> list[EventType]:
        """Remove and notify."""
        member = int(args["member"])
        views = {m.user_id: m for m in repo.members(session=req.session, team_id=_team_id(req))}
        name = _name(views[member], req.lang) if member in views else args["member"]
        uid = user_id_for(req.tracker)
        outcome = life.remove_member(
            session=req.session, user_id=uid, member_user_id=member, now=req.now
        )

        def done() -> None:
            tell(req, outcome, "notice_removed")
            text = say(req.lang, "removed", name=name, team=outcome.team)
            req.dispatcher.utter_message(text=text + new_code_text(outcome, name, req.lang))

        _done_or_refuse(req, outcome, done)
        return []


def _team_id(req: Request) -> int:
    found = repo.membership_of(session=req.session, user_id=user_id_for(req.tracker))
    return found.team_id if found else 0


class ActionTransferLeadership(ConfirmedAction):
    """``transfer_leadership``: the leader hands over to another member, who is told."""

    intent, arg_names = "transfer_leadership", ("member",)

    def name(self) -> str:
        """``action_transfer_leadership``."""
        return "action_transfer_leadership"

    def prepare(self, req: Request) -> Ask | None:
        """Leader only; the new leader named, picked or asked for."""
        mine = membership(req, leader=True)
        target = pick_member(req, mine, self.intent, "pick_transfer") if mine else None
        if mine is None or target is None:
            return None
        name = _name(target, req.lang)
        question = say(req.lang, "confirm_transfer", name=name, team=mine.team.name)
        about = say(req.lang, "about_transfer", name=name, team=mine.team.name)
        return Ask(question, {"member": str(target.user_id), "name": name}, about=about)

    def perform(self, req: Request, args: dict[str, str]) -> list[EventType]:
        """Hand over and notify."""
        uid = user_id_for(req.tracker)
        to = int(args["member"])
        outcome = life.transfer_leadership(session=req.session, user_id=uid, to_user_id=to)

        def done() -> None:
            tell(req, outcome, "notice_transferred")
            text = say(req.lang, "transferred", name=args.get("name", ""), team=outcome.team)
            req.dispatcher.utter_message(text=text)

        _done_or_refuse(req, outcome, done)
        return []


class ActionLeaveTeam(ConfirmedAction):
    """``leave_team``: a member leaves (a leader must hand over or dissolve first)."""

    intent = "leave_team"

    def name(self) -> str:
        """``action_leave_team``."""
        return "action_leave_team"

    def prepare(self, req: Request) -> Ask | None:
        """In a team; a leader is told what to do first."""
        mine = membership(req, leader=False)
        if mine is None:
            return None
        team = mine.team.name
        if mine.role == "leader":
            alone = len(repo.members(session=req.session, team_id=mine.team_id)) == 1
            key = "leader_alone" if alone else "leader_must_hand_over"
            req.dispatcher.utter_message(text=say(req.lang, key, team=team))
            return None
        about = say(req.lang, "about_leave", team=team)
        return Ask(say(req.lang, "confirm_leave", team=team), {}, about=about)

    def perform(self, req: Request, args: dict[str, str]) -> list[EventType]:
        """Leave and tell the leader."""
        uid = user_id_for(req.tracker)
        name = leaver_name(req.session, uid)
        outcome = life.leave_team(session=req.session, user_id=uid)

        def done() -> None:
            tell(req, outcome, "notice_left", name=name)
            req.dispatcher.utter_message(text=say(req.lang, "left", team=outcome.team))

        _done_or_refuse(req, outcome, done)
        return []


class ActionWithdrawApplication(ConfirmedAction):
    """``withdraw_application``: the leader withdraws an application; members are told."""

    intent, arg_names = "withdraw_application", ("challenge_ref",)

    def name(self) -> str:
        """``action_withdraw_application``."""
        return "action_withdraw_application"

    def prepare(self, req: Request) -> Ask | None:
        """Leader only; the application named (reference) or picked."""
        mine = membership(req, leader=True)
        if mine is None:
            return None
        team = mine.team.name
        applied = repo.applications(session=req.session, team_id=mine.team_id)
        typed = _REFERENCE.search(req.text)
        wanted = (req.args.get("challenge_ref") or (typed.group(0) if typed else "")).upper()
        if not applied:
            req.dispatcher.utter_message(text=say(req.lang, "no_applications", team=team))
            return None
        match = [c for _, c in applied if c.reference == wanted] or (
            [c for _, c in applied] if len(applied) == 1 and not wanted else []
        )
        if match:
            c = match[0]
            question = say(
                req.lang, "confirm_withdraw", team=team, reference=c.reference, title=c.title
            )
            about = say(req.lang, "about_withdraw", team=team, reference=c.reference)
            return Ask(question, {"challenge_ref": str(c.reference)}, about=about)
        if wanted:
            text = say(req.lang, "not_applied", team=team, reference=wanted)
            req.dispatcher.utter_message(text=text)
        buttons = [
            button(req, self.intent, {"challenge_ref": ref}, f"{ref} {c.title}")
            for ref, c in ((str(c.reference), c) for _, c in applied)
        ]
        req.dispatcher.utter_message(text=say(req.lang, "pick_withdraw"), buttons=buttons)
        req.events.append(offered(buttons))
        return None

    def perform(self, req: Request, args: dict[str, str]) -> list[EventType]:
        """Withdraw and tell the members."""
        uid, reference = user_id_for(req.tracker), args["challenge_ref"]
        outcome = life.withdraw_application(session=req.session, user_id=uid, reference=reference)

        def done() -> None:
            tell(req, outcome, "notice_withdrawn", reference=reference)
            text = say(req.lang, "withdrawn", team=outcome.team, reference=reference)
            req.dispatcher.utter_message(text=text)

        _done_or_refuse(req, outcome, done)
        return []


class ActionDissolveTeam(ConfirmedAction):
    """``dissolve_team``: the leader dissolves a team with no applications; members are told."""

    intent = "dissolve_team"

    def name(self) -> str:
        """``action_dissolve_team``."""
        return "action_dissolve_team"

    def prepare(self, req: Request) -> Ask | None:
        """Leader only; no applications."""
        mine = membership(req, leader=True)
        if mine is None:
            return None
        team = mine.team.name
        if repo.applications(session=req.session, team_id=mine.team_id):
            req.dispatcher.utter_message(text=say(req.lang, "has_applications", team=team))
            return None
        about = say(req.lang, "about_dissolve", team=team)
        return Ask(say(req.lang, "confirm_dissolve", team=team), {}, about=about)

    def perform(self, req: Request, args: dict[str, str]) -> list[EventType]:
        """Dissolve and tell the members."""
        outcome = life.dissolve_team(session=req.session, user_id=user_id_for(req.tracker))

        def done() -> None:
            tell(req, outcome, "notice_dissolved")
            req.dispatcher.utter_message(text=say(req.lang, "dissolved", team=outcome.team))

        _done_or_refuse(req, outcome, done)
        return []
