"""Running the real bot against the fake Bot API: polling over HTTP, or feed_update in-process."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update

from bot.app import poll
from bot.config import Settings
from bot.factory import build_bot, build_dispatcher
from storage.db import SessionMaker
from storage.types import utcnow
from tests.fake_telegram import TOKEN, FakeTelegram, RecordingSession

Fetch = Callable[[Any], Awaitable[list[Any]]]


def make_settings(database_url: str, api_url: str | None = None, **extra: Any) -> Settings:
    """Settings for a test: no `.env`, the fake token, a fixed identity secret."""
    return Settings(
        _env_file=None,
        bot_token=TOKEN,
        database_url=database_url,
        telegram_api_url=api_url,
        redis_url=extra.pop("redis_url", None),
        identity_secret="test-identity-secret",
        **extra,
    )


# Wednesday 25 November 2026, 09:00 WIB: a working day before any unit's reminder time, so
# the bot's reminder planner stays quiet unless a test moves the clock.
QUIET_MORNING = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


class PollingBot:
    """The production polling loop (`bot.app.poll`) run as a task; restartable like a process."""

    def __init__(
        self,
        settings: Settings,
        sessionmaker: SessionMaker,
        telegram: FakeTelegram,
        clock: Callable[[], datetime] = lambda: QUIET_MORNING,
    ) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.telegram = telegram
        self.clock = clock
        self.dispatcher: Dispatcher | None = None
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start polling; returns once the loop asked getMe (updates queue up until it polls)."""
        started = len(self.telegram.calls)
        bot = build_bot(self.settings)
        self.dispatcher = build_dispatcher(self.settings, self.sessionmaker, clock=self.clock)
        self.task = asyncio.create_task(
            poll(bot, self.dispatcher, self.sessionmaker, clock=self.clock, handle_signals=False)
        )
        await self.telegram.wait_for_call("getMe", start=started)

    async def stop(self) -> None:
        """Stop as SIGTERM would: finish polling, close the HTTP session."""
        assert self.dispatcher is not None and self.task is not None
        await self.dispatcher.stop_polling()
        await asyncio.wait_for(self.task, timeout=10)
        self.task = None


class FedBot:
    """The dispatcher fed updates directly, answered in-process by a RecordingSession."""

    def __init__(
        self,
        settings: Settings,
        sessionmaker: SessionMaker,
        telegram: FakeTelegram,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.telegram = telegram
        self.bot: Bot = build_bot(settings, session=RecordingSession(telegram))
        self.dispatcher = build_dispatcher(settings, sessionmaker, clock=clock)

    async def deliver(self, update_id: int) -> None:
        """Feed the queued update with this id, as polling would."""
        payload = next(u for u in self.telegram.pending_updates if u["update_id"] == update_id)
        await self.dispatcher.feed_update(self.bot, Update.model_validate(payload))

    async def close(self) -> None:
        await self.bot.session.close()


def redis_url() -> str | None:
    """Redis for tests that need it (CI sets TEST_REDIS_URL)."""
    return os.environ.get("TEST_REDIS_URL")
