"""Update middlewares: one database session per update, and who the user is."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import SessionMaker
from storage.identity import user_key
from storage.people import load_actor
from storage.updates import claim_update

logger = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

# The session of the update being handled in this task; the bot commits it before
# every outgoing request (see bot.telegram_io.CommitBeforeSending).
current_session: ContextVar[AsyncSession | None] = ContextVar("current_session", default=None)


class DatabaseMiddleware(BaseMiddleware):
    """One session and transaction per update, committed after the handler.

    The update id is recorded in the same transaction as the handler's writes, so an
    update Telegram delivers again (after a crash, or a webhook retry) is skipped.
    """

    def __init__(self, sessionmaker: SessionMaker, clock: Callable[[], datetime]) -> None:
        self.sessionmaker = sessionmaker
        self.clock = clock

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        async with self.sessionmaker() as session:
            token = current_session.set(session)
            try:
                if not await claim_update(session, event.update_id, self.clock()):
                    logger.info("update %s was handled before; skipped", event.update_id)
                    return None
                data["session"] = session
                result = await handler(event, data)
                await session.commit()
                return result
            finally:
                current_session.reset(token)


class ActorMiddleware(BaseMiddleware):
    """Puts the `actor` (linked employee or unregistered user) into the handler data.

    An employee marked unreachable (they had blocked the bot) who writes again is reachable.
    """

    def __init__(self, identity_key: bytes) -> None:
        self.identity_key = identity_key

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is not None:
            key = user_key(self.identity_key, user.id)
            actor = await load_actor(data["session"], user.id, key)
            if actor.employee is not None and not actor.employee.reachable:
                actor.employee.reachable = True  # they unblocked the bot: remind them again
                data["session"].add(actor.employee)
            data["actor"] = actor
        return await handler(event, data)
