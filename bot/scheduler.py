"""Reminders at the right local moment: a planner that fills the outbox, and their texts.

The planner runs every half minute; what it plans is keyed, so a reminder is planned once
however often it runs, and sent once by the outbox sender.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import date, datetime

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.callbacks import Shortcut
from bot.commands import PENDING, REPORT
from bot.formatting import format_day
from bot.keyboards import shortcut_keyboard
from storage.calendar import Calendar, load_calendar
from storage.db import SessionMaker
from storage.models import Employee, OutboxMessage
from storage.reminders import (
    Kind,
    Reminder,
    daily_reminders,
    local_moment,
    pending_reminders,
    plan_reminders,
    time_zones,
)

logger = logging.getLogger(__name__)

PLAN_INTERVAL_SECONDS = 30
Clock = Callable[[], datetime]


async def due_reminders(session: AsyncSession, now: datetime) -> list[Reminder]:
    """Every reminder due at `now`, in every time zone a unit lives in, on working days."""
    reminders: list[Reminder] = []
    calendars: dict[int, Calendar] = {}
    for timezone in await time_zones(session):
        local = local_moment(now, timezone)
        today = local.date()
        if today.year not in calendars:
            calendars[today.year] = await load_calendar(session, [today.year - 1, today.year])
        calendar = calendars[today.year]
        if not calendar.is_working_day(today):
            continue
        moment = local.time().replace(tzinfo=None)
        reminders += await daily_reminders(session, timezone, today, moment)
        waiting_since = calendar.add_working_days(today, -1)
        reminders += await pending_reminders(session, timezone, today, moment, waiting_since)
    return reminders


class Planner:
    """Plans due reminders into the outbox every half minute while the bot runs."""

    def __init__(self, sessionmaker: SessionMaker, clock: Clock) -> None:
        self.sessionmaker = sessionmaker
        self.clock = clock

    async def plan_once(self) -> int:
        """Plan what is due now; how many reminders were new."""
        async with self.sessionmaker() as session:
            planned = await plan_reminders(session, await due_reminders(session, self.clock()))
            await session.commit()
        return planned

    async def run(self, stop: asyncio.Event) -> None:
        """Plan until `stop` is set; a failing round is logged and retried next round."""
        while not stop.is_set():
            try:
                planned = await self.plan_once()
                if planned:
                    logger.info("planned %s reminders", planned)
            except Exception:
                logger.exception("planning reminders failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), PLAN_INTERVAL_SECONDS)


class ReminderTexts:
    """Renders an outbox message in its recipient's language."""

    def __init__(self, sessionmaker: SessionMaker, i18n: I18n) -> None:
        self.sessionmaker = sessionmaker
        self.i18n = i18n

    async def __call__(self, message: OutboxMessage) -> tuple[str, InlineKeyboardMarkup | None]:
        async with self.sessionmaker() as session:
            recipient = await session.get(Employee, message.employee_id)
        locale = (recipient.language if recipient else None) or self.i18n.default_locale
        with self.i18n.context(), self.i18n.use_locale(locale):
            return render(message, locale)


def render(message: OutboxMessage, locale: str) -> tuple[str, InlineKeyboardMarkup | None]:
    """The text and button of a reminder, in the current language."""
    if message.kind == Kind.DAILY:
        day = date.fromisoformat(str(message.payload["day"]))
        text = "🕒 " + _(
            "You have not reported your work for {day} yet. Tap below, or send /{command}."
        ).format(day=format_day(day, locale), command=REPORT.name(locale))
        return text, shortcut_keyboard(Shortcut.REPORT)
    if message.kind == Kind.PENDING:
        count = int(str(message.payload["count"]))
        text = (
            "⏳ "
            + ngettext(
                "{count} report of your team has waited over a working day for your decision.",
                "{count} reports of your team have waited over a working day for your decision.",
                count,
            ).format(count=count)
            + " "
            + _("Send /{command} to see them.").format(command=PENDING.name(locale))
        )
        return text, shortcut_keyboard(Shortcut.PENDING)
    raise ValueError(f"unknown reminder kind {message.kind!r}")
