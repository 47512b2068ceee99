"""``aigo teams export`` / ``challenges export``: XLSX files, zh headers, Asia/Taipei times."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main
from db import make_engine, make_session_factory, upgrade
from db.teams import create_team
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
