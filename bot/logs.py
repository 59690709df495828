"""Logging set up once by the entry point, with secrets masked in every line."""

from __future__ import annotations

import logging


class RedactingFormatter(logging.Formatter):
    """Replaces each secret (the bot token) wherever it appears, tracebacks included."""

    def __init__(self, fmt: str, secrets: list[str]) -> None:
        super().__init__(fmt)
        self.secrets = [secret for secret in secrets if secret]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, "[secret]")
        return text


# These log SQL parameters at DEBUG (or INFO), which hold Telegram ids and citizens' keys.
PARAMETER_LOGGERS = ("aiosqlite", "asyncpg", "sqlalchemy.engine", "sqlalchemy.pool")


def quiet_parameter_loggers() -> None:
    """Keep the loggers that print SQL parameters at WARNING, whatever the level."""
    for name in PARAMETER_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def configure_logging(level: str, secrets: list[str]) -> None:
    """Log to stderr at `level`, never showing `secrets` or SQL parameters."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    logging.basicConfig(level=level, handlers=[handler], force=True)
    quiet_parameter_loggers()
