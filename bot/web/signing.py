"""Signed, expiring values: link tokens (one purpose each) and the session cookie.

A signed value is ``<base64url JSON>.<base64url HMAC-SHA256>``; the key is derived from the
service's secret key and a *salt* per use (``link``, ``session``), so a session cookie can never
pass as a link token or the other way round. Expiry follows the real clock (``time.time()``), not
``AIGO_NOW``: a frozen demo clock must not make links immortal.

Errors::

    TokenError (reason: "forged" | "expired" | "purpose")
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

LINK_TTL = 24 * 3600  # seconds a link from the chat stays valid


class TokenError(ValueError):
    """A token or cookie that cannot be used; ``reason`` is forged, expired or purpose."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"token refused: {reason}")
        self.reason = reason


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key(secret: str, salt: str) -> bytes:
    return hmac.new(secret.encode(), f"aigo-web:{salt}".encode(), hashlib.sha256).digest()


def same_text(given: str, expected: str) -> bool:
    """True when ``given`` equals ``expected``, compared in constant time. Any text a client
    sends is accepted (non-ASCII and lone surrogates included), unlike ``hmac.compare_digest``
    on ``str``, which raises ``TypeError`` on non-ASCII text."""
    encoded = given.encode("utf-8", "surrogatepass")
    return hmac.compare_digest(encoded, expected.encode("utf-8", "surrogatepass"))


def sign(secret: str, salt: str, payload: dict[str, Any]) -> str:
    """``payload`` as a signed string (JSON, then the HMAC of the JSON)."""
    body = _b64(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
    mac = hmac.new(_key(secret, salt), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def unsign(secret: str, salt: str, value: str) -> dict[str, Any]:
    """The payload of a signed string; :class:`TokenError` ("forged") when it was altered."""
    body, _, mac = value.partition(".")
    signed = body.encode("utf-8", "surrogatepass")
    expected = _b64(hmac.new(_key(secret, salt), signed, hashlib.sha256).digest())
    if not mac or not same_text(mac, expected):
        raise TokenError("forged")
    try:
        payload = json.loads(_unb64(body))
    except (ValueError, binascii.Error) as exc:
        raise TokenError("forged") from exc
    if not isinstance(payload, dict):
        raise TokenError("forged")
    return payload


def issue_link_token(
    secret: str, *, purpose: str, subject: str, ttl: float = LINK_TTL, now: float | None = None
) -> str:
    """A token that lets ``subject`` (a sender key) open the page ``purpose`` until ``ttl`` ends."""
    issued = time.time() if now is None else now
    payload = {"p": purpose, "s": subject, "e": int(issued + ttl), "n": secrets.token_hex(4)}
    return sign(secret, "link", payload)


def verify_link_token(
    secret: str, token: str, *, purpose: str | None = None, now: float | None = None
) -> tuple[str, str]:
    """Return ``(purpose, subject)`` of a valid token; :class:`TokenError` otherwise.

    With ``purpose`` given, a token issued for another page is refused ("purpose").
    """
    payload = unsign(secret, "link", token)
    current = time.time() if now is None else now
    if not isinstance(payload.get("e"), int) or payload["e"] < current:
        raise TokenError("expired")
    if purpose is not None and payload.get("p") != purpose:
        raise TokenError("purpose")
    return str(payload.get("p")), str(payload.get("s"))
