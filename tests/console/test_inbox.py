"""The teach-the-bot inbox, the Rasa YAML export (and ``aigo nlu export-reviewed``) and the model
hot-swap, on real conversations with the real engine."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.nlu_service import HotSwapModel
from bot.services import Services
from bot.teach import export, inbox
from db import reviews
from nlu import NLUModel
from nlu.training_data import load_training_data
from tests.console.conftest import FROZEN_NOW, say


def test_mask_hides_emails_and_phone_numbers() -> None:
    masked = inbox.mask("寄到 a.b@x.com.tw 或打 02-2345-6789 轉 12，手機 +886 912 345 678")
    assert masked == "寄到 [email] 或打 [phone]，手機 [phone]"
    assert inbox.mask("108-1 梯次 5月31日") == "108-1 梯次 5月31日"


def test_inbox_groups_misses_and_skips_form_answers(services: Services) -> None:
    say(services, "a", "我要出題", "台積電", "取消", "簡報可以用粉紅色嗎", "構想什麼時候截止")
    say(services, "b", "簡報可以用粉紅色的嗎", "指導教授可以掛名嗎", "x@y.org 0912-345-678")
    with services.session_factory() as session:
        events = reviews.recent_events(session=session, limit=1000)
    groups = inbox.group(events, set(), services.nlu)
    texts = [t for g in groups for t in g.texts]
    assert "台積電" not in texts and "構想什麼時候截止" not in texts  # a form answer, an answer
    pink = next(g for g in groups if g.text == "簡報可以用粉紅色嗎")  # two wordings, one group
    assert pink.count >= 2 and len(pink.guesses) == 3
    assert "[email] [phone]" in texts and not any("x@y.org" in t for t in texts)
    later = inbox.group(events, {"簡報可以用粉紅色嗎", *pink.texts}, services.nlu)
    assert all(g.text != "簡報可以用粉紅色嗎" for g in later)  # reviewed texts leave the inbox


def test_export_reviewed_writes_rasa_yaml(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    with services.session_factory.begin() as session:
        for text, label in (("老師可以當指導嗎", "ask_team_rules"), ("嗯嗯嗯", "ignore")):
            reviews.label(session=session, text=text, intent=label, actor="ops", now=FROZEN_NOW)
        entity = [{"entity": "round", "value": "108-2", "start": 0, "end": 3}]
        reviews.label(session=session, text="第二梯 何時開始", intent="ask_schedule",
                      actor="ops", now=FROZEN_NOW, entities=entity)  # fmt: skip
    monkeypatch.setenv("AIGO_DATABASE_URL", services.settings.database_url)
    assert main(["nlu", "export-reviewed", "--out", str(tmp_path)]) == 0
    assert "2 labelled example(s) (1 ignored)" in capsys.readouterr().out
    written = (tmp_path / export.FILE_NAME).read_text(encoding="utf-8")
    assert "- [第二梯](round) 何時開始" in written and "嗯嗯嗯" not in written
    examples = load_training_data(tmp_path / export.FILE_NAME).examples
    assert {(e.text, e.intent) for e in examples} == {
        ("老師可以當指導嗎", "ask_team_rules"), ("第二梯 何時開始", "ask_schedule"),
    }  # fmt: skip


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_hot_swap_picks_up_a_new_model_file(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "model.json.gz"
    shutil.copy(services.settings.nlu_model_path, path)
    hot = HotSwapModel(NLUModel.load(path), path, interval=0.0)
    first = hot.model
    assert not hot.refresh()  # unchanged file: nothing to do
    hot.model.save(path)
    os.utime(path, ns=(0, path.stat().st_mtime_ns + 1_000_000))
    assert hot.parse("獎金多少")["intent"]["name"] == "ask_bonus"
    assert hot.model is not first and hot.last_swap_seconds is not None
    path.write_bytes(b"not a model")
    assert not hot.refresh() and hot.model is not first  # a broken file keeps the current model
