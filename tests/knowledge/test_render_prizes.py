"""Prize answers beyond one tier (knowledge.render_prizes): amounts computed from the data."""

from __future__ import annotations

import knowledge
from knowledge.render_prizes import (
    render_compare_stages,
    render_compare_tiers,
    render_maximum,
    render_mixed_tax,
    render_no_award,
    render_stage_about,
    render_stage_after_tax,
)

P = knowledge.load()


def test_no_award_is_the_shortlist_prize_plus_the_solution_grant() -> None:
    zh = render_no_award(P, "zh-TW")
    assert zh.startswith("可以，只要構想入圍")
    assert "入圍獎金5萬元和解題獎補25萬元，合計最多30萬元" in zh
    en = render_no_award(P, "en")
    assert "up to NT$300,000 in all" in en


def test_stage_after_tax_lists_each_award_net() -> None:
    both = render_stage_after_tax(P, "proof", None, "zh-TW")
    assert "・優等30萬元：本國籍實得27萬元，外籍人士實得24萬元" in both
    foreign = render_stage_after_tax(P, "shortlist", "foreign", "en")
    assert "shortlist prize NT$50,000: after 20% withholding for foreigners, NT$40,000" in foreign
    assert "receipts" in render_stage_after_tax(P, "solution_grant", None, "en")


def test_comparisons_say_which_is_more_and_by_how_much() -> None:
    assert render_compare_tiers(P, "merit", "outstanding", "zh-TW").startswith("傑出比佳作多20萬元")
    assert render_compare_stages(P, "shortlist", "proof", "zh-TW").startswith("實證獎金比較多")
    fixed = render_compare_stages(P, "shortlist", "solution_grant", "en")
    assert fixed.startswith("The solution grant is more, by NT$200,000")


def test_mixed_team_tax_is_not_in_the_data() -> None:
    text = render_mixed_tax(P, "zh-TW")
    assert text.startswith("計畫資料沒有說明本國籍和外籍成員同一隊時")
    assert "代扣10%稅額" in text and "代扣20%稅額" in text and "aigo@iii.org.tw" in text


def test_maximum_is_said_once_with_the_training_subsidy() -> None:
    text = render_maximum(P, "zh-TW")
    assert text.startswith("每隊全程一題最高可得70萬元（傑出：")
    assert text.count("70萬元") == 1  # the lead only, not the summary again
    assert "每人每年最高3萬元" in text


def test_every_stage_says_what_it_is() -> None:
    for stage in P.prizes.stages:
        assert render_stage_about(P, stage.id, "zh-TW")
        assert render_stage_about(P, stage.id, "en")
