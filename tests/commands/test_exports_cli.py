"""``aigo teams export`` / ``challenges export``: XLSX files, zh headers, Asia/Taipei times."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main
from db import make_engine, make_session_factory, upgrade
from db.teams import add_member, create_team, save_profile
from db.users import get_or_create_user


def test_teams_xlsx_with_zh_headers_and_local_times(aigo_env: Path) -> None:
    url = f"sqlite:///{aigo_env / 'aigo.db'}"
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        user = get_or_create_user(session=session, channel="line", external_id="U1")
        create_team(
            session=session,
            name="醫療AI隊",
            leader_user_id=user.id,
            now=datetime(2019, 5, 20, 2, 0, tzinfo=UTC),
        )
    engine.dispose()
    out = aigo_env / "teams.xlsx"
    assert main(["teams", "export", "--format", "xlsx", "--output", str(out)]) == 0
    rows = [[c.value for c in r] for r in load_workbook(out)["teams"].iter_rows()]
    assert rows[0][:2] == ["團隊名稱", "團隊建立時間"]
    assert rows[1][:2] == ["醫療AI隊", "2019-05-20 10:00:00+08:00"]


def test_csv_export_to_stdout(aigo_env: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["challenges", "export", "--headers", "en"]) == 0
    out = capsysbinary.readouterr().out
    assert out.startswith("\ufeffReference,Status,Organisation,Contact person,".encode())
    assert out.endswith(b"Delivery method\r\n")


def test_foreign_nationals_have_their_own_column(
    aigo_env: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    url = f"sqlite:///{aigo_env / 'aigo.db'}"
    upgrade(url)
    engine = make_engine(url)
    now = datetime(2019, 5, 20, 2, 0, tzinfo=UTC)
    with make_session_factory(engine).begin() as session:
        lead = get_or_create_user(session=session, channel="line", external_id="U1")
        mate = get_or_create_user(session=session, channel="line", external_id="U2")
        team = create_team(session=session, name="醫療AI隊", leader_user_id=lead.id, now=now)
        add_member(session=session, team=team, user_id=mate.id, role="member", now=now)
        for user, nationality in ((lead, "ROC"), (mate, "foreign")):
            save_profile(session=session, user_id=user.id, age=22, birth_date=None,
                         nationality=nationality, expertise="ai", now=now)  # fmt: skip
    engine.dispose()
    expected = {
        "zh": ("外籍人士（待主辦單位確認）", ["否", "是"]),
        "en": ("Foreign national (to confirm)", ["no", "yes"]),
    }
    for headers, (title, flags) in expected.items():
        assert main(["teams", "export", "--headers", headers]) == 0
        lines = capsysbinary.readouterr().out.decode("utf-8-sig").split("\r\n")
        at = lines[0].split(",").index(title)
        assert [line.split(",")[at] for line in lines[1:3]] == flags
