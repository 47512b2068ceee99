"""Answer actions run with a real rasa_sdk Tracker and CollectingDispatcher (no engine, no NLU)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions.answers import actions as answers
from actions.answers._cues import cues_in

MAY_20 = "2019-05-20T10:00:00+08:00"
JUNE_10 = "2019-06-10T09:00:00+08:00"
RULES = Path(__file__).resolve().parents[2] / "bot" / "rules.yml"


async def ask(
    action: type[Action],
    text: str,
    *,
    intent: str = "",
    confidence: float = 1.0,
    entities: dict[str, Any] | None = None,
    slots: dict[str, Any] | None = None,
    now: str = MAY_20,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Run ``action`` on one message; return (dispatched messages, slots it set)."""
    latest = {
        "text": text,
        "intent": {"name": intent or "nlu_fallback", "confidence": confidence},
        "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
        "metadata": {"now": now},
    }
    state = {"language": "zh-TW", **(entities or {}), **(slots or {})}
    tracker = Tracker("t", state, latest, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = await action().run(dispatcher, tracker, {})
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def text_of(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def payloads(messages: list[dict[str, Any]]) -> list[str]:
    return [b["payload"] for m in messages for b in m.get("buttons") or []]


# -- schedule ------------------------------------------------------------------------------


async def test_deadline_without_round_answers_upcoming_round_and_mentions_the_other() -> None:
    messages, slots = await ask(
        answers.ActionAnswerSchedule,
        "構想書幾號要交",
        intent="ask_schedule",
        entities={"milestone": "idea_deadline"},
    )
    text = text_of(messages)
    assert "108-1場 構想收件截止：5月31日（五）中午12:00（還有11天2小時）" in text
    assert "108-2場則是7月15日（一）中午12:00" in text
    assert '/ask_schedule{"round": "108-2", "milestone": "idea_deadline"}' in payloads(messages)
    assert slots == {
        "last_topic": "schedule",
        "milestone": "idea_deadline",
        "round": "108-1",
        "answer_dims": [],  # a plain "when" question: nothing for a follow-up to keep
    }


async def test_upcoming_round_follows_the_clock() -> None:
    messages, slots = await ask(
        answers.ActionAnswerSchedule,
        "構想什麼時候截止",
        intent="ask_schedule",
        entities={"milestone": "idea_deadline"},
        now=JUNE_10,
    )
    assert text_of(messages).startswith("108-2場 構想收件截止：7月15日")
    assert "108-1場則是5月31日" in text_of(messages)
    assert slots["round"] == "108-2"


async def test_entity_only_followup_reanswers_the_same_milestone_for_the_new_round() -> None:
    context = {"last_topic": "schedule", "milestone": "idea_deadline", "round": "108-1"}
    messages, slots = await ask(
        answers.ActionAnswerFallback, "那第二梯呢", entities={"round": "108-2"}, slots=context
    )
    assert text_of(messages).startswith("108-2場 構想收件截止：7月15日（一）中午12:00")
    assert slots["round"] == "108-2" and slots["milestone"] == "idea_deadline"


async def test_english_followup_with_a_weak_intent() -> None:
    context = {"last_topic": "schedule", "milestone": "idea_deadline", "language": "en"}
    messages, _ = await ask(
        answers.ActionAnswerProgramme,
        "what about round 2",
        intent="ask_programme",
        confidence=0.42,
        entities={"round": "108-2"},
        slots=context,
    )
    assert "Round 108-2 (2019) idea submission deadline: Mon 15 July, 12:00 noon" in text_of(
        messages
    )


async def test_days_left_counts_to_the_last_milestone_asked() -> None:
    context = {"last_topic": "schedule", "milestone": "idea_deadline", "round": "108-2"}
    messages, _ = await ask(
        answers.ActionAnswerSchedule, "還剩幾天", intent="ask_schedule", slots=context
    )
    assert "還有 56 天 2 小時" in text_of(messages)


async def test_days_left_without_context_counts_to_the_next_deadline() -> None:
    messages, slots = await ask(answers.ActionAnswerSchedule, "還剩幾天", intent="ask_schedule")
    assert "距離108-1場 構想收件截止（5月31日（五）中午12:00）還有 11 天 2 小時" in text_of(
        messages
    )
    assert slots["milestone"] == "idea_deadline"


async def test_days_left_is_computed_from_the_turn_clock() -> None:
    messages, _ = await ask(
        answers.ActionAnswerSchedule,
        "還有幾天",
        intent="ask_schedule",
        entities={"milestone": "idea_deadline", "round": "108-1"},
        now="2019-05-31T09:30:00+08:00",
    )
    assert "還有 2 小時 30 分鐘" in text_of(messages)


async def test_demo_day_is_the_final_review_and_approximate_date_says_so() -> None:
    messages, _ = await ask(
        answers.ActionAnswerSchedule,
        "demo day 是哪天",
        intent="ask_schedule",
        entities={"milestone": "final_review"},
    )
    text = text_of(messages)
    assert "實證審查暨成果發表會：11月5-6日" in text
    assert "108-2場則是11月下旬" in text and text.count("以計畫公告為準") <= 1


async def test_tentative_date_is_marked() -> None:
    messages, _ = await ask(
        answers.ActionAnswerSchedule,
        "實證什麼時候交",
        intent="ask_schedule",
        entities={"milestone": "poc_deadline", "round": "108-2"},
    )
    text = text_of(messages)
    assert "11月中旬（*預計，可能調整，以計畫公告為準）" in text
    assert "中午12:00" not in text and "小時" not in text  # no false precision
    assert text.count("以計畫公告為準") == 1  # one caveat, once


async def test_venue_is_not_in_the_data_so_it_says_so_with_the_dates_and_contact() -> None:
    messages, _ = await ask(
        answers.ActionAnswerSchedule,
        "說明會在哪",
        intent="ask_schedule",
        entities={"milestone": "info_session"},
    )
    text = text_of(messages)
    assert "沒有提到北中南說明會的舉辦地點" in text
    assert "aigo@iii.org.tw" in text and "02-6631-6666 轉 6513" in text
    assert "6月13日" in text and "3月21-25日" in text


async def test_exact_time_of_an_event_is_not_in_the_data() -> None:
    messages, _ = await ask(
        answers.ActionAnswerSchedule,
        "輪桌會幾點開始",
        intent="ask_schedule",
        entities={"milestone": "roundtable", "round": "108-2"},
    )
    assert "沒有提到大型輪桌接洽會的確切時間" in text_of(messages)


async def test_future_editions_are_not_in_the_data() -> None:
    messages, _ = await ask(answers.ActionAnswerFallback, "明年還有嗎")
    assert "108年以後" in text_of(messages) and "aigo@iii.org.tw" in text_of(messages)


async def test_schedule_table_comes_with_a_timeline_payload() -> None:
    messages, slots = await ask(
        answers.ActionAnswerSchedule,
        "下半年的時程",
        intent="ask_schedule",
        entities={"round": "108-2"},
    )
    text = text_of(messages)
    assert text.startswith("下一個截止日是108-2場 構想收件截止：7月15日")
    assert len(text.splitlines()) <= 4 and "  " not in text  # a short list, no aligned columns
    assert '/ask_schedule{"scope": "full"}' in payloads(messages)
    custom = next(m["custom"] for m in messages if m.get("custom"))
    assert custom["type"] == "schedule" and custom["round"] == "108-2"
    assert len(custom["items"]) == 10
    states = [item["state"] for item in custom["items"]]
    assert states.count("next") == 1 and states[0] == "next"  # 108-2 listing is 31 May
    poc = next(i for i in custom["items"] if i["milestone"] == "poc_deadline")
    assert poc["tentative"] is True and poc["detail"]
    assert slots["milestone"] is None and slots["round"] == "108-2"
    assert '/ask_schedule{"round": "108-1"}' in payloads(messages)


# -- prizes --------------------------------------------------------------------------------


async def test_tier_total_is_computed() -> None:
    messages, slots = await ask(
        answers.ActionAnswerBonus,
        "拿優等總共多少",
        intent="ask_bonus",
        entities={"award_tier": "excellent"},
    )
    assert "入圍獎金5萬元 + 解題獎補25萬元 + 實證獎金30萬元 = 60萬元" in text_of(messages)
    assert '/ask_bonus{"award_tier": "outstanding"}' in payloads(messages)
    assert slots["award_tier"] == "excellent"


async def test_after_tax_followup_gives_both_nets() -> None:
    context = {"last_topic": "bonus", "award_tier": "excellent"}
    messages, _ = await ask(
        answers.ActionAnswerBonus, "扣稅後呢", intent="ask_bonus", confidence=0.79, slots=context
    )
    assert text_of(messages).startswith("優等扣稅後：本國籍實得54萬元（代扣10%）")
    assert "外籍人士實得48萬元（代扣20%）" in text_of(messages)


async def test_known_nationality_gives_the_net_in_english() -> None:
    messages, _ = await ask(
        answers.ActionAnswerBonus,
        "how much for merit",
        intent="ask_bonus",
        entities={"award_tier": "merit"},
        slots={"nationality": "foreign", "language": "en"},
    )
    text = text_of(messages)
    assert "= NT$500,000" in text and "you receive NT$400,000" in text


async def test_tier_followup_after_a_prize_question() -> None:
    context = {"last_topic": "bonus", "award_tier": "excellent"}
    messages, _ = await ask(
        answers.ActionAnswerFallback,
        "那傑出呢",
        entities={"award_tier": "outstanding"},
        slots=context,
    )
    assert "傑出：" in text_of(messages) and "= 70萬元" in text_of(messages)


async def test_prize_overview_and_stage() -> None:
    messages, _ = await ask(answers.ActionAnswerBonus, "獎金怎麼發", intent="ask_bonus")
    assert "最高70萬元" in text_of(messages) and "2,000萬元以上" in text_of(messages)
    messages, _ = await ask(
        answers.ActionAnswerBonus,
        "解題獎補怎麼領",
        intent="ask_bonus",
        entities={"prize_stage": "solution_grant"},
    )
    assert "簽合作文件10萬元" in text_of(messages) and "繳成果資料5萬元" in text_of(messages)


# -- eligibility and the rest ---------------------------------------------------------------


async def test_age_gives_a_verdict_with_the_rule() -> None:
    messages, slots = await ask(
        answers.ActionAnswerEligibility,
        "我19歲可以參加嗎",
        intent="ask_eligibility",
        entities={"age": 19},
    )
    text = text_of(messages)
    assert "不符合" in text and "年齡19歲，未滿20歲" in text
    assert "原則以年滿20歲具中華民國國籍之自然人" in text
    assert slots == {"last_topic": "eligibility", "answer_dims": []}


async def test_foreigner_needs_the_office() -> None:
    messages, _ = await ask(
        answers.ActionAnswerEligibility,
        "外國人可以嗎",
        intent="ask_eligibility",
        entities={"nationality": "foreign"},
    )
    assert "確認" in text_of(messages) and "aigo@iii.org.tw" in text_of(messages)


async def test_adult_national_meets_those_rules_and_hears_the_rest() -> None:
    messages, _ = await ask(
        answers.ActionAnswerEligibility,
        "我22歲台灣人",
        intent="ask_eligibility",
        entities={"age": 22, "nationality": "ROC"},
    )
    text = text_of(messages)
    assert "符合資格" in text and "需以團隊之名義提出解題申請" in text


async def test_eligibility_without_facts_lists_the_rules() -> None:
    messages, _ = await ask(answers.ActionAnswerEligibility, "誰可以參加", intent="ask_eligibility")
    assert "1. 原則以年滿20歲" in text_of(messages)


@pytest.mark.parametrize(
    ("action", "text", "facts"),
    [
        (answers.ActionAnswerContact, "聯絡電話", ["02-6631-6666 轉 6513", "aigo@iii.org.tw"]),
        (answers.ActionAnswerTrainingSubsidy, "課程補助", ["新臺幣3萬元"]),
        (answers.ActionAnswerChallengePosting, "企業怎麼出題", ["最多可出3題", "資料量"]),
        (answers.ActionAnswerProgramme, "AIGO是什麼", ["42家業者提出74題"]),
        (answers.ActionAnswerProgramme, "去年的成果案例", ["木刻思", "100倍"]),
        (answers.ActionAnswerApplicationProcess, "怎麼報名", ["註冊個人帳號", "申請解題"]),
        (answers.ActionAnswerTeamRules, "組隊規定", ["只能加入1個解題團隊"]),
        (answers.ActionAnswerTeamRules, "一隊最多幾個人", ["沒有提到團隊人數的規定"]),
    ],
)
async def test_static_answers(action: type[Action], text: str, facts: list[str]) -> None:
    messages, slots = await ask(action, text, intent="ask_x")
    for fact in facts:
        assert fact in text_of(messages)
    assert "last_topic" in slots


async def test_challenge_posting_offers_to_start_posting() -> None:
    messages, _ = await ask(answers.ActionAnswerChallengePosting, "how to post", intent="x")
    assert payloads(messages) == ["/post_challenge"]


async def test_fallback_with_nothing_to_go_on_says_what_the_bot_can_do() -> None:
    messages, slots = await ask(answers.ActionAnswerFallback, "嗯嗯", slots={"last_topic": "bonus"})
    assert [m.get("response") for m in messages] == ["utter_fallback"]
    assert slots == {}


def test_cues() -> None:
    assert {"followup"} <= cues_in("那第二梯呢？")
    assert "days_left" in cues_in("How many days left?")
    assert "tax" in cues_in("扣稅後呢")
    assert cues_in('/ask_bonus{"award_tier": "merit"}') == frozenset()


def test_every_ask_rule_runs_a_registered_answer_action() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    rules = yaml.safe_load(RULES.read_text(encoding="utf-8"))["rules"]
    for rule in rules:
        steps = rule["steps"]
        intent = steps[0].get("intent", "")
        if re.fullmatch(r"ask_\w+|nlu_fallback", intent):
            assert steps[1]["action"] in executor.actions, rule["rule"]


# -- QA round 3 ------------------------------------------------------------------------------


async def test_how_many_challenges_is_the_edition_count_whatever_close_intent() -> None:
    for intent in ("ask_challenge_posting", "ask_programme"):
        messages, slots = await ask(
            answers.ActionAnswerChallengePosting, "目前有幾題", intent=intent
        )
        assert "42家業者提出74題" in text_of(messages)
        assert "最多可出" not in text_of(messages)
        assert slots["last_topic"] == "programme"
    messages, _ = await ask(
        answers.ActionAnswerChallengePosting,
        "how many challenges can one company post",
        intent="ask_challenge_posting",
    )
    assert "up to 3" in text_of(messages) or "最多可出3題" in text_of(messages)


async def test_after_the_idea_review_is_the_contract_signing() -> None:
    messages, slots = await ask(
        answers.ActionAnswerApplicationProcess,
        "構想審查之後呢",
        intent="ask_application_process",
        entities={"milestone": "idea_review"},
    )
    text = text_of(messages)
    assert text.startswith("構想審查會之後的下一步：")
    assert "出解題簽訂合作文件：構想審查後1個月內（即最晚7月20日（六））" in text
    assert slots["milestone"] == "contract_signing"


async def test_coding_question_gets_the_skills_rule_even_when_out_of_scope() -> None:
    for action, intent in (
        (answers.ActionAnswerOutOfScope, "out_of_scope"),
        (answers.ActionAnswerApplicationProcess, "ask_application_process"),
    ):
        messages, slots = await ask(action, "一定要會寫程式嗎", intent=intent)
        text = text_of(messages)
        assert "「具AI技術基礎能力或產業解題所需之專才人士」" in text
        assert "兩方人才" in text
        assert slots["last_topic"] == "eligibility"


async def test_next_year_after_an_age_verdict_says_the_data_is_2019_only() -> None:
    messages, slots = await ask(
        answers.ActionAnswerFallback,
        "那明年呢",
        slots={"last_topic": "eligibility", "age": 19},
    )
    text = text_of(messages)
    assert "只涵蓋2019年（民國108年）" in text
    assert "年滿20歲" in text and "aigo@iii.org.tw" in text
    assert "不符合" not in text
    assert slots["last_topic"] == "eligibility"


def test_qa3_cues() -> None:
    assert "challenge_count" in cues_in("how many challenges are there")
    assert "challenge_count" not in cues_in("how many challenges can one company post")
    assert "challenge_count" not in cues_in("一家可以出幾題")
    assert "skills" in cues_in("do I need to know how to code")
    assert "next_step" in cues_in("what happens after the idea review")
    assert "next_step" not in cues_in("構想審查後多久要簽約")
