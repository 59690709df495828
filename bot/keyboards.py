"""Inline keyboards as pure functions of their data."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import LanguageChoice

# Each language is named in itself, so a user can find theirs whatever is shown now.
LANGUAGE_NAMES = {"id": "🇮🇩 Bahasa Indonesia", "en": "🇬🇧 English"}


def language_keyboard(current: str) -> InlineKeyboardMarkup:
    """One button per language, the current one ticked."""
    builder = InlineKeyboardBuilder()
    for code, name in LANGUAGE_NAMES.items():
        label = f"✓ {name}" if code == current else name
        builder.button(text=label, callback_data=LanguageChoice(code=code))
    builder.adjust(1)
    return builder.as_markup()
