"""Reply rendering in zh-TW and en."""

from __future__ import annotations

from datetime import datetime

import pytest

import knowledge
from knowledge import Profile, assess, format_amount
from knowledge._format import display_width

P = knowledge.load()
NOW = datetime.fromisoformat("2019-05-20T10:00+08:00")


@pytest.mark.parametrize(
    ("amount", "zh", "en"),
    [
        (50_000, "5萬元", "NT$50,000"),
        (700_000, "70萬元", "NT$700,000"),
        (20_000_000, "2,000萬元", "NT$20 million"),
        (12_345, "12,345元", "NT$12,345"),
    ],
)
def test_amounts(amount: int, zh: str, en: str) -> None:
    assert format_amount(amount, "zh-TW") == zh
    assert format_amount(amount, "en") == en


@pytest.mark.parametrize(
    ("milestone", "round_id", "zh", "en"),
    [
        ("idea_deadline", "108-1", "5月31日（五）中午12:00", "Fri 31 May, 12:00 noon"),
        ("info_session", "108-1", "3月21-25日", "21–25 March"),
        ("roundtable", "108-1", "5月2-3日", "2–3 May"),
        ("site_visit", "108-1", "8月", "August"),
        ("poc_deadline", "108-1", "10月下旬", "late October"),
        ("poc_deadline", "108-2", "11月中旬", "mid-November"),
        ("final_review", "108-2", "11月下旬", "late November"),
        ("matching_period", "108-1", "3月至5月", "March to May"),
        ("matching_period", "108-2", "題目上架至7月中旬", "from challenge listing until mid-July"),
        ("contract_signing", "108-2", "構想審查後1個月內", "within 1 month after the idea review"),
    ],
)
def test_dates_as_the_seed_states_them(milestone: str, round_id: str, zh: str, en: str) -> None:
    d = P.date(milestone, round_id)
    assert knowledge.format_date(P, d, "zh-TW") == zh
    assert knowledge.format_date(P, d, "en") == en
    if not d.exact:  # approximate zh renderings equal the seed's own words
        assert zh.replace("中午12:00", "") == d.spec.as_stated.replace(" ", "").rstrip("*")


def test_milestone_with_time_left_and_notes() -> None:
    zh = knowledge.render_milestone(P, "idea_deadline", "108-1", "zh-TW", NOW)
    assert zh == "108-1場 構想收件截止：5月31日（五）中午12:00（還有11天2小時）"
    en = knowledge.render_milestone(P, "idea_deadline", "108-1", "en", NOW)
    assert "Fri 31 May, 12:00 noon (11 days 2 hours left)" in en
    poc = knowledge.render_milestone(P, "poc_deadline", "108-1", "en", NOW)
    assert "late October" in poc and "subject to change" in poc
    signing = knowledge.render_milestone(P, "contract_signing", "108-2", "zh-TW", NOW)
    assert "構想審查後1個月內" in signing and "8月25日（日）" in signing
    later = datetime.fromisoformat("2019-06-01T09:00+08:00")
    assert "已截止" in knowledge.render_milestone(P, "idea_deadline", "108-1", "zh-TW", later)
    assert "(in progress)" in knowledge.render_milestone(P, "matching_period", "108-1", "en", NOW)


def test_next_deadline_and_phase() -> None:
    assert "構想收件截止" in knowledge.render_next_deadline(P, "zh-TW", NOW)
    end = datetime.fromisoformat("2019-12-31T09:00+08:00")
    assert "https://aigo.org.tw/" in knowledge.render_next_deadline(P, "en", end)
    assert knowledge.render_phase(P, "en", NOW).splitlines()[0].endswith("accepting ideas")


def test_tier_totals_render_computed_amounts() -> None:
    zh = knowledge.render_tier_total(P, "excellent", None, "zh-TW")
    assert zh == "優等：入圍獎金5萬元 + 解題獎補25萬元 + 實證獎金30萬元 = 60萬元"
    assert "實得63萬元" in knowledge.render_tier_total(P, "outstanding", "ROC", "zh-TW")
    en = knowledge.render_tier_total(P, "merit", "foreign", "en")
    assert en.endswith("after 20% withholding for foreigners (NT$100,000) you receive NT$400,000")


def test_prize_summary() -> None:
    zh = knowledge.render_prize_summary(P, "zh-TW")
    for part in (
        "入圍獎金5萬元",
        "簽合作文件10萬元",
        "傑出40萬元",
        "最高70萬元",
        "2,000萬元以上",
        "20%",
    ):
        assert part in zh
    en = knowledge.render_prize_summary(P, "en")
    assert "NT$700,000" in en and "over NT$20 million" in en


def test_eligibility_rendering() -> None:
    young = assess(P, Profile(age=19, nationality="ROC", expertise="ai", in_team=True), NOW)
    zh = knowledge.render_eligibility(P, young, "zh-TW")
    assert zh.splitlines()[0] == "依您提供的資料，您目前不符合申請資格。"
    assert "未滿20歲" in zh and "原則以年滿20歲具中華民國國籍之自然人" in zh
    foreign = assess(P, Profile(age=30, nationality="foreign", expertise="ai", in_team=True), NOW)
    en = knowledge.render_eligibility(P, foreign, "en")
    assert "in principle" in en and "aigo@iii.org.tw" in en


def test_static_texts() -> None:
    contact = knowledge.render_contact(P, "zh-TW")
    assert "02-6631-6666 轉 6513" in contact and "https://www.facebook.com/aigoplan" in contact
    assert "NT$30,000" in knowledge.render_training_subsidy(P, "en")
    assert "3萬元" in knowledge.render_training_subsidy(P, "zh-TW")
    assert "1個解題團隊" in knowledge.render_team_rules(P, "zh-TW")
    assert "https://aigo.org.tw/" in knowledge.render_application_process(P, "en")
    assert "最多可出3題" in knowledge.render_challenge_posting(P, "zh-TW")
    overview = knowledge.render_programme_overview(P, "zh-TW")
    assert all(n in overview for n in ("42家", "74題", "33隊", "46案", "138人次", "21個"))
    assert "2.05" in knowledge.render_showcase(P, "en")


@pytest.mark.parametrize("lang", ["zh-TW", "en"])
def test_schedule_table_is_aligned(lang: knowledge.Lang) -> None:
    table = knowledge.render_schedule_table(P, None, lang)
    lines = table.splitlines()
    rows = lines[2:14]
    assert len(rows) == 12
    dashes = rows[1].split("  ")
    width = display_width(dashes[0])
    for row in [rows[0], *rows[2:]]:
        # the second column starts right after the padded first column
        prefix = ""
        for ch in row:
            if display_width(prefix) >= width:
                break
            prefix += ch
        assert display_width(prefix) == width and row[len(prefix) : len(prefix) + 2] == "  "
    assert lines[-1].startswith("註") if lang == "zh-TW" else lines[-1].startswith("Note")
