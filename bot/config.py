"""Typed settings, read once from the environment by the entry point and passed down.

Nothing else in the project calls ``os.getenv``. A bad value stops start-up with one line that names
the variable and the expected format (:class:`ConfigError`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A setting in the environment is missing or malformed; ``str()`` is one line for the user."""


class Secret:
    """A secret string that never shows itself in ``repr``, ``str`` or logs."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        """Return the secret value (only for the code that must use it)."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('**********')" if self._value else "Secret('')"

    __str__ = __repr__


_PLACEHOLDERS = {"changeme", "change-me", "secret", "xxx", "todo", "your-secret-here"}
# Signs web links and sessions outside production; refused when AIGO_ENV=production.
DEV_SECRET_KEY = "aigo-development-key-not-for-production"
MIN_SECRET_KEY = 32
MIN_SECRET_CHARS = 16  # for the secrets we choose (webhook secrets, our own tokens)


def _secret(env: Mapping[str, str], name: str, min_chars: int = 1) -> Secret:
    value = env.get(name, "").strip()
    if value.lower() in _PLACEHOLDERS:
        raise ConfigError(f"{name} is a placeholder value; set the real secret or leave it unset")
    if value and len(value) < min_chars:
        raise ConfigError(
            f"{name} is too short ({len(value)} characters): use at least {min_chars} random "
            "characters (python3 -c 'import secrets; print(secrets.token_hex(16))')"
        )
    return Secret(value)


def _now(env: Mapping[str, str]) -> datetime | None:
    raw = env.get("AIGO_NOW", "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise ConfigError(
            f"AIGO_NOW={raw!r} is not an ISO 8601 date-time with a UTC offset "
            "(expected e.g. 2019-05-20T10:00:00+08:00)"
        )
    return value


