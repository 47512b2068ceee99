"""Compose the eligibility answer: the verdict on the facts given, or the rule asked about.

Whose facts they are comes from the resolved query (:mod:`actions.answers._profile`): the user's
("我22歲台灣人可以參加嗎"), another person's ("那我朋友19歲呢": named in the heading, never the
user's profile) or no one's ("外國人可以參加嗎"). An age worked out from a birth date is said
first ("2000年6月生" → 18 on 2019-05-20); a birthday that may or may not have passed is asked
back, as is "20歲了但還沒生日"; "明年就20了" is answered for now (under 20).
"""

from __future__ import annotations

from datetime import datetime

import knowledge
from actions.answers._answer import Answer, answer_text
from actions.answers._followup import Query
from actions.answers._profile import MessagePeople
from knowledge import Lang, Programme
from knowledge._format import t
from knowledge.render_answers import render_future_eligibility, render_skills_rule
from knowledge.render_direct import render_contact_short


def _direct(lang: Lang, key: str) -> str:
    return answer_text(lang, f"direct.{key}")


def _today(now: datetime, lang: Lang) -> str:
    month = t(lang, "months")[now.month - 1]
    return answer_text(lang, "today").format(month=month, day=now.day)


def _who(people: MessagePeople | None, lang: Lang) -> str | None:
    """How the heading names the other person ("您的朋友", "your friend"); None for the user or
    no one in particular."""
    if people is None or people.subject.kind != "other" or not people.subject.who:
        return None
    who = people.subject.who
    labels: dict[str, str] = t(lang, "answers.person_labels")
    for typed, label in labels.items():
        who = who.replace(typed, label)
    pronouns: list[str] = t(lang, "answers.person_pronouns")
    if who.lower() in pronouns:
        return who
    mine = "mine" if people.subject.mine else "the"
    return answer_text(lang, f"person.{mine}").format(who=who)


def _asked_back(p: Programme, q: Query, lang: Lang, now: datetime) -> str | None:
    """The question back when the age can't be told: "20歲了但還沒生日", or a birth year whose
    birthday decides whether the person is already 20."""
    people, min_age = q.people, p.eligibility.rule("age").min_age or 0
    if people is None or not people.own:
        return None
    if people.birthday_unclear:
        return answer_text(lang, "birthday_unclear").format(min_age=min_age)
    birth = people.birth
    if birth is not None and min(birth.ages) < min_age <= max(birth.ages):
        return answer_text(lang, "birth_straddle").format(
            stated=birth.stated,
            today=_today(now, lang),
            low=min(birth.ages),
            high=max(birth.ages),
            min_age=min_age,
        )
    return None


def _age_lead(q: Query, lang: Lang, now: datetime) -> tuple[str, str | None, int | None]:
    """(lead, age text, age) for an age worked out from the message: a birth date or "明年就20"."""
    people = q.people
    if people is None or not people.own:
        return "", None, None
    if people.birth is not None:
        ages = sorted(set(people.birth.ages))
        text = answer_text(lang, "ages_or").format(low=ages[0], high=ages[-1])
        age_text = str(ages[0]) if len(ages) == 1 else text
        lead = answer_text(lang, "birth_age").format(
            stated=people.birth.stated, today=_today(now, lang), age=age_text
        )
        return lead + "\n", age_text if len(ages) > 1 else None, ages[-1]
    if people.turning is not None:
        lead = answer_text(lang, "turning").format(n=people.turning)
        return lead + "\n", None, None
    return "", None, None


def _rule_answers(p: Programme, q: Query, lang: Lang) -> str | None:
    """Answers about a rule rather than a verdict: skills, an upper age limit, the age rule."""
    age = q.params.get("age")
    rule = p.eligibility.rule("age")
    min_age, email = rule.min_age or 0, p.contacts.email
    recall = _direct(lang, "age_recall").format(
        age=int(age or 0), rule=rule.text.get(lang), email=email, min_age=min_age
    )
    if "skills" in q.cues:  # "一定要會寫程式嗎", "沒有AI背景可以嗎": not required, either one
        text = _direct(lang, "skills_lead") + "\n" + render_skills_rule(p, lang)
        return text + ("\n" + recall if age is not None and int(age) < min_age else "")
    if "age_limit" in q.cues:  # "65歲有年齡上限嗎": only a minimum
        text = _direct(lang, "no_age_limit").format(rule=rule.text.get(lang), min_age=min_age)
        if age is not None and int(age) >= min_age:
            return text + _direct(lang, "age_ok").format(age=int(age))
        return text + ("\n" + recall if age is not None else "")
    stated = q.people is not None and "age" in q.people.facts
    if "age_rule" in q.cues and not stated:  # "隊長要幾歲", "how old do I have to be"
        text = _direct(lang, "age_rule").format(rule=rule.text.get(lang), min_age=min_age)
        if age is not None and int(age) >= min_age:
            return text + _direct(lang, "age_ok").format(age=int(age))
        return text + ("\n" + recall if age is not None else "")
    return None


def eligibility(p: Programme, q: Query, lang: Lang, now: datetime) -> Answer:
    """The verdict on the age / nationality / expertise given, or the rule asked about."""
    age, nationality, expertise = (q.params.get(k) for k in ("age", "nationality", "expertise"))
    answer = Answer()
    people = q.people
    turning = people is not None and people.turning is not None
    if "future" in q.cues and not turning and (q.followup or (age is None and nationality is None)):
        answer.say(render_future_eligibility(p, lang))  # "那明年呢" after "我19歲可以參加嗎"
        return answer
    asked = _asked_back(p, q, lang, now) or _rule_answers(p, q, lang)
    if asked is not None:
        answer.say(asked)
        if "skills" in q.cues:
            answer.context = {"expertise": None}  # the question names no expertise of the user
        return answer
    lead, age_text, worked_out = _age_lead(q, lang, now)
    age = worked_out if worked_out is not None else age
    if "member_lead" in q.cues:  # "外國朋友可以加入我們隊嗎": every member must qualify
        lead = answer_text(lang, "member_lead") + "\n" + lead
    rule = p.eligibility.rule("age")
    if "member_only" in q.cues:  # "我可以當隊員就好嗎 不當隊長": the rules apply to everyone
        lead = _direct(lang, "member_only").format(rule=rule.text.get(lang)) + "\n" + lead
    if age is None and nationality is None and expertise is None:
        rules = "" if "member_only" in q.cues else knowledge.render_eligibility_rules(p, lang)
        answer.say((lead + rules).strip())
        return answer
    profile = knowledge.Profile(
        age=int(age) if age is not None else None,
        nationality=nationality if nationality in ("ROC", "foreign") else None,
        expertise=expertise if expertise in ("ai", "domain", "both") else None,
    )
    verdict = knowledge.assess(p, profile, now)
    text = knowledge.render_eligibility_answer(
        p, verdict, lang, general=bool(q.general), who=_who(people, lang), age_text=age_text
    )
    if turning and verdict.age is not None and verdict.age < (rule.min_age or 0):
        note = answer_text(lang, "turning_note").format(
            min_age=rule.min_age, contact=render_contact_short(p, lang)
        )
        text += "\n" + note
    answer.say(lead + text)
    return answer
