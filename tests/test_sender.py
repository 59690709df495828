"""The bulk sender against the fake Bot API over HTTP: limits, floods, failures, outcomes."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import InlineKeyboardMarkup
from sqlmodel import col, select

from bot.sender import OutboxSender
from storage import outbox
from storage.db import SessionMaker
from storage.models import Employee, OutboxMessage, OutboxStatus
from tests.factories import seed_people
from tests.fake_telegram import TOKEN, ApiCall, FakeTelegram, FakeTelegramServer
from tests.harness import Fetch

NOW = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
FIRST_CHAT = 70_000


class Clock:
    """A clock that moves only when told."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


async def render(message: OutboxMessage) -> tuple[str, InlineKeyboardMarkup | None]:
    return message.payload["text"], None


@pytest.fixture
async def bot(telegram: FakeTelegramServer) -> AsyncIterator[Bot]:
    """A plain bot (no RetryRequests): 429 and 5xx reach the sender."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(telegram.url))
    bot = Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    yield bot
    await bot.session.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_sender(bot: Bot, sessionmaker: SessionMaker, clock: Clock, **limits: Any) -> OutboxSender:
    return OutboxSender(bot, sessionmaker, render, clock=clock, **limits)


async def plan_messages(
    sessionmaker: SessionMaker, per_person: list[int], due_at: datetime = NOW
) -> list[Employee]:
    """Employees with `per_person[i]` messages each, due at `due_at`."""
    async with sessionmaker() as session:
        people = await seed_people(session, len(per_person), FIRST_CHAT)
        for person, count in zip(people, per_person, strict=True):
            for n in range(count):
                assert person.id is not None and person.telegram_id is not None
                await outbox.plan(
                    session,
                    kind="broadcast",
                    employee_id=person.id,
                    chat_id=person.telegram_id,
                    dedupe_key=f"broadcast:{person.id}:{n}",
                    due_at=due_at,
                    payload={"text": f"Pesan {n} untuk <b>{person.name}</b>"},
                )
        await session.commit()
    return people


async def send_all(sender: OutboxSender, expected: int) -> None:
    """Call send_due until `expected` messages went out."""
    sent = 0
    for _ in range(50):
        sent += await sender.send_due()
        if sent >= expected:
            break
    assert sent == expected


def delivered(core: FakeTelegram) -> list[ApiCall]:
    return [call for call in core.calls_of("sendMessage") if call.status == 200]


def per_chat(calls: list[ApiCall]) -> Counter[int]:
    return Counter(call.params["chat_id"] for call in calls)


def achieved_rate(calls: list[ApiCall]) -> float:
    """Messages per second between the first and the last call, as the server saw them."""
    return (len(calls) - 1) / (calls[-1].at - calls[0].at)


async def rows_by_key(fetch: Fetch) -> dict[str, OutboxMessage]:
    return {row.dedupe_key: row for row in await fetch(select(OutboxMessage))}


async def test_flood_limit_pauses_sending_and_loses_or_repeats_nothing(
    bot: Bot, telegram: FakeTelegramServer, sessionmaker: SessionMaker, clock: Clock, fetch: Fetch
) -> None:
    people = await plan_messages(sessionmaker, [1] * 100)
    telegram.core.limit_rate(per_second=40, retry_after=1)
    sender = make_sender(bot, sessionmaker, clock, rate=100)

    await send_all(sender, 100)

    calls = telegram.core.calls_of("sendMessage")
    assert any(call.status == 429 for call in calls)
    assert sender.stats.flood_waits >= 1
    assert per_chat(delivered(telegram.core)) == {person.telegram_id: 1 for person in people}
    rows = await rows_by_key(fetch)
    assert {(row.status, row.attempts) for row in rows.values()} == {(OutboxStatus.SENT, 1)}


async def test_global_rate_stays_within_the_setting(
    bot: Bot, telegram: FakeTelegramServer, sessionmaker: SessionMaker, clock: Clock
) -> None:
    await plan_messages(sessionmaker, [1] * 60)
    sender = make_sender(bot, sessionmaker, clock, rate=20, batch=25)

    await send_all(sender, 60)

    calls = delivered(telegram.core)
    assert len(calls) == 60
    assert 15 <= achieved_rate(calls) <= 20 * 1.05
    times = [call.at for call in calls]
    busiest_second = max(sum(1 for t in times if start <= t < start + 1) for start in times)
    assert busiest_second <= 21


async def test_messages_to_one_chat_are_spaced_without_holding_up_others(
    bot: Bot, telegram: FakeTelegramServer, sessionmaker: SessionMaker, clock: Clock
) -> None:
    busy, other = await plan_messages(sessionmaker, [3, 1])
    sender = make_sender(bot, sessionmaker, clock, per_chat_interval=0.5)

    await send_all(sender, 4)

    calls = delivered(telegram.core)
    to_busy = [call.at for call in calls if call.params["chat_id"] == busy.telegram_id]
    [to_other] = [call.at for call in calls if call.params["chat_id"] == other.telegram_id]
    assert len(to_busy) == 3
    assert all(later - earlier >= 0.5 - 0.02 for earlier, later in pairwise(to_busy))
    assert to_other < to_busy[1]


async def test_blocked_user_is_marked_unreachable_and_not_retried(
    bot: Bot, telegram: FakeTelegramServer, sessionmaker: SessionMaker, clock: Clock, fetch: Fetch
) -> None:
    blocker, reader = await plan_messages(sessionmaker, [2, 1])
    async with sessionmaker() as session:  # one more for the blocker, due tomorrow
        assert blocker.id is not None and blocker.telegram_id is not None
        await outbox.plan(
            session,
            kind="reminder",
            employee_id=blocker.id,
            chat_id=blocker.telegram_id,
            dedupe_key="tomorrow",
            due_at=NOW + timedelta(days=1),
            payload={"text": "Besok"},
        )
        await session.commit()
    telegram.core.fail("sendMessage", status=403)
    sender = make_sender(bot, sessionmaker, clock)

    assert await sender.send_due() == 1
    clock.advance(2 * 86_400)
    assert await sender.send_due() == 0

    calls = telegram.core.calls_of("sendMessage")
    assert [call.status for call in calls if call.params["chat_id"] == blocker.telegram_id] == [403]
    assert per_chat(delivered(telegram.core)) == {reader.telegram_id: 1}
    reachable = await fetch(select(Employee.reachable).order_by(col(Employee.id)))
    assert reachable == [False, True]
    rows = await fetch(select(OutboxMessage).where(OutboxMessage.employee_id == blocker.id))
    assert {(row.status, row.last_error) for row in rows} == {(OutboxStatus.FAILED, "blocked")}
    assert len(rows) == 3


async def test_server_error_is_retried_later_then_sent(
    bot: Bot, telegram: FakeTelegramServer, sessionmaker: SessionMaker, clock: Clock, fetch: Fetch
) -> None:
    await plan_messages(sessionmaker, [1])
    telegram.core.fail("sendMessage", status=500)
    sender = make_sender(bot, sessionmaker, clock, per_chat_interval=0.01)

    assert await sender.send_due() == 0
    [row] = (await rows_by_key(fetch)).values()
    assert (row.status, row.attempts, row.due_at) == (
        OutboxStatus.PENDING,
        1,
        NOW + timedelta(seconds=2),
    )
    assert row.last_error is not None and "Internal Server Error" in row.last_error
    assert await sender.send_due() == 0  # not due yet

    clock.advance(2)
    assert await sender.send_due() == 1
    [row] = (await rows_by_key(fetch)).values()
    assert (row.status, row.attempts, row.sent_at) == (OutboxStatus.SENT, 2, clock.now)
    assert [call.status for call in telegram.core.calls_of("sendMessage")] == [500, 200]


async def test_server_errors_fail_the_message_after_max_attempts(
    bot: Bot, telegram: FakeTelegramServer, sessionmaker: SessionMaker, clock: Clock, fetch: Fetch
) -> None:
    await plan_messages(sessionmaker, [1])
    telegram.core.fail("sendMessage", status=502, times=10, description="Bad Gateway")
    sender = make_sender(bot, sessionmaker, clock, max_attempts=3, per_chat_interval=0.01)

    for _ in range(5):
        assert await sender.send_due() == 0
        clock.advance(3600)

    [row] = (await rows_by_key(fetch)).values()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 3)
    assert row.last_error is not None and "Bad Gateway" in row.last_error
    assert len(telegram.core.calls_of("sendMessage")) == 3


async def test_bad_request_fails_the_message_with_the_description(
    bot: Bot, telegram: FakeTelegramServer, sessionmaker: SessionMaker, clock: Clock, fetch: Fetch
) -> None:
    await plan_messages(sessionmaker, [1])

    async def render_empty(message: OutboxMessage) -> tuple[str, InlineKeyboardMarkup | None]:
        return "<b> </b>", None

    sender = OutboxSender(bot, sessionmaker, render_empty, clock=clock)
    assert await sender.send_due() == 0
    clock.advance(3600)
    assert await sender.send_due() == 0

    [row] = (await rows_by_key(fetch)).values()
    assert (row.status, row.last_error) == (
        OutboxStatus.FAILED,
        "Bad Request: message text is empty",
    )
    assert len(telegram.core.calls_of("sendMessage")) == 1


async def test_claim_is_not_used_past_its_lease(
    bot: Bot, telegram: FakeTelegramServer, sessionmaker: SessionMaker, clock: Clock, fetch: Fetch
) -> None:
    await plan_messages(sessionmaker, [1] * 5)
    sender = make_sender(bot, sessionmaker, clock, rate=4, lease=timedelta(seconds=0.5))

    assert await sender.send_due() == 2  # slots at 0 and 0.25 s; the claim is used for 0.4 s
    rows = (await rows_by_key(fetch)).values()
    assert sorted((row.status, row.attempts) for row in rows) == [
        (OutboxStatus.PENDING, 0),  # handed back unsent: the attempt does not count
        (OutboxStatus.PENDING, 0),
        (OutboxStatus.PENDING, 0),
        (OutboxStatus.SENT, 1),
        (OutboxStatus.SENT, 1),
    ]
    await send_all(sender, 3)
    assert len(telegram.core.calls_of("sendMessage")) == 5
    assert per_chat(delivered(telegram.core)) == dict.fromkeys(
        [FIRST_CHAT + n for n in range(5)], 1
    )
    rows = (await rows_by_key(fetch)).values()
    assert {(row.status, row.attempts) for row in rows} == {(OutboxStatus.SENT, 1)}


async def test_run_sends_until_stopped(
    bot: Bot, telegram: FakeTelegramServer, sessionmaker: SessionMaker, clock: Clock
) -> None:
    people = await plan_messages(sessionmaker, [1] * 3)
    sender = make_sender(bot, sessionmaker, clock)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop, idle=0.05))

    for person in people:
        await telegram.core.wait_for_call(
            "sendMessage", lambda call, chat=person.telegram_id: call.params["chat_id"] == chat
        )
    stop.set()
    await asyncio.wait_for(task, timeout=2)
    assert len(delivered(telegram.core)) == 3


def test_fake_rate_limit_answers_429_beyond_the_budget() -> None:
    core = FakeTelegram()
    core.limit_rate(per_second=2, per_chat_per_second=1, retry_after=3)

    statuses = [
        core.handle("sendMessage", {"chat_id": chat, "text": "x"}, {})[0] for chat in (1, 1, 2, 3)
    ]

    assert statuses == [200, 429, 200, 429]
    status, answer = core.handle("sendMessage", {"chat_id": 4, "text": "x"}, {})
    assert (status, answer["parameters"]) == (429, {"retry_after": 3})
    assert core.handle("getUpdates", {}, {})[0] == 200
