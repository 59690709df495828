"""Settings read from environment variables and an optional `.env` file."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, HttpUrl, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.domain import is_time_zone

SUPPORTED_LOCALES = ("id", "en")
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
_DRIVER_FOR_SCHEME = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it in one line."""


class Settings(BaseSettings):
    """Every setting of the bot; environment variable names are the upper-case field names."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///kinerja.db"
    redis_url: str | None = None
    telegram_api_url: HttpUrl | None = None
    default_locale: Literal["id", "en"] = "id"
    default_timezone: str = "Asia/Jakarta"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    invite_ttl_days: int = Field(default=14, ge=1, le=365)
    report_backdate_days: int = Field(default=3, ge=0, le=31)
    send_rate: float = Field(default=25.0, gt=0, le=30)
    evaluation_period: Literal["quarterly", "monthly"] = "quarterly"
    identity_secret: SecretStr | None = None
    # Citizens served per unit and year: the population of the survey's Krejcie-Morgan sample.
    skm_yearly_visitors: int = Field(default=1000, ge=1)

    @field_validator("bot_token")
    @classmethod
    def _check_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN_RE.match(value.get_secret_value()):
            raise ValueError("expected the form 123456789:AAE... given by @BotFather")
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        scheme, sep, rest = value.partition("://")
        if not sep or scheme not in _DRIVER_FOR_SCHEME or not rest:
            raise ValueError(
                "expected sqlite+aiosqlite:///FILE or postgresql+asyncpg://USER@HOST/DB"
            )
        return f"{_DRIVER_FOR_SCHEME[scheme]}://{rest}"

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("expected redis://HOST:PORT/DB")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        if not is_time_zone(value):
            raise ValueError("unknown IANA time zone, e.g. Asia/Jakarta")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    def require_token(self) -> str:
        """The bot token, or a SettingsError naming BOT_TOKEN."""
        if self.bot_token is None:
            raise SettingsError("setting BOT_TOKEN is required (the token from @BotFather)")
        return self.bot_token.get_secret_value()

    def identity_key(self) -> bytes:
        """Key for hashing Telegram ids of people who are not employees."""
        if self.identity_secret is not None:
            return self.identity_secret.get_secret_value().encode()
        return ("kinerja-identity:" + self.require_token()).encode()


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning a validation error into a one-line SettingsError."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "?"
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"setting {name} is invalid: {message}") from None
