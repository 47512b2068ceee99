"""Organiser exports open in Excel: CSV with BOM + CRLF, XLSX, zh/en headers, local times."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from bot import exports
from bot.exports import Sheet

JOINED = datetime(2019, 5, 20, 2, 30, tzinfo=UTC)  # 10:30 in Taipei
ROWS = [
    {"team": "醫療AI隊", "created_at": JOINED, "name": "王小明", "role": "leader", "age": "25"},
    {"team": '=HYPERLINK("x")', "created_at": "2019-05-21T00:00:00+00:00", "name": None},
]


def test_csv_has_bom_crlf_and_zh_headers_with_taipei_times() -> None:
    data = exports.to_bytes(Sheet("teams", ROWS), "csv", "zh")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0].startswith("團隊名稱,團隊建立時間,使用者編號,姓名,角色,年齡")
    assert lines[1].startswith("醫療AI隊,2019-05-20 10:30:00+08:00,,王小明,leader,25")
    assert lines[2].startswith('"\'=HYPERLINK(""x"")",2019-05-21 08:00:00+08:00,,,')
    assert lines[-1] == "" and "\n" not in text.replace("\r\n", "")


def test_english_headers() -> None:
    text = exports.to_bytes(Sheet("challenges", []), "csv", "en").decode("utf-8-sig")
    assert text.startswith("Reference,Status,Organisation,Contact person,Contact phone,Email,")
    assert text.count("\r\n") == 1


def test_xlsx_round_trips_as_text_never_formulas() -> None:
    data = exports.to_bytes(Sheet("teams", ROWS), "xlsx", "en")
    book = load_workbook(io.BytesIO(data))
    sheet = book["teams"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["Team", "Team created at", "User ID"]
    assert rows[1][:2] == ["醫療AI隊", "2019-05-20 10:30:00+08:00"]
    assert rows[2][0] == '=HYPERLINK("x")'
    assert sheet["A3"].data_type == "s"
    assert sheet.freeze_panes == "A2"


def test_xlsx_leaves_out_control_characters_a_workbook_cannot_hold() -> None:
    """A team name typed with control characters (a chat user can) used to fail the export."""
    rows = [{"team": "醫療\x01AI\x0b隊\x1f", "name": "王\t小明\n"}]
    book = load_workbook(io.BytesIO(exports.to_bytes(Sheet("teams", rows), "xlsx", "en")))
    values = [c.value for c in next(book["teams"].iter_rows(min_row=2))]
    assert values[0] == "醫療AI隊" and values[3] == "王\t小明\n"  # tab and line break kept
    doc = json.loads(exports.to_bytes(Sheet("teams", rows), "json"))
    assert doc[0]["team"] == rows[0]["team"]  # JSON keeps every character


def test_json_is_keyed_by_column_with_local_times() -> None:
    doc = json.loads(exports.to_bytes(Sheet("teams", ROWS[:1]), "json"))
    assert doc[0]["created_at"] == "2019-05-20 10:30:00+08:00"
    assert doc[0]["user_id"] is None and next(iter(doc[0])) == "team"


def test_unknown_sheet_and_filename() -> None:
    with pytest.raises(exports.UnknownSheet) as raised:
        exports.columns("nope")
    assert raised.value.sheet == "nope"
    assert exports.filename(Sheet("teams", []), "xlsx", JOINED) == "teams-20190520-1030.xlsx"


def test_flag_columns_read_yes_no_in_the_header_language() -> None:
    rows = [
        {"name": "Ana", "foreign_national": True},
        {"name": "王小明", "foreign_national": False},
        {"name": "未填", "foreign_national": None},
    ]
    zh = exports.to_bytes(Sheet("teams", rows), "csv", "zh").decode("utf-8-sig").split("\r\n")
    en = exports.to_bytes(Sheet("teams", rows), "csv", "en").decode("utf-8-sig").split("\r\n")
    at = exports.columns("teams").index(
        next(c for c in exports.columns("teams") if c.key == "foreign_national")
    )
    assert zh[0].split(",")[at] == "外籍人士（待主辦單位確認）"
    assert en[0].split(",")[at] == "Foreign national (to confirm)"
    assert [line.split(",")[at] for line in zh[1:4]] == ["是", "否", ""]
    assert [line.split(",")[at] for line in en[1:4]] == ["yes", "no", ""]
    doc = json.loads(exports.to_bytes(Sheet("teams", rows), "json"))
    assert [d["foreign_national"] for d in doc] == [True, False, None]
