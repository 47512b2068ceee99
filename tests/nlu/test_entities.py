"""Entity extraction: values per docs/CONTRACTS.md, offsets into the original text."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

import pytest

from nlu import NLUModel
from nlu.model import DATA_DIR
from nlu.normalize import to_traditional
from nlu.training_data import load_training_data

CASES: list[tuple[str, str, Any, str]] = [
    # (message, entity, value, the original text of the span)
    ("我19歲可以參加嗎", "age", 19, "19歲"),
    ("我今年二十歲", "age", 20, "二十歲"),
    ("我十九歲", "age", 19, "十九歲"),
    ("I'm 19 years old", "age", 19, "19 years old"),
    ("補助三萬嗎", "amount", 30000, "三萬"),
    ("3萬是上限嗎", "amount", 30000, "3萬"),
    ("30,000元", "amount", 30000, "30,000元"),
    ("NT$50,000 夠嗎", "amount", 50000, "NT$50,000"),
    ("總獎金2,000萬元", "amount", 20000000, "2,000萬元"),
    ("二十五萬", "amount", 250000, "二十五萬"),
    ("學費是2萬5", "amount", 25000, "2萬5"),  # one digit after 萬 counts thousands
    ("大概三萬五吧", "amount", 35000, "三萬五"),
    ("预算改成10万", "amount", 100000, "10万"),  # 万 is read as 萬
    ("is it 250k?", "amount", 250000, "250k"),
    ("需要台湾身份吗", "nationality", "ROC", "台湾身份"),
    ("can non-ROC staff join", "nationality", "foreign", "non-ROC"),
    ("the shortlist bonus", "prize_stage", "shortlist", "shortlist bonus"),
    ("签约要在构想审查后多久完成", "milestone", "contract_signing", "签约"),  # 签 is 簽 here
    ("a 17-year-old student", "age", 17, "17-year-old"),
    ("the PoC stage prize", "prize_stage", "proof", "PoC stage prize"),
    ("馬來西亞籍可以嗎", "nationality", "foreign", "馬來西亞籍"),
    ("明天截止嗎", "date", "2019-05-21", "明天"),
    ("後天呢", "date", "2019-05-22", "後天"),
    ("后天呢", "date", "2019-05-22", "后天"),
    ("下週五要交", "date", "2019-05-31", "下週五"),
    ("這週五", "date", "2019-05-24", "這週五"),
    ("月底前", "date", "2019-05-31", "月底"),
    ("2019/5/31 截止", "date", "2019-05-31", "2019/5/31"),
    ("5月31日", "date", "2019-05-31", "5月31日"),
    ("5/31 嗎", "date", "2019-05-31", "5/31"),
    ("108/7/15", "date", "2019-07-15", "108/7/15"),
    ("next friday", "date", "2019-05-31", "next friday"),
    ("108-1的時程", "round", "108-1", "108-1"),
    ("108-2", "round", "108-2", "108-2"),
    ("第一梯什麼時候", "round", "108-1", "第一梯"),
    ("第1梯", "round", "108-1", "第1梯"),
    ("上半年", "round", "108-1", "上半年"),
    ("第一場", "round", "108-1", "第一場"),
    ("第二梯呢", "round", "108-2", "第二梯"),
    ("下半年那場", "round", "108-2", "下半年"),
    ("Round 2 deadline", "round", "108-2", "Round 2"),
    ("構想截止", "milestone", "idea_deadline", "構想截止"),
    ("構想書幾號要交", "milestone", "idea_deadline", "構想書"),
    ("idea deadline?", "milestone", "idea_deadline", "idea deadline"),
    ("demo day 是哪天", "milestone", "final_review", "demo day"),
    ("Demo Day", "milestone", "final_review", "Demo Day"),
    ("成果發表會", "milestone", "final_review", "成果發表會"),
    ("說明會在哪", "milestone", "info_session", "說明會"),
    ("構想審查會", "milestone", "idea_review", "構想審查會"),
    ("實證收件截止", "milestone", "poc_deadline", "實證收件截止"),
    ("優等拿多少", "award_tier", "excellent", "優等"),
    ("傑出", "award_tier", "outstanding", "傑出"),
    ("佳作", "award_tier", "merit", "佳作"),
    ("honorable mention", "award_tier", "merit", "honorable mention"),
    ("入圍獎金", "prize_stage", "shortlist", "入圍獎金"),
    ("解題獎補", "prize_stage", "solution_grant", "解題獎補"),
    ("實證獎金", "prize_stage", "proof", "實證獎金"),
    ("外國人扣多少", "nationality", "foreign", "外國人"),
    ("我是外籍生", "nationality", "foreign", "外籍生"),
    ("foreigner", "nationality", "foreign", "foreigner"),
    ("我是台灣人", "nationality", "ROC", "台灣人"),
    ("本國籍", "nationality", "ROC", "本國籍"),
    ("Taiwanese", "nationality", "ROC", "Taiwanese"),
    ("我有AI背景", "expertise", "ai", "AI背景"),
    ("我是產業專家", "expertise", "domain", "產業專家"),
    ("兩者都有", "expertise", "both", "兩者都有"),
    ("English please", "language", "en", "English please"),
    ("講中文", "language", "zh-TW", "講中文"),
    ("寄到 aigo@iii.org.tw", "email", "aigo@iii.org.tw", "aigo@iii.org.tw"),
    ("Chen.W+x@Corp.com.tw 是我", "email", "Chen.W+x@Corp.com.tw", "Chen.W+x@Corp.com.tw"),
    ("02-6631-6666轉6513", "phone", "0266316666#6513", "02-6631-6666轉6513"),
    ("(02)66316666#6513", "phone", "0266316666#6513", "(02)66316666#6513"),
    ("0912-345-678", "phone", "0912345678", "0912-345-678"),
    ("+886 912 345 678", "phone", "0912345678", "+886 912 345 678"),
    ("電話 04-2345-6789 ext 12", "phone", "0423456789#12", "04-2345-6789 ext 12"),
    ("聯繫方式：1234-5678", "phone", "12345678", "1234-5678"),
    ("邀請碼 K7PQ-M2XR", "invite_code", "K7PQM2XR", "K7PQ-M2XR"),
    ("I am 19", "age", 19, "I am 19"),
    ("19 y/o", "age", 19, "19 y/o"),
    ("age 19", "age", 19, "age 19"),
    ("我今年21，外籍生", "age", 21, "我今年21"),
    ("can international students take part?", "nationality", "foreign", "international students"),
    ("overseas applicants ok?", "nationality", "foreign", "overseas"),
    ("國際生可以嗎", "nationality", "foreign", "國際生"),
    ("last day to submit our idea?", "milestone", "idea_deadline", "idea"),
    ("PoC submission date", "milestone", "poc_deadline", "PoC submission"),
    ("when is the award ceremony", "milestone", "final_review", "award ceremony"),
    ("matchmaking event", "milestone", "roundtable", "matchmaking event"),
    ("agreement signing", "milestone", "contract_signing", "agreement signing"),
    ("progress check", "milestone", "site_visit", "progress check"),
    ("那第二梯呢", "round", "108-2", "第二梯"),
    ("what about R2", "round", "108-2", "R2"),
    ("梯次二", "round", "108-2", "梯次二"),
    ("用英文回答", "language", "en", "用英文回答"),
    ("speak Chinese", "language", "zh-TW", "speak Chinese"),
    ("AI", "expertise", "ai", "AI"),
    ("都有啊", "expertise", "both", "都有"),
    ("醫療背景", "expertise", "domain", "醫療背景"),
    ("3月21-25日", "date", "2019-03-21", "3月21-25日"),
    ("下個月初", "date", "2019-06-01", "下個月初"),
    ("邀請碼k7pqm2xr", "invite_code", "K7PQM2XR", "k7pqm2xr"),
    ("ＫＷＡＮ－ＧＨＰＴ 邀請碼", "invite_code", "KWANGHPT", "ＫＷＡＮ－ＧＨＰＴ"),
]


@pytest.mark.parametrize(("text", "entity", "value", "span"), CASES)
def test_entity(
    model: NLUModel, now: datetime, text: str, entity: str, value: Any, span: str
) -> None:
    found = [e for e in model.parse(text, now)["entities"] if e["entity"] == entity]
    assert found, f"no {entity} in {text!r}: {model.parse(text, now)['entities']}"
    e = found[0]
    assert e["value"] == value
    assert text[e["start"] : e["end"]] == span
    assert e["extractor"] in ("RegexEntityExtractor", "LookupEntityExtractor")


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("students are welcome", "invite_code"),  # letters only, no cue: an English word
        ("一個人可以報名嗎", "amount"),
        ("萬一我沒交呢", "amount"),
        ("第二屆有幾題", "round"),  # 屆 is the edition, not the round
        ("AIGO 是什麼", "expertise"),
        ("2015/01/01-2015/12/31", "phone"),
        ("中國人可以嗎", "nationality"),
        ("幫我翻譯這段英文", "language"),
        ("構想書可以寫英文嗎", "language"),
        ("AI 競賽有哪些", "expertise"),
    ],
)
def test_no_false_entity(model: NLUModel, now: datetime, text: str, entity: str) -> None:
    assert [e for e in model.parse(text, now)["entities"] if e["entity"] == entity] == []


def test_invalid_dates_are_skipped(model: NLUModel, now: datetime) -> None:
    assert [e for e in model.parse("2月30日", now)["entities"] if e["entity"] == "date"] == []


def test_entities_do_not_overlap(model: NLUModel, now: datetime) -> None:
    ents = model.parse("第二梯構想截止是7月15日嗎 電話0912345678 邀請碼 K7PQ-M2XR", now)["entities"]
    spans = sorted((e["start"], e["end"]) for e in ents)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert {e["entity"] for e in ents} >= {"round", "milestone", "date", "phone", "invite_code"}


def test_annotated_training_entities_are_found(model: NLUModel, now: datetime) -> None:
    """Every entity annotated in the training data is extracted with the same value (after the
    data's synonyms, as Rasa's EntitySynonymMapper would map it)."""
    data = load_training_data(DATA_DIR)
    synonyms = {to_traditional(k): v for k, v in data.synonyms.items()}
    missed = []
    for example in data.examples:
        found = model.parse(example.text, now)["entities"]
        for ann in example.entities:
            hit = [
                e
                for e in found
                if e["entity"] == ann.entity and e["start"] < ann.end and ann.start < e["end"]
            ]
            if ann.entity == "date":
                ok = bool(hit)
            else:
                want = synonyms.get(to_traditional(ann.value), ann.value)
                ok = any(str(e["value"]) == want for e in hit)
            if not ok:
                missed.append((example.text, ann.entity, ann.value, found))
    assert not missed, missed[:10]


def test_a_challenge_id_is_found_next_to_chinese(model: NLUModel, now: datetime) -> None:
    for text in ("幫我們申請AIGO-108-0018", "AIGO-108-0004的標題要改", "challenge aigo 108 0007"):
        refs = [
            e["value"] for e in model.parse(text, now)["entities"] if e["entity"] == "challenge_ref"
        ]
        assert refs and refs[0].startswith("AIGO-108-"), text
    assert not [
        e for e in model.parse("XAIGO-108-00071", now)["entities"] if e["entity"] == "challenge_ref"
    ]
