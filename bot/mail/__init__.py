"""E-mail: the outbox's dispatcher and a pluggable SMTP sender (issue 16, identity).

Flow: an action writes a message into ``email_outbox`` in its turn's transaction
(:mod:`db.email_outbox`) → :class:`~bot.mail.dispatcher.MailDispatcher` claims due rows and sends
each through a :class:`~bot.mail.smtp.MailSender` (``SmtpSender`` from the ``AIGO_SMTP_*``
settings), with retries, dead letters and "outcome unknown" instead of a second copy.
"""

from bot.mail.dispatcher import MailDispatcher, MailStats
from bot.mail.smtp import (
    MailError,
    MailOutcomeUnknown,
    MailRefused,
    MailSender,
    MailTransient,
    SmtpConfig,
    SmtpSender,
)

__all__ = [
    "MailDispatcher",
    "MailError",
    "MailOutcomeUnknown",
    "MailRefused",
    "MailSender",
    "MailStats",
    "MailTransient",
    "SmtpConfig",
    "SmtpSender",
]
