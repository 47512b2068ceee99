"""Settings come from the environment and fail with one line naming the variable."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from bot.cli import main
from bot.config import ConfigError, Settings


def test_defaults_use_sqlite_under_var() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite:///var/aigo.db"
    assert settings.now is None
    assert settings.nlu_threshold == 0.3
    assert settings.line_api_base_url == "https://api.line.me"


def test_aigo_now_is_parsed_with_its_offset() -> None:
    settings = Settings.from_env({"AIGO_NOW": "2019-05-20T10:00:00+08:00"})
    assert settings.now is not None
    assert settings.now.utcoffset() == timedelta(hours=8)
    assert settings.now.replace(tzinfo=None) == datetime(2019, 5, 20, 10, 0)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"AIGO_NOW": "yesterday"}, "AIGO_NOW"),
        ({"AIGO_NOW": "2019-05-20T10:00:00"}, "AIGO_NOW"),  # no offset
        ({"AIGO_DATABASE_URL": "mysql://x"}, "AIGO_DATABASE_URL"),
        ({"AIGO_NLU_THRESHOLD": "1.5"}, "AIGO_NLU_THRESHOLD"),
        ({"LINE_API_BASE_URL": "ftp://x"}, "LINE_API_BASE_URL"),
        ({"LINE_CHANNEL_SECRET": "changeme"}, "LINE_CHANNEL_SECRET"),
        ({"AIGO_LOG_LEVEL": "LOUD"}, "AIGO_LOG_LEVEL"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env(env)
    message = str(info.value)
    assert message.startswith(variable)
    assert "\n" not in message


def test_postgres_urls_use_psycopg3() -> None:
    settings = Settings.from_env({"AIGO_DATABASE_URL": "postgresql://postgres@127.0.0.1/test"})
    assert settings.database_url == "postgresql+psycopg://postgres@127.0.0.1/test"


def test_secrets_never_show_in_repr() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": "123:very-secret-token"})
    assert "very-secret-token" not in repr(settings)
    assert settings.telegram_bot_token.get() == "123:very-secret-token"


def test_cli_reports_bad_setting_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AIGO_NOW", "yesterday")
    assert main(["serve", "--port", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "AIGO_NOW" in err and "ISO 8601" in err


def test_console_script_exits_with_message_not_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve"],
        env={"AIGO_NOW": "yesterday", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "AIGO_NOW" in result.stderr


def test_smtp_settings() -> None:
    assert Settings.from_env({}).smtp_host == ""  # e-mails wait in the outbox
    settings = Settings.from_env({
        "AIGO_SMTP_HOST": "smtp.example.org", "AIGO_SMTP_PORT": "2525", "AIGO_SMTP_USER": "bot",
        "AIGO_SMTP_PASSWORD": "s3cret-password", "AIGO_SMTP_FROM": "AIGO <no-reply@aigo.tw>",
        "AIGO_SMTP_STARTTLS": "off",
    })  # fmt: skip
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_starttls) == (
        "smtp.example.org",
        2525,
        False,
    )
    assert "s3cret-password" not in repr(settings)
    assert "s3cret-password" in settings.secret_values()  # masked in every log line
    with pytest.raises(ConfigError, match="AIGO_SMTP_FROM"):
        Settings.from_env({"AIGO_SMTP_HOST": "smtp.example.org"})
    with pytest.raises(ConfigError, match="AIGO_SMTP_STARTTLS"):
        Settings.from_env({"AIGO_SMTP_STARTTLS": "maybe"})
