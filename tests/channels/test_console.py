"""The console channel: rendering, numbered choices, and ``aigo chat`` from a pipe."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from bot.channels.console import choose, render, run_console
from bot.services import Services


def test_buttons_are_numbered_and_numbers_pick_them() -> None:
    buttons = [
        {"title": "時程", "payload": "/ask_schedule"},
        {"title": "獎金", "payload": "/ask_bonus"},
    ]
    text, payloads = render([{"text": "選一個"}, {"buttons": buttons}])
    assert text == "選一個\n  1) 時程\n  2) 獎金"
    assert choose("2", payloads) == "/ask_bonus"
    assert choose("3", payloads) == "3"
    assert choose("獎金多少", payloads) == "獎金多少"


async def test_console_session_with_a_choice(services: Services) -> None:
    stdin = io.StringIO("/help\n1\n\n/quit\n/greet\n")
    stdout = io.StringIO()
    code = await run_console(services.engine, sender="t", stdin=stdin, stdout=stdout, prompt=False)
    assert code == 0
    out = stdout.getvalue()
    assert out.startswith("我可以幫您")
    assert "  1) 重要時程" in out
    assert "您好" not in out  # /quit ended the session before /greet


def test_aigo_chat_answers_from_a_pipe_and_exits_at_eof(
    tmp_path: Path, nlu_model_path: Path
) -> None:
    env = {
        **os.environ,
        "AIGO_DATA_DIR": str(tmp_path),
        "AIGO_NLU_MODEL": str(nlu_model_path),
        "AIGO_NOW": "2019-05-20T10:00:00+08:00",
        "AIGO_LOG_LEVEL": "WARNING",
    }
    env.pop("AIGO_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat"],
        input="你好\n2\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "AIGO 小幫手" in done.stdout
    assert "  2) 獎金" in done.stdout
    assert done.stdout.count("\n") > 8  # the choice "2" was answered too


def test_schedule_custom_is_text_never_raw_data() -> None:
    custom = {
        "type": "schedule",
        "title": "108-1場 時程",
        "language": "zh-TW",
        "items": [{"date": "5月31日", "label": "構想收件截止", "state": "next"}],
    }
    shown, _ = render([{"custom": custom}, {"custom": {"line": {"type": "flex"}}}])
    assert "構想收件截止" in shown and "108-1場 時程" in shown
    assert "{" not in shown and "flex" not in shown and "custom" not in shown
    shown, _ = render([{"text": "下一個截止日", "custom": custom}])
    assert shown == "下一個截止日"  # the text already says it
