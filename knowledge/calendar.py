"""iCalendar (.ics) feeds of the schedule: a round's milestones, or a chosen set of them.

Each milestone of a round is one event (``UID`` ``<round>-<milestone>@aigo-assistant``, stable, so a
subscribed calendar updates in place). A stated day with a cut-off time (構想收件截止 12:00) is a
timed event in Asia/Taipei; any other date is an all-day event over the days it can fall on. The
description gives the date as the seed states it, notes approximate / tentative / relative dates,
and ends with the schedule's note (dates may change). Text is in ``lang`` (zh-TW or en).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from icalendar import Calendar, Event

from knowledge._format import format_date, t
from knowledge.render import date_notes
from knowledge.schema import Lang, Programme

PRODID = "-//AIGO Assistant//schedule//EN"
UID_DOMAIN = "aigo-assistant"


def _event(
    programme: Programme, round_id: str, milestone_id: str, lang: Lang, now: datetime
) -> Event:
    milestone, when = programme.milestone(milestone_id), programme.date(milestone_id, round_id)
    name = programme.round(round_id).name.get(lang)
    event = Event()
    event.add("uid", f"{round_id}-{milestone_id}@{UID_DOMAIN}")
    event.add("dtstamp", now)
    event.add(
        "summary",
        f"{milestone.name.get(lang)}（{name}）"
        if lang == "zh-TW"
        else f"{milestone.name.get(lang)} ({name})",
    )
    if when.exact and when.time is not None:
        event.add("dtstart", when.deadline)
        event.add("dtend", when.deadline)
    else:
        event.add("dtstart", when.earliest.date())
        event.add("dtend", when.latest.date() + timedelta(days=1))
    stated = format_date(programme, when, lang) + date_notes(
        programme, milestone_id, round_id, lang
    )
    event.add("description", f"{stated}\n{programme.schedule.note.get(lang)}")
    if when.tentative or when.approximate:
        event.add("status", "TENTATIVE")
    event.add("categories", [milestone.kind])
    return event


def calendar(
    programme: Programme,
    milestones: Iterable[tuple[str, str]],
    lang: Lang,
    now: datetime,
    title: str,
) -> bytes:
    """An .ics file of ``milestones`` (pairs of round id and milestone id), titled ``title``."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", title)
    cal.add("x-wr-timezone", "Asia/Taipei")
    for round_id, milestone_id in milestones:
        cal.add_component(_event(programme, round_id, milestone_id, lang, now))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def calendar_links_text(lang: Lang, url: str, personal_url: str) -> str:
    """The 「加入行事曆」 line offering the round's feed and the user's own deadlines."""
    return str(t(lang, "calendar.add_link")).format(url=url, personal_url=personal_url)


def round_calendar(programme: Programme, round_id: str, lang: Lang, now: datetime) -> bytes:
    """Every milestone of ``round_id`` (raises ``KeyError`` for an unknown round)."""
    round_name = programme.round(round_id).name.get(lang)
    pairs = [(round_id, m.id) for m in programme.schedule.milestones]
    return calendar(programme, pairs, lang, now, f"AIGO {round_name}")


def deadlines_calendar(
    programme: Programme, round_ids: Iterable[str], lang: Lang, now: datetime
) -> bytes:
    """The deadlines of ``round_ids`` still ahead at ``now`` (a user's personal feed)."""
    pairs = [
        (r, m.id)
        for r in round_ids
        for m in programme.schedule.milestones
        if m.kind == "deadline" and programme.date(m.id, r).deadline >= now
    ]
    return calendar(programme, pairs, lang, now, str(t(lang, "calendar.personal_title")))
