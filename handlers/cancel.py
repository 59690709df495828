"""/batal (/cancel): leave whatever flow the user is in."""

from __future__ import annotations

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, ReplyKeyboardRemove
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.commands import CANCEL
from bot.texts import help_hint


async def cancel(message: Message, state: FSMContext, i18n: I18n) -> None:
    """Clear the FSM state, saying whether there was anything to leave."""
    if await state.get_state() is None:
        text = _("There is nothing to cancel.")
    else:
        await state.clear()
        text = _("Cancelled.")
    await message.answer(
        text + " " + help_hint(i18n.current_locale), reply_markup=ReplyKeyboardRemove()
    )


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cancel, CANCEL.filter())
    return router
