"""/ikm: the citizens' satisfaction index of the unit this quarter, and its spreadsheet."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime, timedelta

from aiogram import Bot, Router
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.callbacks import IkmExport
from bot.commands import IKM
from bot.config import Settings
from bot.domain import quarter_bounds, quarter_of
from bot.filters import IsEmployee
from bot.ikm_workbook import ikm_workbook
from bot.keyboards import ikm_keyboard
from bot.replies import answer_expired
from bot.survey_texts import ikm_text
from bot.texts import ikm_labels
from storage.people import Actor
from storage.survey import unit_heads
from storage.survey_stats import counter_scores, response_rows

Clock = Callable[[], datetime]


async def may_see_index(session: AsyncSession, actor: Actor) -> bool:
    """Admins and the heads of their unit see its index."""
    if actor.is_admin:
        return True
    heads = await unit_heads(session, actor.member.unit_id)
    return any(head.id == actor.member_id for head in heads)


def quarter_of_day(day: date) -> tuple[int, date, date]:
    """The quarter of `day`, its first and its last day."""
    quarter = quarter_of(day)
    start, after = quarter_bounds(day.year, quarter)
    return quarter, start, after - timedelta(days=1)


async def show_index(
    message: Message,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
    clock: Clock,
    settings: Settings,
) -> None:
    """The unit's and every counter's index this quarter, lowest element first."""
    if not await may_see_index(session, actor):
        await message.answer(
            _("Only the heads of units and admins can see the citizens' satisfaction index.")
        )
        return
    unit = actor.unit
    assert unit is not None and unit.id is not None
    quarter, start, end = quarter_of_day(actor.today(clock()))
    scores = await counter_scores(session, unit.id, start, end)
    if not scores:
        await message.answer(
            _(
                "Your unit has no service counters yet. An admin adds them with "
                "kinerja-bot import-counters and prints their QR codes with kinerja-bot qr."
            )
        )
        return
    text = ikm_text(
        unit, quarter, start, end, scores, settings.skm_yearly_visitors, i18n.current_locale
    )
    await message.answer(text, reply_markup=ikm_keyboard(start))


async def send_workbook(
    query: CallbackQuery,
    callback_data: IkmExport,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
    bot: Bot,
    settings: Settings,
) -> None:
    """The quarter's responses and IKM processing as XLSX, for the presser's own unit."""
    try:
        day = date.fromisoformat(callback_data.start)
    except ValueError:
        day = None
    if day is None or not await may_see_index(session, actor):
        await answer_expired(query)
        return
    unit = actor.unit
    assert unit is not None and unit.id is not None
    _quarter, start, end = quarter_of_day(day)
    scores = await counter_scores(session, unit.id, start, end)
    rows = await response_rows(session, unit.id, start, end)
    labels = ikm_labels(i18n.current_locale)
    workbook = await asyncio.to_thread(
        ikm_workbook, unit.name, start, end, rows, scores, settings.skm_yearly_visitors, labels
    )
    await query.answer()
    name = f"ikm-{unit.code}-{start:%Y-%m-%d}-{end:%Y-%m-%d}.xlsx"
    await bot.send_document(query.from_user.id, BufferedInputFile(workbook, name))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_index, IKM.filter(), IsEmployee())
    router.callback_query.register(send_workbook, IkmExport.filter(), IsEmployee())
    return router
