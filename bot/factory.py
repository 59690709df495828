"""Factories for the bot, its FSM storage and the dispatcher; nothing is built at import."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import Bot, Dispatcher, F
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.enums import ChatType, ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.fsm.storage.redis import RedisStorage

from bot.config import Settings
from bot.i18n import ActorLocaleMiddleware, build_i18n
from bot.middlewares import ActorMiddleware, DatabaseMiddleware
from bot.telegram_io import CommitBeforeSending, RetryRequests
from handlers import get_routers
from storage.db import SessionMaker
from storage.types import utcnow


def build_bot(settings: Settings, session: BaseSession | None = None, *, retry: bool = True) -> Bot:
    """A bot talking HTML to Telegram, or to the local Bot API server in TELEGRAM_API_URL.

    `retry=False` leaves 429 and 5xx to the caller (the outbox sender paces and retries).
    """
    if session is None:
        api = PRODUCTION
        if settings.telegram_api_url is not None:
            api = TelegramAPIServer.from_base(str(settings.telegram_api_url))
        session = AiohttpSession(api=api)
    session.middleware(CommitBeforeSending())
    if retry:
        session.middleware(RetryRequests())
    return Bot(
        token=settings.require_token(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def build_fsm_storage(settings: Settings) -> tuple[BaseStorage, BaseEventIsolation]:
    """Redis when REDIS_URL is set (several processes, survives restarts), memory otherwise.

    Event isolation handles one user's updates one at a time, so a double tap cannot race.
    """
    if settings.redis_url:
        storage = RedisStorage.from_url(settings.redis_url)
        return storage, storage.create_isolation()
    return MemoryStorage(), SimpleEventIsolation()


def build_dispatcher(
    settings: Settings,
    sessionmaker: SessionMaker,
    *,
    clock: Callable[[], datetime] = utcnow,
    fsm: tuple[BaseStorage, BaseEventIsolation] | None = None,
) -> Dispatcher:
    """The dispatcher with its middlewares and every feature router."""
    storage, isolation = fsm or build_fsm_storage(settings)
    i18n = build_i18n(settings.default_locale)
    dispatcher = Dispatcher(
        storage=storage,
        events_isolation=isolation,
        settings=settings,
        sessionmaker=sessionmaker,
        clock=clock,
    )
    dispatcher["i18n"] = i18n
    dispatcher.message.filter(F.chat.type == ChatType.PRIVATE)
    dispatcher.update.outer_middleware(DatabaseMiddleware(sessionmaker, clock))
    dispatcher.update.outer_middleware(ActorMiddleware(settings.identity_key()))
    locale = ActorLocaleMiddleware(i18n)
    dispatcher.update.outer_middleware(locale)
    dispatcher.errors.outer_middleware(locale)
    dispatcher.include_routers(*get_routers())
    return dispatcher
