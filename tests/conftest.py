"""Shared fixtures: a migrated database per test (SQLite, or PostgreSQL via TEST_DATABASE_URL)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from storage.db import SessionMaker, is_sqlite, make_engine, make_sessionmaker
from storage.migrate import upgrade
from tests.fake_telegram import FakeTelegramServer
from tests.harness import FedBot, Fetch, PollingBot, make_settings


def database_url(tmp_path: Path) -> str:
    """PostgreSQL when TEST_DATABASE_URL is set, otherwise a fresh SQLite file."""
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        return Settings(_env_file=None, database_url=configured).database_url
    return f"sqlite+aiosqlite:///{tmp_path / 'kinerja-test.db'}"


async def reset_database(engine: AsyncEngine) -> None:
    """Drop everything a previous test left in a PostgreSQL test database."""
    if is_sqlite(str(engine.url)):
        return
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture
async def empty_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An engine on an empty database."""
    engine = make_engine(database_url(tmp_path))
    await reset_database(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def engine(empty_engine: AsyncEngine) -> AsyncEngine:
    """An engine on a database migrated to the newest schema."""
    await upgrade(empty_engine)
    return empty_engine


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> SessionMaker:
    return make_sessionmaker(engine)


@pytest.fixture
async def session(sessionmaker: SessionMaker) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        yield session


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegramServer]:
    """The fake Bot API server on 127.0.0.1."""
    async with FakeTelegramServer() as server:
        yield server


@pytest.fixture
def settings(engine: AsyncEngine, telegram: FakeTelegramServer) -> Settings:
    return make_settings(engine.url.render_as_string(hide_password=False), telegram.url)


@pytest.fixture
async def polling_bot(
    settings: Settings, sessionmaker: SessionMaker, telegram: FakeTelegramServer
) -> AsyncIterator[PollingBot]:
    """The real polling loop against the fake server; tests call start() (and may restart)."""
    bot = PollingBot(settings, sessionmaker, telegram.core)
    yield bot
    if bot.task is not None:
        await bot.stop()


@pytest.fixture
async def fed_bot(
    settings: Settings, sessionmaker: SessionMaker, telegram: FakeTelegramServer
) -> AsyncIterator[FedBot]:
    """The dispatcher driven by feed_update, answered in-process."""
    bot = FedBot(settings, sessionmaker, telegram.core)
    yield bot
    await bot.close()


@pytest.fixture
def fetch(sessionmaker: SessionMaker) -> Fetch:
    """Run one SELECT in a short transaction of its own.

    SQLite transactions take the write lock at BEGIN, so a test must not keep one open
    while the bot is handling updates.
    """

    async def run(statement: Any) -> list[Any]:
        async with sessionmaker() as session:
            return list((await session.exec(statement)).all())

    return run
