"""Answering in place: edit the message a button belongs to, or send a new one."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message


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
