"""Joining an owned organisation in the chat with a code e-mailed to its registered address
(issue 16): REST channel, the e-mail outbox, its dispatcher and a local SMTP server."""

from __future__ import annotations

import re
from dataclasses import replace

import sqlalchemy as sa

from bot.mail.service import dispatcher_for
from bot.services import Services
from db.models import OrganisationMember
from db.users import find_user
from tests.actions.forms_support import payloads, rest, submitted_challenge, text
from tests.fakes.smtp import FakeSmtp


async def _deliver(services: Services, smtp: FakeSmtp) -> str:
    """Send what the e-mail outbox holds to ``smtp``; return the code of the newest e-mail."""
    settings = replace(services.settings, smtp_host="127.0.0.1", smtp_port=smtp.port,
                       smtp_from="aigo@example.org", smtp_starttls=False)  # fmt: skip
    dispatcher = dispatcher_for(settings, services.session_factory)
    assert dispatcher is not None
    await dispatcher.drain()
    mail = smtp.received[-1]
    assert mail.recipients == ["a@b.com.tw"]  # the owner's registered address, not the asker's
    found = re.search(r"\b(\d{6})\b", mail.body)
    assert found is not None and found.group(1) in mail.subject
    return found.group(1)


async def test_a_stranger_joins_with_the_code_sent_to_the_registered_address(
    services: Services, fake_smtp: FakeSmtp
) -> None:
    with services.session_factory.begin() as session:
        submitted_challenge(session, "大同醫院", "病床調度", external_id="owner")
    await rest(services, "colleague", "我要出題")
    refused = await rest(services, "colleague", "大同醫院")
    assert "已經由其他人登記" in text(refused) and "a***@b.com.tw" in text(refused)
    assert "寄驗證碼到 Email" in payloads(refused)
    sent = text(await rest(services, "colleague", "寄驗證碼到 Email"))
    assert "已寄出 6 位數驗證碼到 a***@b.com.tw" in sent and "30 分鐘內有效" in sent
    code = await _deliver(services, fake_smtp)
    assert "「大同醫院」" in fake_smtp.received[-1].body
    wrong = "111111" if code != "111111" else "222222"
    assert "還可以再試 4 次" in text(await rest(services, "colleague", wrong))
    joined = text(await rest(services, "colleague", f"{code[:3]} {code[3:]}"))
    assert "已加入「大同醫院」" in joined and "聯繫窗口" in joined
    with services.session_factory() as session:
        user = find_user(session=session, channel="rest", external_id="colleague")
        assert user is not None
        via = session.scalar(
            sa.select(OrganisationMember.via).where(OrganisationMember.user_id == user.id)
        )
        assert via == "email"
    # the code worked once: nobody else can use it
    await rest(services, "someone", "我要出題")
    await rest(services, "someone", "大同醫院")
    assert "已過期或已經用過" in text(await rest(services, "someone", code))
    assert len(fake_smtp.received) == 1


async def test_in_english_and_too_many_emails(services: Services, fake_smtp: FakeSmtp) -> None:
    with services.session_factory.begin() as session:
        submitted_challenge(session, "Acme Taiwan", "Forecasting", external_id="owner")
    await rest(services, "jane", "I want to post a challenge")
    refused = text(await rest(services, "jane", "ACME Taiwan Inc."))
    assert '"Acme Taiwan" is already registered by someone else' in refused
    assert "a***@b.com.tw" in refused
    for _ in range(3):
        sent = text(await rest(services, "jane", "E-mail me a code"))
        assert "on its way to a***@b.com.tw" in sent
    refused_mail = text(await rest(services, "jane", "e-mail me a code"))
    assert "was sent to a***@b.com.tw recently" in refused_mail
    code = await _deliver(services, fake_smtp)
    assert len(fake_smtp.received) == 3
    assert fake_smtp.received[-1].subject == f"AIGO organisation code: {code}"
    joined = text(await rest(services, "jane", code))  # only the newest code works
    assert 'You have joined "Acme Taiwan"' in joined
    # the owner's invite code, asked in English; someone who owns nothing is told so
    await rest(services, "owner", "hello, I speak English")
    issued = text(await rest(services, "owner", "organisation invite code"))
    assert 'Organisation invite code for "Acme Taiwan"' in issued and "48 hours" in issued
    nothing = text(await rest(services, "nobody", "give me an organisation invite code please"))
    assert "You don't own an organisation" in nothing
