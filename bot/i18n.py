"""Translations: aiogram's Babel-based I18n fed from the committed `.po` catalogues."""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.config import SUPPORTED_LOCALES

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


class CatalogueI18n(I18n):
    """Compiles `locales/<lang>/LC_MESSAGES/messages.po` in memory at start-up.

    A fresh checkout therefore shows every language without a `pybabel compile` step.
    """

    def find_locales(self) -> dict[str, gettext.GNUTranslations]:
        translations: dict[str, gettext.GNUTranslations] = {}
        for po_path in sorted(self.path.glob(f"*/LC_MESSAGES/{self.domain}.po")):
            locale = po_path.parent.parent.name
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=locale)
            compiled = BytesIO()
            write_mo(compiled, catalog, use_fuzzy=False)
            compiled.seek(0)
            translations[locale] = gettext.GNUTranslations(compiled)
        return translations

    @contextmanager
    def context(self) -> Iterator[I18n]:
        """Make this the current instance where aiogram's `gettext` helpers look (I18n's own)."""
        token = I18n.set_current(self)
        try:
            yield self
        finally:
            I18n.reset_current(token)


def build_i18n(default_locale: str) -> CatalogueI18n:
    """The translations of every shipped language."""
    return CatalogueI18n(path=LOCALES_DIR, default_locale=default_locale, domain=DOMAIN)


def supported_locale(code: str | None) -> str | None:
    """`id` for `id`, `in` (old Android) or `id-ID`; `en` for `en-GB`; None otherwise."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].lower()
    base = "id" if base == "in" else base
    return base if base in SUPPORTED_LOCALES else None


class ActorLocaleMiddleware(I18nMiddleware):
    """Language: the one the user chose, else their Telegram app's, else the default."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        actor = data.get("actor")
        if actor is not None and actor.language:
            return actor.language
        user: User | None = data.get("event_from_user")
        return supported_locale(user.language_code if user else None) or self.i18n.default_locale
