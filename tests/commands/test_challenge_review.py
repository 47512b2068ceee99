"""``aigo challenges review``: organisers list or return a challenge; its organisation is told in
its chat (LINE / Telegram through the fake platforms), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from db import challenges
from db.organisers import audit_entries
from db.subscriptions import unsubscribe
from tests.actions.forms_support import NOW
from tests.fakes import FakeLine, FakeTelegram
from tests.reminders.conftest import add_user


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, db_url: str, fake_platform_env: dict[str, str]) -> None:
    values = {"AIGO_DATABASE_URL": db_url, "AIGO_NOW": "2019-05-28T10:00:00+08:00"}
    for key, value in {**fake_platform_env, **values}.items():
        monkeypatch.setenv(key, value)


def _submitted(
    session: Session, channel: str, external_id: str, title: str, lang: str, org: str = "大同醫院"
) -> str:
    user_id = add_user(session, channel, external_id, subscribed=False, lang=lang)
    organisation = challenges.get_or_create_organisation(session=session, name=org, user_id=user_id)
    draft = challenges.save_draft(
        session=session, user_id=user_id, organisation=organisation, contact={},
        challenge={"title": title}, dataset={}, now=NOW,
    )  # fmt: skip
    challenges.submit(session=session, challenge=draft, limit=3, now=NOW)
    return str(draft.reference)


def test_list_and_return_tell_the_organisation_in_its_chat(
    env: None, sessions: sessionmaker[Session], fake_line: FakeLine,
    fake_telegram: FakeTelegram, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    with sessions.begin() as session:
        on_line = _submitted(session, "line", "Uorg", "病歷摘要", "zh-TW")
        on_telegram = _submitted(session, "telegram", "4242", "X-ray triage", "en", "Acme Taiwan")
        user = add_user(session, "telegram", "9999")
        unsubscribe(session=session, user_id=user, now=NOW)  # reminders off: notices still go
    assert main(["challenges", "review", on_line.lower(), "--list"]) == 0
    assert f"{on_line}: listed (大同醫院)" in capsys.readouterr().out
    pushed = [m["text"] for m in fake_line.messages_to("Uorg")]
    assert pushed == [
        f"【AIGO】貴單位的題目 {on_line}「病歷摘要」已通過審查並上架，學生團隊現在可以申請解題。"
    ]
    assert (
        main(["challenges", "review", on_telegram, "--return", "Please describe the fields"]) == 0
    )
    sent = fake_telegram.texts_to(4242)
    assert len(sent) == 1 and "was returned" in sent[0] and "Please describe the fields" in sent[0]
    with sessions() as session:
        returned = challenges.find_by_reference(session=session, reference=on_telegram)
        assert returned is not None and returned.status == "returned"
        assert returned.review_note == "Please describe the fields" and returned.org_slot is None
        logged = [(e.actor, e.action, e.target, e.detail) for e in audit_entries(session=session)]
    assert logged == [
        ("cli", "challenge.return", on_telegram, {"reason": "Please describe the fields"}),
        ("cli", "challenge.list", on_line, {}),
    ]


def test_review_refuses_what_the_lifecycle_does_not_allow(
    env: None, sessions: sessionmaker[Session], fake_line: FakeLine,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    with sessions.begin() as session:
        ref = _submitted(session, "line", "Uorg2", "題目", "zh-TW")
    assert main(["challenges", "review", "AIGO-108-0999", "--list"]) == 1
    assert "no challenge AIGO-108-0999" in capsys.readouterr().err
    assert main(["challenges", "review", ref, "--return", "  "]) == 1
    assert "needs a reason" in capsys.readouterr().err
    assert main(["challenges", "review", ref, "--close"]) == 1
    assert f"cannot close challenge {ref} while submitted" in capsys.readouterr().err
    assert fake_line.messages_to("Uorg2") == []
    with sessions() as session:
        found = challenges.find_by_reference(session=session, reference=ref)
        assert found is not None and found.status == "submitted"
