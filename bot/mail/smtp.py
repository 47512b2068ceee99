"""Sending one e-mail over SMTP (``smtplib``), with failures sorted by what they mean.

Errors::

    MailError                 (``retryable`` says whether to try again later)
     ├── MailTransient        nothing was handed over: connection refused or dropped, timeout,
     │                        a 4xx reply — retry later
     ├── MailRefused          a 5xx reply (bad address, authentication failed) — dead letter
     └── MailOutcomeUnknown   the connection broke while the message data was being handed over:
                              it may have arrived — never sent again

``before_data`` is called just before the DATA command, so the caller can record that from there
on a crash leaves the outcome unknown. Anything with the :class:`MailSender` shape can replace
:class:`SmtpSender` (tests use a local SMTP server on 127.0.0.1).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol

from bot.config import Secret
from db.email_outbox import Outgoing


class MailError(Exception):
    """Sending failed; ``retryable`` says whether a later attempt may succeed."""

    retryable = False

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class MailTransient(MailError):
    """Nothing was handed over; try again later."""

    retryable = True


class MailRefused(MailError):
    """The server refused for good (5xx)."""


class MailOutcomeUnknown(MailError):
    """The message may have arrived (the connection broke during DATA)."""


class MailSender(Protocol):
    def send(self, message: Outgoing, before_data: Callable[[], None]) -> None: ...


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to send (``AIGO_SMTP_*``)."""

    host: str
    port: int = 587
    user: str = ""
    password: Secret = field(default_factory=lambda: Secret(""))
    sender: str = ""
    starttls: bool = True
    timeout: float = 20.0


def _by_code(code: int, reply: bytes | str, what: str) -> MailError:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    kind = MailTransient if 400 <= code < 500 else MailRefused
    return kind(f"{what}: {code} {text}"[:300], code)


def build_message(config: SmtpConfig, message: Outgoing) -> EmailMessage:
    """The MIME message (UTF-8 text; the row's Message-ID on every attempt)."""
    mail = EmailMessage()
    mail["From"] = config.sender
    mail["To"] = message.to_address
    mail["Subject"] = message.subject
    mail["Message-ID"] = message.message_id
    mail["Date"] = formatdate(usegmt=True)
    mail.set_content(message.body)
    return mail


class SmtpSender:
    """One SMTP connection per message (codes are rare; no pool to go stale)."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    def _open(self) -> smtplib.SMTP:
        cfg = self.config
        smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
        smtp.ehlo()
        if cfg.starttls:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if cfg.user:
            smtp.login(cfg.user, cfg.password.get())
        return smtp

    def send(self, message: Outgoing, before_data: Callable[[], None]) -> None:
        """Send ``message``; raise a :class:`MailError` (see the module docstring)."""
        mail = build_message(self.config, message)
        try:
            smtp = self._open()
        except smtplib.SMTPAuthenticationError as exc:
            raise _by_code(exc.smtp_code, exc.smtp_error, "login") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise MailTransient(f"connect: {type(exc).__name__}: {exc}"[:300]) from exc
        try:
            self._envelope(smtp, message)
            before_data()
            try:
                smtp.data(mail.as_bytes())
            except smtplib.SMTPDataError as exc:  # the server answered: not accepted
                raise _by_code(exc.smtp_code, exc.smtp_error, "data") from exc
            except (OSError, smtplib.SMTPException) as exc:
                raise MailOutcomeUnknown(f"data: {type(exc).__name__}: {exc}"[:300]) from exc
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()

    def _envelope(self, smtp: smtplib.SMTP, message: Outgoing) -> None:
        try:
            code, reply = smtp.mail(self.config.sender)
            if code != 250:
                raise _by_code(code, reply, "mail from")
            code, reply = smtp.rcpt(message.to_address)
            if code not in (250, 251):
                raise _by_code(code, reply, "rcpt to")
        except MailError:
            raise
        except (OSError, smtplib.SMTPException) as exc:
            raise MailTransient(f"envelope: {type(exc).__name__}: {exc}"[:300]) from exc
