"""Outgoing requests: data is committed before the bot speaks; floods and outages are retried."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteWebhook,
    EditMessageText,
    GetMe,
    GetUpdates,
    Response,
    SendDocument,
    SendMediaGroup,
    SendMessage,
    SendPhoto,
    SetMyCommands,
    TelegramMethod,
)

from bot.middlewares import current_session

logger = logging.getLogger(__name__)


# Every answer is parsed as `Response[<method's result type>]`. pydantic keeps those generic
# models only weakly, so after a garbage collection each one is rebuilt (about 4 ms of CPU).
# Holding them here keeps parsing cheap for the methods the bot uses.
_PINNED_RESPONSE_MODELS = [
    Response[method.__returning__]
    for method in (
        AnswerCallbackQuery,
        DeleteWebhook,
        EditMessageText,
        GetMe,
        GetUpdates,
        SendDocument,
        SendMediaGroup,
        SendMessage,
        SendPhoto,
        SetMyCommands,
    )
]


class CommitBeforeSending(BaseRequestMiddleware):
    """Commits the current update's transaction before any request reaches Telegram.

    Whatever a handler wrote is durable before the user is told it was saved, and no
    database lock is held while waiting on the network.
    """

    async def __call__(
        self, make_request: NextRequestMiddlewareType[Any], bot: Bot, method: TelegramMethod[Any]
    ) -> Response[Any]:
        session = current_session.get()
        if session is not None and session.in_transaction():
            await session.commit()
        return await make_request(bot, method)


class RetryRequests(BaseRequestMiddleware):
    """Waits out 429 `retry_after` and retries 5xx and network errors with backoff.

    Long polling has its own backoff in aiogram and is passed through.
    """

    def __init__(self, attempts: int = 4, max_wait: float = 60.0, backoff: float = 0.5) -> None:
        self.attempts = attempts
        self.max_wait = max_wait
        self.backoff = backoff

    async def __call__(
        self, make_request: NextRequestMiddlewareType[Any], bot: Bot, method: TelegramMethod[Any]
    ) -> Response[Any]:
        if isinstance(method, GetUpdates):
            return await make_request(bot, method)
        for attempt in range(1, self.attempts):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if error.retry_after > self.max_wait:
                    raise
                delay = float(error.retry_after)
            except (TelegramServerError, TelegramNetworkError):
                delay = self.backoff * 2 ** (attempt - 1)
            logger.warning(
                "%s failed (attempt %s of %s); retrying in %.1f s",
                method.__api_method__,
                attempt,
                self.attempts,
                delay,
            )
            await asyncio.sleep(delay)
        return await make_request(bot, method)
