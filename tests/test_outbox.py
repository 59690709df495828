"""The durable outbox: planning once, claiming once, surviving crashes and restarts."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.sender import OutboxSender
from storage import outbox
from storage.db import SessionMaker, make_engine, make_sessionmaker
from storage.models import Employee, OutboxMessage, OutboxStatus
from tests.factories import fixed_clock, seed_people
from tests.fake_telegram import TOKEN, FakeTelegramServer
from tests.harness import Fetch

NOW = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)
FIRST_CHAT = 50_000


async def plan_for(
    session: AsyncSession, person: Employee, key: str, due_at: datetime = NOW
) -> bool:
    assert person.id is not None and person.telegram_id is not None
    return await outbox.plan(
        session,
        kind="reminder",
        employee_id=person.id,
        chat_id=person.telegram_id,
        dedupe_key=key,
        due_at=due_at,
        payload={"text": f"Pengingat {key}"},
        now=NOW,
    )


async def claim(sessionmaker: SessionMaker, now: datetime, limit: int = 10) -> list[OutboxMessage]:
    """Claim and commit, as a sender does before sending."""
    async with sessionmaker() as session:
        rows = await outbox.claim_due(session, now, limit, LEASE)
        await session.commit()
    return rows


async def render(message: OutboxMessage) -> tuple[str, InlineKeyboardMarkup | None]:
    return message.payload["text"], None


@pytest.fixture
async def bot(telegram: FakeTelegramServer) -> AsyncIterator[Bot]:
    """A plain bot (no retrying middleware) talking to the fake server."""
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(telegram.url)))
    yield bot
    await bot.session.close()


async def test_plan_is_idempotent_on_the_dedupe_key(
    sessionmaker: SessionMaker, fetch: Fetch
) -> None:
    async with sessionmaker() as session:
        [person] = await seed_people(session, 1, FIRST_CHAT)
        assert await plan_for(session, person, "reminder:1:2026-11-25")
        later = NOW + timedelta(hours=1)
        assert not await plan_for(session, person, "reminder:1:2026-11-25", due_at=later)
        await session.commit()

    [row] = await fetch(select(OutboxMessage))
    assert (row.status, row.attempts, row.due_at) == (OutboxStatus.PENDING, 0, NOW)
    assert row.payload == {"text": "Pengingat reminder:1:2026-11-25"}


async def test_claim_due_returns_due_rows_once_oldest_first(
    sessionmaker: SessionMaker, fetch: Fetch
) -> None:
    async with sessionmaker() as session:
        [person] = await seed_people(session, 1, FIRST_CHAT)
        for minutes, key in [(0, "c"), (-2, "a"), (1, "later"), (-1, "b")]:
            await plan_for(session, person, key, NOW + timedelta(minutes=minutes))
        await session.commit()

    first = await claim(sessionmaker, NOW, limit=2)
    assert [row.dedupe_key for row in first] == ["a", "b"]
    assert {(row.status, row.attempts, row.lease_until) for row in first} == {
        (OutboxStatus.SENDING, 1, NOW + LEASE)
    }
    assert [row.dedupe_key for row in await claim(sessionmaker, NOW)] == ["c"]
    assert await claim(sessionmaker, NOW) == []
    assert [row.dedupe_key for row in await claim(sessionmaker, NOW + timedelta(minutes=1))] == [
        "later"
    ]
    statuses = await fetch(select(OutboxMessage.status).distinct())
    assert statuses == [OutboxStatus.SENDING]


async def test_crashed_claim_is_claimed_again_once_after_its_lease(
    sessionmaker: SessionMaker, fetch: Fetch
) -> None:
    async with sessionmaker() as session:
        [person] = await seed_people(session, 1, FIRST_CHAT)
        await plan_for(session, person, "crash")
        await session.commit()
    assert len(await claim(sessionmaker, NOW)) == 1  # ... and the process dies mid-send

    assert await claim(sessionmaker, NOW + LEASE - timedelta(seconds=1)) == []
    [again] = await claim(sessionmaker, NOW + LEASE)
    assert (again.attempts, again.lease_until) == (2, NOW + 2 * LEASE)
    assert await claim(sessionmaker, NOW + LEASE) == []  # another process gets nothing

    async with sessionmaker() as session:
        assert again.id is not None
        assert await outbox.mark_sent(session, again.id, NOW + LEASE)
        await session.commit()
    assert await claim(sessionmaker, NOW + 10 * LEASE) == []
    [row] = await fetch(select(OutboxMessage))
    assert (row.status, row.sent_at, row.lease_until) == (OutboxStatus.SENT, NOW + LEASE, None)


async def test_outcomes_are_recorded(sessionmaker: SessionMaker, fetch: Fetch) -> None:
    async with sessionmaker() as session:
        people = await seed_people(session, 2, FIRST_CHAT)
        for key in ("retry", "failed", "released"):
            await plan_for(session, people[0], key)
        await plan_for(session, people[1], "blocked-pending")
        await plan_for(session, people[1], "blocked-sent", NOW - timedelta(minutes=1))
        await session.commit()
    rows = {row.dedupe_key: row for row in await claim(sessionmaker, NOW, limit=4)}
    assert set(rows) == {"retry", "failed", "released", "blocked-sent"}

    async with sessionmaker() as session:
        retry_at = NOW + timedelta(seconds=2)
        assert await outbox.mark_retry(session, rows["retry"].id or 0, "500", retry_at)
        assert await outbox.mark_failed(session, rows["failed"].id or 0, "Bad Request")
        assert not await outbox.mark_failed(session, rows["failed"].id or 0, "again")
        assert await outbox.release(session, rows["released"].id or 0)
        assert await outbox.mark_sent(session, rows["blocked-sent"].id or 0, NOW)
        assert await outbox.mark_unreachable(session, people[1].id or 0) == 1
        await session.commit()

    found = await fetch(select(OutboxMessage).order_by(col(OutboxMessage.id)))
    summary = {row.dedupe_key: (row.status, row.attempts, row.last_error) for row in found}
    assert summary == {
        "retry": (OutboxStatus.PENDING, 1, "500"),
        "failed": (OutboxStatus.FAILED, 1, "Bad Request"),
        "released": (OutboxStatus.PENDING, 0, None),
        "blocked-pending": (OutboxStatus.FAILED, 0, outbox.BLOCKED),
        "blocked-sent": (OutboxStatus.SENT, 1, None),
    }
    assert next(row for row in found if row.dedupe_key == "retry").due_at == retry_at
    reachable = await fetch(select(Employee.reachable).order_by(col(Employee.id)))
    assert reachable == [True, False]
    async with sessionmaker() as session:
        assert await outbox.count_by_status(session) == {
            OutboxStatus.PENDING: 2,
            OutboxStatus.SENDING: 0,
            OutboxStatus.SENT: 1,
            OutboxStatus.FAILED: 2,
        }


async def test_restart_between_planning_and_sending_delivers_each_message_once(
    engine: AsyncEngine, bot: Bot, telegram: FakeTelegramServer
) -> None:
    async with make_sessionmaker(engine)() as session:
        people = await seed_people(session, 5, FIRST_CHAT)
        for person in people:
            await plan_for(session, person, f"restart:{person.id}")
        await session.commit()
    await claim(make_sessionmaker(engine), NOW, limit=2)  # a sender claims two, then dies
    await engine.dispose()

    restarted = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        sender = OutboxSender(
            bot, make_sessionmaker(restarted), render, clock=fixed_clock(NOW + LEASE)
        )
        assert await sender.send_due() == 5
        assert await sender.send_due() == 0
    finally:
        await restarted.dispose()

    delivered = Counter(
        call.params["chat_id"]
        for call in telegram.core.calls_of("sendMessage")
        if call.status == 200
    )
    assert delivered == {person.telegram_id: 1 for person in people}
    assert len(telegram.core.calls_of("sendMessage")) == 5


async def test_concurrent_claimers_never_get_the_same_row(
    engine: AsyncEngine, sessionmaker: SessionMaker
) -> None:
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): one sending process only")
    async with sessionmaker() as session:
        [person] = await seed_people(session, 1, FIRST_CHAT)
        for n in range(40):
            await plan_for(session, person, f"concurrent:{n}", NOW + timedelta(seconds=n))
        await session.commit()

    hold = 0.3

    async def claimer() -> list[int]:
        async with sessionmaker() as session:
            rows = await outbox.claim_due(session, NOW + timedelta(minutes=1), 7, LEASE)
            await asyncio.sleep(hold)  # keep the rows locked while the others claim
            await session.commit()
        return [row.id or 0 for row in rows]

    started = time.monotonic()
    first = await asyncio.gather(*(claimer() for _ in range(4)))
    assert [len(ids) for ids in first] == [7, 7, 7, 7]
    assert time.monotonic() - started < 2.5 * hold  # locked rows were skipped, not waited on
    second = await asyncio.gather(*(claimer() for _ in range(4)))
    claimed = [row_id for ids in first + second for row_id in ids]
    assert len(claimed) == len(set(claimed)) == 40
