"""The per-organisation limit through the REST channel, and the export round trip (SQLite and
PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from bot import exports
from bot.cli import main
from bot.services import Services
from db.models import Challenge
from tests.actions.forms_support import join_organisation, rest, submitted_challenge, text

ANSWERS = {
    "org_name": "大同醫院",
    "org_contact": "王經理",
    "org_phone": "02-2345-6789 轉 12",
    "org_email": "wang@tatung.com.tw",
    "challenge_title": "病床調度預測",
    "challenge_description": "預測未來一週的住院人數，協助病床與人力調度，並說明資料限制",
    "challenge_category": "數據分析",
    "challenge_industry": "醫療保健",
    "challenge_dataset_type": "CSV 表格",
    "challenge_data_readiness": "已去識別化",
    "challenge_expected_outcome": "預測誤差 10% 以內",
    "challenge_resources": "跳過",
    "challenge_incentives": "實習職缺 2 人",
    "challenge_presentation": "https://example.org/slides.pdf",
    "dataset_name": "住院紀錄",
    "dataset_field_names": "入院日、科別、床號",
    "dataset_encoding": "UTF-8",
    "dataset_file_type": "CSV檔",
    "dataset_volume": "12萬筆",
    "dataset_time_range": "2016/01/01-2018/12/31",
    "dataset_delivery_method": "雲端硬碟下載",
}


async def fill(services: Services, sender: str) -> str:
    """Answer every question of the form; return the summary."""
    await rest(services, sender, "我要出題")
    replies: list[str] = []
    for answer in ANSWERS.values():
        replies.append(text(await rest(services, sender, answer)))
    return replies[-1]


async def test_fourth_submission_is_refused_with_the_rule_and_the_list(services: Services) -> None:
    summary = await fill(services, "org")
    assert "請確認以下出題資料" in summary and "住院紀錄" in summary
    # meanwhile three challenges of the same organisation get submitted elsewhere
    with services.session_factory.begin() as session:
        submitted_challenge(session, "大同醫院", "既有題目0", external_id="o0")  # the owner
        for colleague in ("o1", "o2", "org", "org2"):  # joined with the owner's codes
            join_organisation(session, "大同醫院", colleague)
        for i in (1, 2):
            submitted_challenge(session, "大同醫院", f"既有題目{i}", external_id=f"o{i}")
    refused = text(await rest(services, "org", "確認"))
    assert "已達上限" in refused and "出題單位最多出題數：3題" in refused
    for i in range(3):
        assert f"AIGO-108-000{i + 1}　既有題目{i}（已送出，審查中）" in refused
    with services.session_factory() as session:
        draft = session.query(Challenge).filter(Challenge.title == "病床調度預測").one()
        assert draft.status == "draft" and draft.reference is None
    # starting again with the same organisation is refused right away (drafts don't count)
    await rest(services, "org2", "我要出題")
    early = text(await rest(services, "org2", "大同醫院"))
    assert "無法再送出新題目" in early and "既有題目2" in early
    assert "聯繫窗口" not in early


@pytest.mark.parametrize("lang", ["zh-TW", "en"])
async def test_the_limit_is_checked_before_the_form_opens(services: Services, lang: str) -> None:
    """「我還想再出一題」 from an organisation at its limit: refused at once with the rule and the
    challenges (the submission's count), no form and no draft; under the limit the form opens."""
    with services.session_factory.begin() as session:
        for i in range(3):
            submitted_challenge(session, "大同醫院", f"既有題目{i}", external_id="full")
        submitted_challenge(session, "小港醫院", "唯一題目", external_id="room")
    again = "我還想再出一題" if lang == "zh-TW" else "I'd like to post another challenge"
    refused = text(await rest(services, "full", again))
    if lang == "zh-TW":
        assert "大同醫院 已經送出 3 題，已達上限" in refused
        assert "出題單位最多出題數：3題" in refused
        assert "AIGO-108-0003　既有題目2（已送出，審查中）" in refused
    else:
        assert "has already submitted 3 challenges" in refused and "at most 3" in refused
    assert "1/21" not in refused and "題目名稱" not in refused
    with services.session_factory() as session:
        assert session.query(Challenge).filter(Challenge.status == "draft").count() == 0
    # the next message is not taken as a field of a form that never opened
    after = text(await rest(services, "full", "宏達智能"))
    assert "聯繫窗口" not in after and "contact person" not in after
    opened = text(await rest(services, "room", again))
    assert "5/21" in opened and "已達上限" not in opened and "limit" not in opened


async def test_export_round_trip_and_organisation_filter(
    services: Services, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    await fill(services, "org")
    assert "AIGO-108-0001" in text(await rest(services, "org", "確認"))
    with services.session_factory.begin() as session:
        submitted_challenge(session, "別家公司", "別家的題目")
    monkeypatch.setenv("AIGO_DATABASE_URL", services.settings.database_url)
    assert main(["challenges", "export", "--format", "json", "--organisation", "大同醫院"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    expected = {
        "reference": "AIGO-108-0001",
        "status": "submitted",
        "organisation": "大同醫院",
        "contact_name": "王經理",
        "phone": "02-2345-6789 轉 12",
        "email": "wang@tatung.com.tw",
        "title": "病床調度預測",
        "description": ANSWERS["challenge_description"],
        "category": "數據分析類",
        "industry": "醫療保健",
        "dataset_type": "CSV 表格",
        "data_readiness": "已去識別化",
        "expected_outcome": "預測誤差 10% 以內",
        "resources": None,
        "incentives": "實習職缺 2 人",
        "presentation": "https://example.org/slides.pdf",
        "dataset_name": "住院紀錄",
        "dataset_field_names": "入院日、科別、床號",
        "dataset_encoding": "UTF-8",
        "dataset_file_type": "CSV檔",
        "dataset_volume": "12萬筆",
        "dataset_time_range_start": "2016-01-01",
        "dataset_time_range_end": "2018-12-31",
        "dataset_delivery_method": "雲端硬碟下載",
    }
    assert row == expected
    assert main(["challenges", "export", "--format", "csv", "--status", "submitted"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\ufeff題目編號,狀態,出題單位名稱") and out.endswith("\r\n")
    keys = [c.key for c in exports.columns("challenges")]
    rows = [dict(zip(keys, r, strict=True)) for r in csv.reader(io.StringIO(out))][1:]
    assert [r["organisation"] for r in rows] == ["別家公司", "大同醫院"]
    assert rows[1] == {k: v or "" for k, v in expected.items()}
    assert main(["challenges", "list"]) == 0
    listing = capsys.readouterr().out
    assert "AIGO-108-0001" in listing and "2 challenge(s)" in listing


async def test_teams_export(
    services: Services, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.actions.forms_support import register_team

    await register_team(services, "lead", "王隊長", "醫療AI隊", "兩者都有")
    monkeypatch.setenv("AIGO_DATABASE_URL", services.settings.database_url)
    assert main(["teams", "export", "--format", "json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["team"] == "醫療AI隊" and row["name"] == "王隊長" and row["role"] == "leader"
    assert (row["age"], row["nationality"], row["expertise"]) == ("25", "ROC", "both")
    assert main(["teams", "list"]) == 0
    assert "醫療AI隊" in capsys.readouterr().out
