"""The outbox sender against a flood-limited fake Bot API over HTTP.

    .venv/bin/python bench/sender.py [--messages 2000] [--rate 25] [--server-limit 30]
                                     [--database-url URL]

Seeds one outbox message for each of N employees, serves the fake Bot API answering 429 above
`--server-limit` calls a second, runs `OutboxSender` at `--rate` until nothing is left to send,
and prints messages, seconds, the achieved rate (from the server's timestamps), 429s received,
duplicates and losses (both should be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy import text

from bot.sender import OutboxSender
from storage import outbox
from storage.db import SessionMaker, is_sqlite, make_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models import Employee, OutboxMessage, OutboxStatus, Unit
from storage.types import utcnow
from tests.fake_telegram import TOKEN, FakeTelegram, FakeTelegramServer

FIRST_CHAT = 10_000


async def seed(sessionmaker: SessionMaker, messages: int) -> None:
    """`messages` linked employees with one due outbox message each."""
    now = utcnow()
    async with sessionmaker() as session:
        unit = Unit(code="BENCH", name="Unit Bench")
        session.add(unit)
        await session.flush()
        people = [
            Employee(
                nip=f"{n:018d}", name=f"Pegawai {n}", unit_id=unit.id, telegram_id=FIRST_CHAT + n
            )
            for n in range(messages)
        ]
        session.add_all(people)
        await session.flush()
        for person in people:
            assert person.id is not None and person.telegram_id is not None
            await outbox.plan(
                session,
                kind="broadcast",
                employee_id=person.id,
                chat_id=person.telegram_id,
                dedupe_key=f"bench:{person.id}",
                due_at=now - timedelta(minutes=1),
                payload={"text": f"Pengingat laporan harian untuk <b>{person.name}</b>"},
                now=now,
            )
        await session.commit()


async def render(message: OutboxMessage) -> tuple[str, InlineKeyboardMarkup | None]:
    return message.payload["text"], None


async def send_everything(
    sender: OutboxSender, sessionmaker: SessionMaker, give_up_after: float
) -> float:
    """Run the sender until no row is pending or sending; the seconds it took."""
    stop = asyncio.Event()
    started = time.monotonic()
    task = asyncio.create_task(sender.run(stop, idle=0.2))
    while time.monotonic() - started < give_up_after:
        await asyncio.sleep(0.5)
        async with sessionmaker() as session:
            counts = await outbox.count_by_status(session)
        if counts[OutboxStatus.PENDING] + counts[OutboxStatus.SENDING] == 0:
            break
    elapsed = time.monotonic() - started
    stop.set()
    await task
    return elapsed


@dataclass
class Figures:
    delivered: int
    seconds: float
    rate: float
    flood_answers: int
    duplicates: int
    losses: int


def figures(core: FakeTelegram, messages: int, seconds: float, sent_rows: int) -> Figures:
    """What the server saw: deliveries per chat, their rate, and 429 answers."""
    calls = core.calls_of("sendMessage")
    ok = [call for call in calls if call.status == 200]
    per_chat = Counter(call.params["chat_id"] for call in ok)
    expected = {FIRST_CHAT + n for n in range(messages)}
    span = ok[-1].at - ok[0].at if len(ok) > 1 else 0.0
    return Figures(
        delivered=len(ok),
        seconds=seconds,
        rate=(len(ok) - 1) / span if span else 0.0,
        flood_answers=sum(1 for call in calls if call.status == 429),
        duplicates=sum(count - 1 for count in per_chat.values()),
        losses=len(expected - set(per_chat)) + (messages - sent_rows),
    )


async def main(args: argparse.Namespace) -> None:
    workdir = tempfile.TemporaryDirectory()
    database_url = args.database_url or f"sqlite+aiosqlite:///{workdir.name}/bench.db"
    engine = make_engine(database_url)
    if not is_sqlite(database_url):
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await upgrade(engine)
    sessionmaker = make_sessionmaker(engine)
    await seed(sessionmaker, args.messages)

    async with FakeTelegramServer() as server:
        server.core.limit_rate(args.server_limit, retry_after=args.retry_after)
        session = AiohttpSession(api=TelegramAPIServer.from_base(server.url))
        bot = Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
        sender = OutboxSender(bot, sessionmaker, render, rate=args.rate, batch=args.batch)
        give_up_after = args.messages / min(args.rate, args.server_limit) * 3 + 30
        seconds = await send_everything(sender, sessionmaker, give_up_after)
        await bot.session.close()
    async with sessionmaker() as db:
        sent_rows = (await outbox.count_by_status(db))[OutboxStatus.SENT]
    await engine.dispose()
    workdir.cleanup()

    result = figures(server.core, args.messages, seconds, sent_rows)
    print(f"database       {engine.dialect.name}")
    print(f"limits         sender {args.rate:g}/s, server {args.server_limit:g}/s")
    print(f"messages       {result.delivered} of {args.messages}")
    print(f"seconds        {result.seconds:.1f}")
    print(f"achieved rate  {result.rate:.2f} msg/s (server timestamps)")
    print(f"429s received  {result.flood_answers} (flood pauses: {sender.stats.flood_waits})")
    print(f"duplicates     {result.duplicates}")
    print(f"losses         {result.losses}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000, help="employees, one message each")
    parser.add_argument("--rate", type=float, default=25.0, help="sender's messages per second")
    parser.add_argument("--server-limit", type=float, default=30.0, help="429 above this rate")
    parser.add_argument("--retry-after", type=int, default=1, help="seconds the 429 asks for")
    parser.add_argument("--batch", type=int, default=50, help="rows claimed at a time")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
