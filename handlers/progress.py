"""/progres (/progress): realised and pending quantities against targets, and days reported."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from aiogram import Router
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.markdown import html_decoration as html
from babel.dates import format_date
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.commands import PROGRESS
from bot.domain import month_bounds, percent, progress_bar, quarter_of, working_days
from bot.filters import IsEmployee
from bot.formatting import format_number, quarter_label
from storage.people import Actor
from storage.progress import IndicatorProgress, indicator_progress, reported_days


def _period_line(
    label: str, done: Decimal, pending: Decimal, target: Decimal, measure: str, locale: str
) -> str:
    """`TW 4: ▓▓▓▓░░░░░░ 40% — 12 of 30 dokumen approved, 3 awaiting approval`."""
    return _(
        "{label}: {bar} — {done} of {target} {measure} approved, {pending} awaiting approval"
    ).format(
        label=label,
        bar=progress_bar(percent(done, target)),
        done=format_number(done, locale),
        target=format_number(target, locale),
        measure=html.quote(measure),
        pending=format_number(pending, locale),
    )


def _indicator_block(item: IndicatorProgress, quarter: int, locale: str) -> str:
    return "\n".join(
        [
            f"<b>{html.quote(item.code)}</b> {html.quote(item.title)}",
            _period_line(
                quarter_label(quarter),
                item.quarter_approved,
                item.quarter_pending,
                item.quarter_target,
                item.measure,
                locale,
            ),
            _period_line(
                _("Year"),
                item.year_approved,
                item.year_pending,
                item.year_target,
                item.measure,
                locale,
            ),
        ]
    )


async def show_progress(
    message: Message,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
    clock: Callable[[], datetime],
) -> None:
    """Per indicator for this quarter and year; then days reported this month."""
    assert actor.employee is not None and actor.unit is not None
    locale = i18n.current_locale
    today = actor.today(clock())
    quarter = quarter_of(today)
    employee_id = actor.employee.id or 0
    items = await indicator_progress(session, employee_id, today.year, quarter)
    month_start, _month_end = month_bounds(today)
    days = await reported_days(session, employee_id, month_start, today + timedelta(days=1))
    blocks = [
        _("<b>Progress · {quarter} {year}</b>").format(
            quarter=quarter_label(quarter), year=today.year
        )
    ]
    if items:
        blocks.extend(_indicator_block(item, quarter, locale) for item in items)
    else:
        blocks.append(
            _("No performance indicators are set for you for {year}.").format(year=today.year)
        )
    blocks.append(
        _("Days reported in {month}: {days} of {working} working days so far.").format(
            month=format_date(today, "LLLL", locale=locale),
            days=days,
            working=working_days(month_start, today),
        )
    )
    await message.answer("\n\n".join(blocks))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(IsEmployee())
    router.message.register(show_progress, PROGRESS.filter())
    return router
