"""What the team page shows: the signed-in user's team read from the database, the invite's share
links and QR codes.

:func:`team_view` reads the team of a sender (None when the sender is unknown or in no team).
:func:`share_links` builds the entry points that are configured: a Telegram deep link
``https://t.me/<bot>?start=join-<code>`` (the Telegram channel joins with it), LINE's message
link ``https://line.me/R/oaMessage/<bot id>/?<text>`` (opens the bot's chat with 「我有邀請碼 …」
typed in) and LINE's share URL ``https://line.me/R/share?text=…``. :func:`qr_svg` draws a QR
code as inline SVG (``segno``; no script, no image request, allowed by the CSP).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

import segno
from sqlalchemy.orm import Session

from bot.channels.deep_links import join_link
from bot.config import Settings
from db import invites
from db import teams as repo
from db.models import Membership
from db.teams import MemberView
from db.users import find_user, parse_sender_key


@dataclass(frozen=True)
class Application:
    """One application of the team, as listed."""

    reference: str
    title: str
    status: str


@dataclass(frozen=True)
class TeamView:
    """The team as its member ``me`` sees it."""

    me: int
    role: str
    team: str
    members: list[MemberView]
    applications: list[Application]
    code: str | None = None  # the live invite code, shown to the leader only
    expires: datetime | None = None

    @property
    def leader(self) -> bool:
        """True when ``me`` leads the team."""
        return self.role == "leader"


@dataclass(frozen=True)
class Share:
    """One way to pass the invite on: a QR code (``qr``: its content) and/or a link."""

    key: str  # the text key of its label
    url: str
    qr: bool = False


def user_id_of(session: Session, sender_key: str) -> int | None:
    """The user behind ``sender_key`` (None when unknown: nothing is created by reading)."""
    channel, external_id = parse_sender_key(sender_key)
    user = find_user(session=session, channel=channel, external_id=external_id)
    return user.id if user is not None else None


def _view(session: Session, membership: Membership, now: datetime) -> TeamView:
    team = membership.team
    applied = [
        Application(str(c.reference), c.title or "", a.status)
        for a, c in repo.applications(session=session, team_id=team.id)
    ]
    invite = None
    if membership.role == "leader":
        invite = invites.live_invite(session=session, team_id=team.id, now=now)
    return TeamView(
        me=membership.user_id,
        role=membership.role,
        team=team.name,
        members=repo.members(session=session, team_id=team.id),
        applications=applied,
        code=invite.code if invite else None,
        expires=invite.expires_at if invite else None,
    )


def team_view(session: Session, sender_key: str, now: datetime) -> TeamView | None:
    """The team of ``sender_key`` at ``now``; None when the sender is in no team."""
    user_id = user_id_of(session, sender_key)
    membership = repo.membership_of(session=session, user_id=user_id) if user_id else None
    return _view(session, membership, now) if membership is not None else None


def share_links(settings: Settings, code: str, invite_text: str, share_text: str) -> list[Share]:
    """The configured ways to share ``code``: ``invite_text`` is what a LINE user sends the bot
    (「我有邀請碼 ABCD-2345」), ``share_text`` the message forwarded to friends."""
    found = []
    if settings.telegram_bot_username:
        deep = join_link(settings.telegram_bot_username, code)
        found.append(Share("share_telegram_qr", deep, qr=True))
        share = f"https://t.me/share/url?url={quote(deep, safe='')}&text={quote(share_text)}"
        found.append(Share("share_telegram", share))
    if settings.line_bot_id:
        bot = quote(settings.line_bot_id, safe="@")
        message = f"https://line.me/R/oaMessage/{bot}/?{quote(invite_text)}"
        found.append(Share("share_line_qr", message, qr=True))
        text = f"{share_text}\n{message}"
        found.append(Share("share_line", f"https://line.me/R/share?text={quote(text)}"))
    return found


def qr_svg(content: str, title: str) -> str:
    """``content`` as a QR code in inline SVG (it scales with its box; ``title`` is read out)."""
    out = io.BytesIO()
    segno.make(content, error="m").save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        omitsize=True,
        scale=4,
        border=4,
        title=title,
        svgclass="qr",
        lineclass=None,
        dark="#000",
        light="#fff",
    )
    return out.getvalue().decode()
