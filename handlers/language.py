"""/bahasa (/language): switch between Indonesian and English, saved per user."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.callbacks import LanguageChoice
from bot.commands import LANGUAGE, set_chat_menu
from bot.config import SUPPORTED_LOCALES
from bot.keyboards import language_keyboard
from bot.replies import answer_expired, show_in_place
from bot.texts import help_hint
from storage.people import Actor, save_language


async def ask_language(message: Message, i18n: I18n) -> None:
    await message.answer(
        _("Choose your language:"), reply_markup=language_keyboard(i18n.current_locale)
    )


async def choose_language(
    query: CallbackQuery,
    callback_data: LanguageChoice,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
    bot: Bot,
) -> None:
    """Save the chosen language, then answer and set the chat's menu in it."""
    if callback_data.code not in SUPPORTED_LOCALES:
        await answer_expired(query)
        return
    await save_language(session, actor, callback_data.code)
    with i18n.use_locale(callback_data.code):
        text = _("Language saved: English.") + "\n" + help_hint(callback_data.code)
        await show_in_place(query, text)
        await query.answer()
    await set_chat_menu(bot, i18n, query.from_user.id, callback_data.code)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(ask_language, LANGUAGE.filter())
    router.callback_query.register(choose_language, LanguageChoice.filter())
    return router
