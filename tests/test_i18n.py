"""Catalogues: every string in the code translated in every language, placeholders intact."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import DOMAIN, LOCALES_DIR, build_i18n, supported_locale

SOURCE_DIRS = ("bot", "handlers", "storage")
KEYWORDS = {**DEFAULT_KEYWORDS, "__": None, "lazy_gettext": None}
ROOT = Path(__file__).resolve().parent.parent
TAG = re.compile(r"</?[a-z]+>")


def source_messages() -> set[str | tuple[str, ...]]:
    """Every msgid the code marks for translation."""
    found: set[str | tuple[str, ...]] = set()
    for folder in SOURCE_DIRS:
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, [("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message)
    return found


def catalogue(locale: str) -> Catalog:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as file:
        return read_po(file, locale=locale)


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


@pytest.mark.parametrize("locale", ["id", "en"])
def test_every_source_string_is_translated(locale: str) -> None:
    po = catalogue(locale)
    messages = source_messages()
    assert len(messages) > 20
    for msgid in messages:
        entry = po.get(msgid)
        assert entry is not None, f"{locale}: missing {msgid!r}"
        assert not entry.fuzzy, f"{locale}: fuzzy {msgid!r}"
        translations = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        sources = msgid if isinstance(msgid, tuple) else (msgid,)
        for translation in translations:
            assert translation, f"{locale}: untranslated {msgid!r}"
            assert placeholders(translation) == placeholders(sources[0]), msgid
            assert sorted(TAG.findall(translation)) == sorted(TAG.findall(sources[0])), msgid


def test_catalogues_load_without_a_compile_step() -> None:
    i18n = build_i18n("id")
    assert set(i18n.available_locales) == {"id", "en"}
    assert i18n.gettext("Cancelled.", locale="id") == "Dibatalkan."
    assert i18n.gettext("Cancelled.", locale="en") == "Cancelled."


@pytest.mark.parametrize(
    ("code", "expected"),
    [("id", "id"), ("in", "id"), ("id-ID", "id"), ("en-GB", "en"), ("ms", None), (None, None)],
)
def test_telegram_language_codes(code: str | None, expected: str | None) -> None:
    assert supported_locale(code) == expected
