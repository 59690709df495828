"""One rate-limited sender for every outgoing bulk message, fed by the durable outbox."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.types import InlineKeyboardMarkup

from storage import outbox
from storage.db import SessionMaker
from storage.models import OutboxMessage
from storage.types import utcnow

logger = logging.getLogger(__name__)

Renderer = Callable[[OutboxMessage], Awaitable[tuple[str, InlineKeyboardMarkup | None]]]

# Telegram will never accept these as they are: retrying is pointless.
_HOPELESS = (TelegramBadRequest, TelegramNotFound, TelegramEntityTooLarge, TelegramMigrateToChat)
# A claim is used for at most this share of its lease, so it never outlives it mid-send.
LEASE_SHARE = 0.8
MAX_BACKOFF = 900.0


class Pacer:
    """Evenly spaced sending slots, at most `rate` a second; a flood pause holds them all."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._paused_until = 0.0

    async def wait(self, deadline: float = math.inf) -> bool:
        """Sleep until this caller's slot, never inside a pause; True then.

        False at once, with no slot taken, when the slot would come after `deadline`.
        """
        while True:
            now = time.monotonic()
            slot = max(now, self._next, self._paused_until)
            if slot > deadline:
                return False
            self._next = slot + self.interval
            await asyncio.sleep(slot - now)
            if time.monotonic() >= self._paused_until:
                return True

    def paused_for(self) -> float:
        """Seconds left of the current flood pause (0 if none)."""
        return max(0.0, self._paused_until - time.monotonic())

    def pause(self, seconds: float) -> None:
        """Hold every slot for `seconds` from now (Telegram's flood limit is per bot)."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        self._next = max(self._next, self._paused_until)


class ChatSpacing:
    """At most one message per `interval` seconds to each chat."""

    def __init__(self, interval: float, keep: int = 10_000) -> None:
        self.interval = interval
        self.keep = keep
        self._last: dict[int, float] = {}

    async def wait(self, chat_id: int, deadline: float = math.inf) -> bool:
        """Sleep until the chat may get its next message; False at once if after `deadline`."""
        ready = self._last.get(chat_id, -math.inf) + self.interval
        if ready > deadline:
            return False
        await asyncio.sleep(max(0.0, ready - time.monotonic()))
        return True

    def sending(self, chat_id: int) -> None:
        """A message to the chat leaves now."""
        now = time.monotonic()
        if len(self._last) >= self.keep:
            self._last = {c: t for c, t in self._last.items() if t > now - self.interval}
        self._last[chat_id] = now


class Result(Enum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    BLOCKED = "blocked"
    RELEASE = "release"  # claim unused: the lease ran out, or the batch stopped


@dataclass(frozen=True)
class Outcome:
    result: Result
    error: str | None = None


@dataclass
class _Batch:
    """The rows claimed together: how long their lease may be used, and whether to stop."""

    deadline: float  # time.monotonic()
    halted: bool = False

    def usable(self) -> bool:
        return not self.halted and time.monotonic() < self.deadline


@dataclass
class SenderStats:
    """Counters for logs and benchmarks."""

    flood_waits: int = 0
    outcomes: dict[Result, int] = field(default_factory=lambda: dict.fromkeys(Result, 0))


class OutboxSender:
    """Sends due outbox messages within Telegram's limits and records each outcome.

    At most `rate` messages a second overall and one per `per_chat_interval` seconds to each
    chat. A 429 pauses all sending for its `retry_after` and the same message is tried again;
    5xx and network errors reschedule it with exponential backoff (failed after `max_attempts`
    claims); 403 marks the employee unreachable; other 4xx fail the message.

    The bot must not retry on its own: build it without `RetryRequests` (a plain
    `AiohttpSession`, optionally with `CommitBeforeSending`), so that 429 and 5xx reach this
    sender instead of sleeping inside a request. Rate limits assume this is the only sender
    using the bot token. Due and lease times follow `clock`; pacing uses monotonic time. Stop
    it with `run`'s event (the claimed batch is finished); a cancelled or killed sender leaves
    its claimed rows to be claimed again once their lease has run out.
    """

    def __init__(
        self,
        bot: Bot,
        sessionmaker: SessionMaker,
        render: Renderer,
        *,
        clock: Callable[[], datetime] = utcnow,
        rate: float = 25.0,
        per_chat_interval: float = 1.0,
        batch: int = 50,
        lease: timedelta = timedelta(minutes=5),
        max_attempts: int = 8,
    ) -> None:
        self.bot = bot
        self.sessionmaker = sessionmaker
        self.render = render
        self.clock = clock
        self.batch = batch
        self.lease = lease
        self.max_attempts = max_attempts
        self.stats = SenderStats()
        self._pacer = Pacer(rate)
        self._chats = ChatSpacing(per_chat_interval)
        self._lock = asyncio.Lock()

    async def send_due(self) -> int:
        """Claim due messages (committing the claim), send them, record each outcome.

        Returns how many were delivered.
        """
        async with self._lock:
            messages = await self._claim()
            if not messages:
                return 0
            batch = _Batch(time.monotonic() + self.lease.total_seconds() * LEASE_SHARE)
            by_chat: dict[int, list[OutboxMessage]] = defaultdict(list)
            for message in messages:
                by_chat[message.chat_id].append(message)
            results = await asyncio.gather(
                *(self._send_chat(queue, batch) for queue in by_chat.values()),
                return_exceptions=True,
            )
        errors = [result for result in results if isinstance(result, BaseException)]
        if errors:
            raise errors[0]
        return sum(result for result in results if isinstance(result, int))

    async def run(self, stop: asyncio.Event, idle: float = 1.0) -> None:
        """Send due messages until `stop` is set, waiting `idle` seconds when none was sent."""
        while not stop.is_set():
            if (paused := self._pacer.paused_for()) > 0:  # claim nothing during a flood pause
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), paused)
                continue
            try:
                sent = await self.send_due()
            except Exception:
                logger.exception("sending outbox messages failed; trying again in %.1f s", idle)
                sent = 0
            if sent == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), idle)

    async def _claim(self) -> list[OutboxMessage]:
        async with self.sessionmaker() as session:
            messages = await outbox.claim_due(session, self.clock(), self.batch, self.lease)
            await session.commit()
        return messages

    async def _send_chat(self, queue: list[OutboxMessage], batch: _Batch) -> int:
        """Send one chat's messages in order; after a 403 the rest fail as blocked."""
        sent = 0
        for index, message in enumerate(queue):
            outcome = await self._attempt(message, batch)
            try:
                await self._record(message, outcome, queue[index + 1 :])
            except BaseException:
                batch.halted = True  # outcomes can't be saved: stop sending, leave the rest
                raise
            if outcome.result is Result.SENT:
                sent += 1
            elif outcome.result is Result.BLOCKED:
                break
        return sent

    async def _attempt(self, message: OutboxMessage, batch: _Batch) -> Outcome:
        """Render and send one message, waiting out 429s; how it ended."""
        if message.attempts > self.max_attempts:
            return Outcome(Result.FAILED, "too many attempts")
        try:
            text, markup = await self.render(message)
        except Exception as error:
            logger.exception("rendering outbox message %s failed", message.id)
            return Outcome(Result.FAILED, f"render: {error!r}")
        while batch.usable():
            if not await self._chats.wait(message.chat_id, batch.deadline):
                break
            if not await self._pacer.wait(batch.deadline) or not batch.usable():
                break
            self._chats.sending(message.chat_id)
            try:
                await self.bot.send_message(message.chat_id, text, reply_markup=markup)
            except TelegramRetryAfter as error:
                logger.warning("flood limit: pausing all sending for %s s", error.retry_after)
                self.stats.flood_waits += 1
                self._pacer.pause(error.retry_after)
                continue
            except TelegramForbiddenError:
                logger.info("employee %s blocked the bot", message.employee_id)
                return Outcome(Result.BLOCKED, outbox.BLOCKED)
            except _HOPELESS as error:
                return Outcome(Result.FAILED, error.message)
            except (TelegramAPIError, TelegramNetworkError) as error:
                return self._retry_or_fail(message, error)
            return Outcome(Result.SENT)
        return Outcome(Result.RELEASE)

    def _retry_or_fail(self, message: OutboxMessage, error: TelegramAPIError) -> Outcome:
        """Try again later, unless this was the last attempt."""
        description = f"{type(error).__name__}: {error.message}"
        if message.attempts >= self.max_attempts:
            return Outcome(Result.FAILED, description)
        return Outcome(Result.RETRY, description)

    def retry_delay(self, attempts: int) -> timedelta:
        """Backoff after `attempts` failed claims: 2, 4, 8... seconds, at most 15 minutes."""
        return timedelta(seconds=min(2.0**attempts, MAX_BACKOFF))

    async def _record(
        self, message: OutboxMessage, outcome: Outcome, rest: list[OutboxMessage]
    ) -> None:
        """Save the outcome in its own transaction (after a 403, also fail `rest`)."""
        assert message.id is not None
        self.stats.outcomes[outcome.result] += 1
        async with self.sessionmaker() as session:
            now = self.clock()
            error = outcome.error or ""
            match outcome.result:
                case Result.SENT:
                    await outbox.mark_sent(session, message.id, now)
                case Result.RETRY:
                    retry_at = now + self.retry_delay(message.attempts)
                    await outbox.mark_retry(session, message.id, error, retry_at)
                case Result.FAILED:
                    logger.warning("outbox message %s failed: %s", message.id, error)
                    await outbox.mark_failed(session, message.id, error)
                case Result.BLOCKED:
                    await outbox.mark_unreachable(session, message.employee_id)
                    for blocked in (message, *rest):
                        assert blocked.id is not None
                        await outbox.mark_failed(session, blocked.id, outbox.BLOCKED)
                case Result.RELEASE:
                    await outbox.release(session, message.id)
            await session.commit()
