"""Buttons under reminders: /lapor, /persetujuan or /evaluasi, as if the command was sent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import Bot, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.callbacks import OpenShortcut, Shortcut
from bot.filters import IsEmployee
from bot.replies import answer_expired
from handlers.approval import show_pending
from handlers.evaluation import show_evaluation
from handlers.report import start_report
from storage.people import Actor


async def on_shortcut(
    query: CallbackQuery,
    callback_data: OpenShortcut,
    session: AsyncSession,
    state: FSMContext,
    actor: Actor,
    i18n: I18n,
    clock: Callable[[], datetime],
    bot: Bot,
) -> None:
    if not isinstance(query.message, Message):  # too old to answer under
        await answer_expired(query)
        return
    await query.answer()
    if callback_data.target == Shortcut.REPORT:
        await start_report(query.message, session, state, actor, i18n, clock)
    elif callback_data.target == Shortcut.PENDING:
        await show_pending(query.message, session, actor, i18n, clock, bot)
    else:
        await show_evaluation(query.message, session, actor, i18n, clock)


def build_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.filter(IsEmployee())
    router.callback_query.register(on_shortcut, OpenShortcut.filter())
    return router
