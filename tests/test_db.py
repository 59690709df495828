"""Database behaviour the bot relies on: no lost updates, WAL on SQLite, bookkeeping pruned."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from storage.db import SessionMaker, is_sqlite
from storage.models import ProcessedUpdate, Unit
from storage.types import utcnow
from storage.updates import claim_update, prune_processed_updates
from tests.harness import Fetch


async def test_concurrent_read_modify_write_on_sqlite_loses_nothing(
    sessionmaker: SessionMaker, fetch: Fetch
) -> None:
    if not is_sqlite(str(sessionmaker.kw["bind"].url)):
        pytest.skip("BEGIN IMMEDIATE is SQLite's; PostgreSQL code uses conditional updates")
    async with sessionmaker() as session:
        session.add(Unit(code="U", name="0"))
        await session.commit()

    async def increment() -> None:
        async with sessionmaker() as session:
            unit = (await session.exec(select(Unit).where(Unit.code == "U"))).one()
            await asyncio.sleep(0.05)  # the other writer runs meanwhile
            unit.name = str(int(unit.name) + 1)
            session.add(unit)
            await session.commit()

    await asyncio.gather(*(increment() for _ in range(5)))
    assert await fetch(select(Unit.name)) == ["5"]


async def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(engine: AsyncEngine) -> None:
    if not is_sqlite(str(engine.url)):
        pytest.skip("SQLite only")
    async with engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() >= 5000
        assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1


async def test_update_ids_are_claimed_once_and_pruned_after_two_days(
    sessionmaker: SessionMaker, fetch: Fetch
) -> None:
    now = utcnow()
    async with sessionmaker() as session:
        assert await claim_update(session, 10, now - timedelta(days=3))
        assert await claim_update(session, 11, now)
        assert not await claim_update(session, 11, now)
        await session.commit()
    async with sessionmaker() as session:
        assert await prune_processed_updates(session, now - timedelta(days=2)) == 1
        await session.commit()
    assert await fetch(select(ProcessedUpdate.update_id)) == [11]
