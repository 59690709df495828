"""Conversation state lives in Redis when REDIS_URL is set, and survives a restart."""

from __future__ import annotations

import pytest
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import Redis

from bot.config import Settings
from bot.factory import build_fsm_storage
from storage.db import SessionMaker
from tests.fake_telegram import BOT_ID, FakeTelegramServer
from tests.harness import FedBot, make_settings, redis_url


class Sample(StatesGroup):
    waiting = State()


def test_memory_storage_without_redis(settings: Settings) -> None:
    storage, _ = build_fsm_storage(settings)
    assert isinstance(storage, MemoryStorage)


@pytest.mark.skipif(redis_url() is None, reason="TEST_REDIS_URL is not set (CI sets it)")
async def test_state_in_redis_survives_restart_and_cancel_clears_it(
    settings: Settings, sessionmaker: SessionMaker, telegram: FakeTelegramServer
) -> None:
    url = redis_url()
    assert url is not None
    async with Redis.from_url(url) as redis:
        await redis.flushdb()
    redis_settings = make_settings(settings.database_url, telegram.url, redis_url=url)
    key = StorageKey(bot_id=BOT_ID, chat_id=5001, user_id=5001)

    first = FedBot(redis_settings, sessionmaker, telegram.core)
    assert isinstance(first.dispatcher.storage, RedisStorage)
    await first.dispatcher.storage.set_state(key, Sample.waiting)
    await first.dispatcher.storage.close()
    await first.close()

    restarted = FedBot(redis_settings, sessionmaker, telegram.core)
    try:
        assert await restarted.dispatcher.storage.get_state(key) == Sample.waiting.state
        user = telegram.core.user(5001, "Rina", language_code="id")
        await restarted.deliver(user.send("/batal"))
        assert (await user.reply()).text.startswith("Dibatalkan.")
        assert await restarted.dispatcher.storage.get_state(key) is None
    finally:
        await restarted.dispatcher.storage.close()
        await restarted.close()
