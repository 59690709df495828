"""Answering buttons: edit the message in place, or say the button has expired."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _


async def show_in_place(
    query: CallbackQuery, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace the pressed message's text and buttons (a new message if it is too old to edit)."""
    if not isinstance(query.message, Message):
        if query.bot is not None:
            await query.bot.send_message(query.from_user.id, text, reply_markup=reply_markup)
        return
    try:
        await query.message.edit_text(text, reply_markup=reply_markup)
    except TelegramBadRequest as error:
        if "message is not modified" not in error.message:
            raise


async def answer_expired(query: CallbackQuery) -> None:
    """A stale, finished, foreign or forged button: say so; nothing was changed."""
    await query.answer(_("This button has expired. Please start again."), show_alert=True)
