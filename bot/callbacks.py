"""Callback data factories: every inline button's payload is built and parsed here."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class LanguageChoice(CallbackData, prefix="lang"):
    """A language button of /bahasa."""

    code: str
