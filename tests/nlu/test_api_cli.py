"""``POST /model/parse`` and the ``aigo train`` / ``aigo nlu test`` commands."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.app import create_app
from bot.cli import main
from bot.config import Settings

HOLDOUT = Path(__file__).resolve().parents[1] / "data" / "nlu_holdout.yml"


@pytest.fixture
async def client(model_file: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(nlu_model_path=model_file, now=None)
    # No lifespan: the route loads the model lazily through bot.nlu_service.get_model.
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def test_parse_route_answers_rasa_shape(client: httpx.AsyncClient) -> None:
    response = await client.post("/model/parse", json={"text": "demo day 是哪天"})
    assert response.status_code == 200
    body = response.json()
    assert body["text"] == "demo day 是哪天"
    assert body["intent"]["name"] == "ask_schedule"
    assert body["entities"][0]["entity"] == "milestone"
    assert body["entities"][0]["value"] == "final_review"
    assert len(body["intent_ranking"]) == 10


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (b"{not json", "JSON"),
        (b'{"message": "hi"}', '"text"'),
        (b'{"text": 5}', '"text"'),
        (b'["text"]', '"text"'),
        (b"\xff\xfe", "JSON"),
    ],
)
async def test_parse_route_rejects_bad_bodies(
    client: httpx.AsyncClient, payload: bytes, fragment: str
) -> None:
    response = await client.post("/model/parse", content=payload)
    assert response.status_code == 400
    assert fragment in response.json()["error"]


async def test_parse_route_handles_empty_text(client: httpx.AsyncClient) -> None:
    body = (await client.post("/model/parse", json={"text": ""})).json()
    assert body["intent"] == {"name": "nlu_fallback", "confidence": 1.0}


def test_aigo_train_and_nlu_test(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    model_path = tmp_path / "model.json.gz"
    monkeypatch.setenv("AIGO_NLU_MODEL", str(model_path))
    assert main(["train"]) == 0
    assert model_path.exists()
    out_dir = tmp_path / "results"
    assert main(["nlu", "test", "--data", str(HOLDOUT), "--out", str(out_dir)]) == 0
    printed = capsys.readouterr().out
    assert "macro avg" in printed and "most confused" in printed
    report = json.loads((out_dir / "intent_report.json").read_text(encoding="utf-8"))
    assert report["macro"]["f1"] >= 0.85
    assert len(report["per_intent"]) == 23
    png = (out_dir / "intent_confusion_matrix.png").read_bytes()
    assert png.startswith(b"\x89PNG")

    # Without --data: the blind wave-5 set in full, again without the lines that are also
    # training lines, then the older wave-4 set on one line.
    default_dir = tmp_path / "default"
    assert main(["nlu", "test", "--out", str(default_dir)]) == 0
    printed = capsys.readouterr().out
    assert "== held-out tests/data/nlu_blind_wave5.yml\n" in printed
    unseen = next(line for line in printed.splitlines() if "not in the training data" in line)
    assert "macro F1 0." in unseen
    seen_count = int(unseen.split("only its ")[1].split(" lines")[0])
    assert 600 < seen_count < 740
    summary = next(line for line in printed.splitlines() if "nlu_blind_wave4.yml" in line)
    assert "macro F1 0." in summary and "calibration error" in summary
    report = json.loads((default_dir / "intent_report.json").read_text(encoding="utf-8"))
    assert report["data"] == "held-out tests/data/nlu_blind_wave5.yml"
    assert len(report["per_intent"]) == 37  # 20 blind utterances for each of 37 intents
    assert set(report["measurements"]) == {
        "held-out tests/data/nlu_blind_wave5.yml",
        f"held-out tests/data/nlu_blind_wave5.yml, only its {seen_count} lines not in the "
        "training data",
        "held-out tests/data/nlu_blind_wave4.yml",
    }
