"""Running the bot: migrate, register menus, long-poll, keep the bookkeeping small."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramNetworkError, TelegramServerError

from bot.commands import register_menus
from bot.config import Settings
from bot.evaluation_rules import PeriodKind
from bot.factory import build_bot, build_dispatcher
from bot.scheduler import Planner, ReminderTexts
from bot.sender import OutboxSender
from storage.db import SessionMaker, make_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.types import utcnow
from storage.updates import prune_processed_updates

logger = logging.getLogger(__name__)

KEEP_PROCESSED_UPDATES = timedelta(days=2)  # Telegram keeps undelivered updates for 24 hours
PRUNE_INTERVAL_SECONDS = 3600


async def _prune_forever(sessionmaker: SessionMaker, clock: Callable[[], datetime]) -> None:
    while True:
        async with sessionmaker() as session:
            pruned = await prune_processed_updates(session, clock() - KEEP_PROCESSED_UPDATES)
            await session.commit()
        logger.debug("pruned %s processed-update records", pruned)
        await asyncio.sleep(PRUNE_INTERVAL_SECONDS)


@contextlib.asynccontextmanager
async def background(
    dispatcher: Dispatcher, sessionmaker: SessionMaker, clock: Callable[[], datetime]
) -> AsyncIterator[None]:
    """For as long as the bot runs: prune bookkeeping, plan reminders, send the outbox."""
    settings: Settings = dispatcher["settings"]
    sender_bot = build_bot(settings, retry=False)
    sender = OutboxSender(
        sender_bot,
        sessionmaker,
        ReminderTexts(sessionmaker, dispatcher["i18n"]),
        clock=clock,
        rate=settings.send_rate,
    )
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(_prune_forever(sessionmaker, clock)),
        asyncio.create_task(
            Planner(sessionmaker, clock, PeriodKind(settings.evaluation_period)).run(stop)
        ),
        asyncio.create_task(sender.run(stop)),
    ]
    try:
        yield
    finally:
        stop.set()
        tasks[0].cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await sender_bot.session.close()


async def poll(
    bot: Bot,
    dispatcher: Dispatcher,
    sessionmaker: SessionMaker,
    *,
    clock: Callable[[], datetime] = utcnow,
    handle_signals: bool = True,
) -> None:
    """Register the menus and long-poll until stopped (SIGINT/SIGTERM, or stop_polling).

    Pending updates are kept: whatever users sent while the bot was down is handled now.
    """
    try:
        await register_menus(bot, dispatcher["i18n"])
        await bot.delete_webhook(drop_pending_updates=False)
    except (TelegramNetworkError, TelegramServerError) as error:
        logger.warning("could not register the command menus yet: %s", error)
    async with background(dispatcher, sessionmaker, clock):
        await dispatcher.start_polling(
            bot,
            allowed_updates=dispatcher.resolve_used_update_types(),
            handle_signals=handle_signals,
        )


async def run_polling(settings: Settings) -> None:
    """`kinerja-bot run`: migrate the database to the newest schema, then poll."""
    engine = make_engine(settings.database_url)
    try:
        await upgrade(engine)
        sessionmaker = make_sessionmaker(engine)
        bot = build_bot(settings)
        dispatcher = build_dispatcher(settings, sessionmaker)
        await poll(bot, dispatcher, sessionmaker)
    finally:
        await engine.dispose()