def _float(env: Mapping[str, str], name: str, default: float, lo: float, hi: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not lo <= value <= hi:
        raise ConfigError(f"{name}={raw!r} must be a number between {lo} and {hi}")
    return value


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    value = env.get(name, "").strip().lower() or choices[0]
    if value not in choices:
        raise ConfigError(f"{name}={value!r} must be one of {', '.join(choices)}")
    return value


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip() or default
    if not value.startswith(("http://", "https://")):
        raise ConfigError(f"{name}={value!r} must be an http:// or https:// URL")
    return value.rstrip("/")


def _database_url(env: Mapping[str, str], data_dir: Path) -> str:
    value = env.get("AIGO_DATABASE_URL", "").strip() or f"sqlite:///{data_dir / 'aigo.db'}"
    if not value.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:", "postgres:")):
        raise ConfigError(
            f"AIGO_DATABASE_URL={value!r} must be a SQLAlchemy URL for SQLite or PostgreSQL "
            "(expected e.g. sqlite:///var/aigo.db or postgresql+psycopg://user@host/db)"
        )
    if value.startswith("postgres:"):
        value = "postgresql+psycopg:" + value[len("postgres:") :]
    elif value.startswith("postgresql:"):
        value = "postgresql+psycopg:" + value[len("postgresql:") :]
    return value


def _secret_key(env: Mapping[str, str], production: bool) -> Secret:
    value = env.get("AIGO_SECRET_KEY", "").strip()
    if not production:
        return Secret(value or DEV_SECRET_KEY)
    if not value:
        raise ConfigError(
            "AIGO_SECRET_KEY is required when AIGO_ENV=production "
            f"(a random string of at least {MIN_SECRET_KEY} characters)"
        )
    if value == DEV_SECRET_KEY or value.lower() in _PLACEHOLDERS or len(value) < MIN_SECRET_KEY:
        raise ConfigError(
            f"AIGO_SECRET_KEY must be a random string of at least {MIN_SECRET_KEY} characters, "
            "not the development default or a placeholder"
        )
    return Secret(value)


def _production(env: Mapping[str, str]) -> bool:
    value = (env.get("AIGO_ENV", "").strip() or "development").lower()
    if value not in {"development", "production"}:
        raise ConfigError(f"AIGO_ENV={value!r} must be development or production")
    return value == "production"


def _smtp(env: Mapping[str, str]) -> dict[str, Any]:
    """The ``AIGO_SMTP_*`` settings (all optional; a host needs a sender address)."""
    host = env.get("AIGO_SMTP_HOST", "").strip()
    sender = env.get("AIGO_SMTP_FROM", "").strip()
    if host and "@" not in sender:
        raise ConfigError(
            f"AIGO_SMTP_FROM={sender!r} must be the sender address when AIGO_SMTP_HOST is set "
            "(expected e.g. AIGO Assistant <no-reply@aigo.org.tw>)"
        )
    starttls = (env.get("AIGO_SMTP_STARTTLS", "").strip() or "on").lower()
    if starttls not in {"on", "off"}:
        raise ConfigError(f"AIGO_SMTP_STARTTLS={starttls!r} must be on or off")
    return {
        "smtp_host": host,
        "smtp_port": int(_float(env, "AIGO_SMTP_PORT", 587, 1, 65535)),
        "smtp_user": env.get("AIGO_SMTP_USER", "").strip(),
        "smtp_password": _secret(env, "AIGO_SMTP_PASSWORD"),
        "smtp_from": sender,
        "smtp_starttls": starttls == "on",
    }


@dataclass(frozen=True)
class Settings:
    """Every setting of the service. Build it with :meth:`from_env`."""

    database_url: str = "sqlite:///var/aigo.db"
    now: datetime | None = None
    data_dir: Path = Path("var")
    nlu_model_path: Path = Path("var/nlu-model.json.gz")
    nlu_threshold: float = 0.3
    log_level: str = "INFO"
    log_format: str = "text"
    metrics: bool = True
    metrics_token: Secret = field(default_factory=lambda: Secret(""))
    line_channel_secret: Secret = field(default_factory=lambda: Secret(""))
    line_channel_access_token: Secret = field(default_factory=lambda: Secret(""))
    telegram_bot_token: Secret = field(default_factory=lambda: Secret(""))
    telegram_webhook_secret: Secret = field(default_factory=lambda: Secret(""))
    admin_token: Secret = field(default_factory=lambda: Secret(""))
    line_api_base_url: str = "https://api.line.me"
    telegram_api_base_url: str = "https://api.telegram.org"
    production: bool = False
    secret_key: Secret = field(default_factory=lambda: Secret(DEV_SECRET_KEY))
    public_url: str = "http://127.0.0.1:5005"
    line_liff_id: str = ""
    line_bot_id: str = ""
    telegram_bot_username: str = ""
    reply_script: str = "traditional"  # "follow": Simplified questions get Simplified replies
    inbox_retention_days: float = 30.0
    rest_token: Secret = field(default_factory=lambda: Secret(""))
    rest_rate_limit: int = 120  # REST requests per minute per client IP; 0: no limit
    upload_max_bytes: int = 20 * 1024 * 1024  # the challenge presentation's size limit
    smtp_host: str = ""  # empty: e-mails stay in the outbox until SMTP is configured
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: Secret = field(default_factory=lambda: Secret(""))
    smtp_from: str = ""
    smtp_starttls: bool = True

    def secret_values(self) -> list[str]:
        """Every configured secret's value (for the log redaction, :mod:`bot.redact`)."""
        secrets = (
            self.line_channel_secret,
            self.line_channel_access_token,
            self.telegram_bot_token,
            self.telegram_webhook_secret,
            self.admin_token,
            self.metrics_token,
            self.secret_key,
            self.rest_token,
            self.smtp_password,
        )
        return [s.get() for s in secrets if s]

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read the settings from ``env``; raise :class:`ConfigError` on the first bad value."""
        data_dir = Path(env.get("AIGO_DATA_DIR", "").strip() or "var")
        level = (env.get("AIGO_LOG_LEVEL", "").strip() or "INFO").upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ConfigError(
                f"AIGO_LOG_LEVEL={level!r} must be one of DEBUG, INFO, WARNING, ERROR"
            )
        production = _production(env)
        log_format = (env.get("AIGO_LOG_FORMAT", "").strip() or "text").lower()
        if log_format not in {"text", "json"}:
            raise ConfigError(f"AIGO_LOG_FORMAT={log_format!r} must be text or json")
        metrics = (env.get("AIGO_METRICS", "").strip() or "on").lower()
        if metrics not in {"on", "off"}:
            raise ConfigError(f"AIGO_METRICS={metrics!r} must be on or off")
        return cls(
            database_url=_database_url(env, data_dir),
            now=_now(env),
            data_dir=data_dir,
            nlu_model_path=Path(
                env.get("AIGO_NLU_MODEL", "").strip() or data_dir / "nlu-model.json.gz"
            ),
            nlu_threshold=_float(env, "AIGO_NLU_THRESHOLD", 0.3, 0.0, 1.0),
            log_level=level,
            log_format=log_format,
            metrics=metrics == "on",
            metrics_token=_secret(env, "AIGO_METRICS_TOKEN", MIN_SECRET_CHARS),
            line_channel_secret=_secret(env, "LINE_CHANNEL_SECRET", MIN_SECRET_CHARS),
            line_channel_access_token=_secret(env, "LINE_CHANNEL_ACCESS_TOKEN"),
            telegram_bot_token=_secret(env, "TELEGRAM_BOT_TOKEN"),
            telegram_webhook_secret=_secret(env, "TELEGRAM_WEBHOOK_SECRET", MIN_SECRET_CHARS),
            admin_token=_secret(env, "AIGO_ADMIN_TOKEN", MIN_SECRET_CHARS),
            line_api_base_url=_url(env, "LINE_API_BASE_URL", "https://api.line.me"),
            telegram_api_base_url=_url(env, "TELEGRAM_API_BASE_URL", "https://api.telegram.org"),
            production=production,
            secret_key=_secret_key(env, production),
            public_url=_url(env, "AIGO_PUBLIC_URL", "http://127.0.0.1:5005"),
            line_liff_id=env.get("LINE_LIFF_ID", "").strip(),
            line_bot_id=env.get("LINE_BOT_ID", "").strip(),
            telegram_bot_username=env.get("TELEGRAM_BOT_USERNAME", "").strip().lstrip("@"),
            reply_script=_choice(env, "AIGO_REPLY_SCRIPT", ("traditional", "follow")),
            inbox_retention_days=_float(env, "AIGO_INBOX_RETENTION_DAYS", 30.0, 1.0, 3650.0),
            rest_token=_secret(env, "AIGO_REST_TOKEN", MIN_SECRET_CHARS),
            rest_rate_limit=int(_float(env, "AIGO_REST_RATE_LIMIT", 120, 0, 1_000_000)),
            upload_max_bytes=int(_float(env, "AIGO_UPLOAD_MAX_MB", 20, 0.001, 200) * 1024 * 1024),
            **_smtp(env),
        )
