"""The overview's figures (``db.stats``) from real conversations: conversations per day and
channel, questions by topic, forms started / submitted / abandoned and at which field."""

from __future__ import annotations

from datetime import timedelta

from bot.services import Services
from db import stats
from knowledge import TZ
from tests.console.conftest import FROZEN_NOW, say


def test_figures_from_real_conversations(services: Services) -> None:
    say(services, "a", "構想什麼時候截止", "獎金多少")
    say(services, "b", "我要出題", "台積電", "取消")  # abandoned at the contact's name
    say(services, "c", "我要報名", "取消")
    since, until = FROZEN_NOW - timedelta(days=1), FROZEN_NOW + timedelta(days=1)
    with services.session_factory() as session:
        per_day = stats.conversations_per_day(session=session, since=since, until=until, tz=TZ)
        topics = stats.questions_by_topic(session=session, since=since, until=until)
        forms = stats.forms(session=session, since=since, until=until)
        totals = stats.totals(session=session)
    assert per_day == {FROZEN_NOW.date(): {"rest": 3}}
    assert topics["ask_schedule"] == 1 and topics["ask_bonus"] == 1 and topics["cancel"] == 2
    assert forms.started == {"post_challenge_form": 1, "register_team_form": 1}
    assert forms.abandoned["post_challenge_form"] == 1 and not forms.submitted
    assert forms.abandoned_at["post_challenge_form"] == {"org_contact": 1}
    assert totals["users"] >= 2 and totals["teams"] == 0  # users are made when a form needs one
    with services.session_factory() as session:  # outside the window: nothing
        later = FROZEN_NOW + timedelta(days=2)
        assert not stats.questions_by_topic(session=session, since=later, until=later)
