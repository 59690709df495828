"""/bantuan (/help): what this user may do."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import Message
from aiogram.utils.i18n import I18n

from bot.commands import HELP
from bot.texts import help_text
from storage.people import Actor


async def show_help(message: Message, actor: Actor, i18n: I18n) -> None:
    await message.answer(help_text(actor, i18n.current_locale))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_help, HELP.filter())
    return router
