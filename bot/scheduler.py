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
from bot.commands import EVALUATION, PENDING, REPORT
from bot.evaluation_rules import PeriodKind, due_dates, previous_period
from bot.formatting import format_day
from bot.keyboards import shortcut_keyboard
from bot.survey_texts import alert_text
from storage.calendar import Calendar, load_calendar
from storage.db import SessionMaker
from storage.evaluations import open_evaluations
from storage.models import Employee, OutboxMessage
from storage.reminders import (
    EvaluationKind,
    Kind,
    Reminder,
    daily_reminders,
    evaluation_deadline_reminders,
    evaluations_opened,
    local_moment,
    opened_reminders,
    pending_reminders,
    plan_reminders,
    time_zones,
)
from storage.survey import ALERT_KINDS, AlertKind

logger = logging.getLogger(__name__)

PLAN_INTERVAL_SECONDS = 30
Clock = Callable[[], datetime]


OPEN_WITHIN_DAYS = 30  # a period that closed longer ago (e.g. before deployment) is not opened


class Calendars:
    """Working-day calendars loaded once per round, by year."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._loaded: dict[int, Calendar] = {}

    async def around(self, day: date) -> Calendar:
        """A calendar covering the year before and after `day`."""
        if day.year not in self._loaded:
            years = [day.year - 1, day.year, day.year + 1]
            self._loaded[day.year] = await load_calendar(self.session, years)
        return self._loaded[day.year]


async def due_reminders(
    session: AsyncSession, now: datetime, period_kind: PeriodKind = PeriodKind.QUARTERLY
) -> list[Reminder]:
    """Every reminder due at `now`, in every time zone a unit lives in, on working days."""
    reminders: list[Reminder] = []
    calendars = Calendars(session)
    for timezone in await time_zones(session):
        local = local_moment(now, timezone)
        today = local.date()
        calendar = await calendars.around(today)
        if not calendar.is_working_day(today):
            continue
        moment = local.time().replace(tzinfo=None)
        reminders += await daily_reminders(session, timezone, today, moment)
        waiting_since = calendar.add_working_days(today, -1)
        reminders += await pending_reminders(session, timezone, today, moment, waiting_since)
    reminders += await _evaluation_reminders(session, now, calendars, period_kind)
    return reminders


async def _evaluation_reminders(
    session: AsyncSession, now: datetime, calendars: Calendars, kind: PeriodKind
) -> list[Reminder]:
    """Deadline reminders five and one working days ahead (by the UTC date: deadlines are
    dates, not moments), and the invitations of periods opened this round."""
    today = now.date()
    calendar = await calendars.around(today)
    reminders: list[Reminder] = []
    if calendar.is_working_day(today):
        due_days = {calendar.add_working_days(today, left): left for left in (5, 1)}
        reminders += await evaluation_deadline_reminders(session, due_days, now)
    for period_kind in (kind, PeriodKind.ANNUAL):
        period = previous_period(period_kind, today)
        if (today - period.end).days > OPEN_WITHIN_DAYS:
            continue
        if await evaluations_opened(session, period.key):
            continue
        self_due, assessment_due = due_dates(period, await calendars.around(period.end))
        await open_evaluations(session, period, self_due, assessment_due)
        reminders += await opened_reminders(session, period.key, now)
    return reminders


class Planner:
    """Plans due reminders into the outbox every half minute while the bot runs."""

    def __init__(
        self,
        sessionmaker: SessionMaker,
        clock: Clock,
        period_kind: PeriodKind = PeriodKind.QUARTERLY,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.period_kind = period_kind

    async def plan_once(self) -> int:
        """Plan what is due now; how many reminders were new."""
        async with self.sessionmaker() as session:
            due = await due_reminders(session, self.clock(), self.period_kind)
            planned = await plan_reminders(session, due)
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
    """The text and button of a reminder or alert, in the current language."""
    if message.kind in ALERT_KINDS:
        return alert_text(AlertKind(message.kind), message.payload, locale), None
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
    if message.kind == EvaluationKind.OPENED:
        text = "🗂 " + _(
            "The evaluation period {period} has closed. Please do your self-assessment: "
            "send /{command}."
        ).format(period=message.payload["period"], command=EVALUATION.name(locale))
        return text, shortcut_keyboard(Shortcut.EVALUATION)
    if message.kind in (EvaluationKind.SELF_DUE, EvaluationKind.ASSESSMENT_DUE):
        left = int(str(message.payload["left"]))
        due = format_day(date.fromisoformat(str(message.payload["due"])), locale)
        values = {"left": left, "period": message.payload["period"], "due": due}
        if message.kind == EvaluationKind.SELF_DUE:
            text = ngettext(
                "{left} working day left to submit your self-assessment for {period} (due {due}).",
                "{left} working days left to submit your self-assessment for {period} (due {due}).",
                left,
            ).format(**values)
        else:
            text = ngettext(
                "{left} working day left to assess your team for {period} (due {due}).",
                "{left} working days left to assess your team for {period} (due {due}).",
                left,
            ).format(**values)
        return "⏰ " + text, shortcut_keyboard(Shortcut.EVALUATION)
    raise ValueError(f"unknown reminder kind {message.kind!r}")
