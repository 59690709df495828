"""Throughput of the whole /lapor flow against a bare aiogram echo bot.

Both run through `Dispatcher.feed_update` on the same in-process recording session (no
network), so the difference is the bot's own work: middlewares, database writes, formatting.

    .venv/bin/python bench/report_flow.py [--employees 300] [--database-url URL]

Prints updates per second of each, their ratio (goal: at least 0.5), and peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram import Bot, Dispatcher, F
from aiogram.types import CallbackQuery, Message, Update
from sqlalchemy import text

from bot.factory import build_bot, build_dispatcher
from storage.db import is_sqlite, make_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models import Employee, Indicator, Unit
from tests.fake_telegram import FakeTelegram, FakeUser, RecordingSession
from tests.harness import make_settings

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
FIRST_USER = 10_000


async def seed(database_url: str, employees: int) -> None:
    """A unit, a linked supervisor, and `employees` linked staff with two indicators each."""
    engine = make_engine(database_url)
    if not is_sqlite(database_url):
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await upgrade(engine)
    async with make_sessionmaker(engine)() as session:
        unit = Unit(code="BENCH", name="Unit Bench", timezone="Asia/Makassar")
        session.add(unit)
        await session.flush()
        head = Employee(nip="1" * 18, name="Kepala", unit_id=unit.id, telegram_id=FIRST_USER - 1)
        session.add(head)
        await session.flush()
        staff = [
            Employee(
                nip=f"{n:018d}",
                name=f"Pegawai {n}",
                unit_id=unit.id,
                supervisor_id=head.id,
                telegram_id=FIRST_USER + n,
                language="id",
            )
            for n in range(employees)
        ]
        session.add_all(staff)
        await session.flush()
        session.add_all(
            Indicator(
                employee_id=person.id,
                year=2026,
                code=code,
                title=f"Indikator {code}",
                measure="dokumen",
                target=Decimal(120),
            )
            for person in staff
            for code in ("IKU-1", "IKU-2")
        )
        await session.commit()
    await engine.dispose()


Step = Callable[[FakeUser], int]
FLOW: list[Step] = [
    lambda user: user.send("/lapor"),
    lambda user: user.click_button("IKU-1"),
    lambda user: user.send("Menyusun draf surat keputusan mutasi pegawai"),
    lambda user: user.send("2,5"),
    lambda user: user.click_button("Lewati"),
    lambda user: user.click_button("Kirim"),
]


async def timed_flow(
    core: FakeTelegram, bot: Bot, dispatcher: Dispatcher, employees: int
) -> tuple[int, float]:
    """Drive every employee through the flow; (updates, seconds spent in feed_update)."""
    spent = 0.0
    updates = 0
    for n in range(employees):
        user = core.user(FIRST_USER + n, f"Pegawai {n}", language_code="id")
        for step in FLOW:
            update_id = step(user)
            payload = core.pending_updates[-1]
            assert payload["update_id"] == update_id
            started = time.perf_counter()
            await dispatcher.feed_update(bot, Update.model_validate(payload))
            spent += time.perf_counter() - started
            updates += 1
    return updates, spent


def echo_dispatcher() -> Dispatcher:
    """The smallest useful aiogram bot: echo texts, acknowledge buttons."""
    dispatcher = Dispatcher()

    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    async def acknowledge(query: CallbackQuery) -> None:
        await query.answer()
        assert isinstance(query.message, Message)
        await query.message.edit_text("ok " + (query.data or ""))

    dispatcher.message.register(echo, F.text)
    dispatcher.callback_query.register(acknowledge)
    return dispatcher


async def timed_echo(core: FakeTelegram, bot: Bot, updates: int) -> float:
    """Feed the echo bot as many updates as the flow had: four texts, two buttons a round."""
    dispatcher = echo_dispatcher()
    user = core.user(1, "Echo", language_code="id")
    await bot.send_message(1, "start")
    spent = 0.0
    for n in range(updates):
        if n % 3 == 1:
            user.click("x")
        else:
            user.send(f"pesan {n}")
        payload = core.pending_updates[-1]
        started = time.perf_counter()
        await dispatcher.feed_update(bot, Update.model_validate(payload))
        spent += time.perf_counter() - started
    return spent


async def main(employees: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        await seed(url, employees)
        settings = make_settings(url)
        core = FakeTelegram()
        engine = make_engine(url)
        bot = build_bot(settings, session=RecordingSession(core))
        dispatcher = build_dispatcher(settings, make_sessionmaker(engine), clock=lambda: NOW)
        updates, flow_seconds = await timed_flow(core, bot, dispatcher, employees)
        submitted = sum(
            1
            for call in core.calls_of("editMessageText")
            if "Laporan terkirim" in (call.text or "")
        )
        assert submitted == employees, f"only {submitted} of {employees} reports submitted"
        await engine.dispose()

        echo_core = FakeTelegram()
        echo_bot = Bot(settings.require_token(), session=RecordingSession(echo_core))
        echo_seconds = await timed_echo(echo_core, echo_bot, updates)
        await bot.session.close()
        await echo_bot.session.close()

    flow_rate = updates / flow_seconds
    echo_rate = updates / echo_seconds
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database      {url.split('://')[0]}")
    print(f"employees     {employees} ({updates} updates, {submitted} reports submitted)")
    print(
        f"/lapor flow   {flow_rate:8.0f} updates/s  ({flow_seconds * 1000 / updates:.2f} ms each)"
    )
    print(
        f"bare echo     {echo_rate:8.0f} updates/s  ({echo_seconds * 1000 / updates:.2f} ms each)"
    )
    print(f"ratio         {flow_rate / echo_rate:8.2f}  (goal >= 0.5)")
    print(f"peak memory   {peak_mb:8.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=300)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    args = parser.parse_args()
    asyncio.run(main(args.employees, args.database_url))
