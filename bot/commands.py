"""The bot's commands: Indonesian and English names, menu descriptions, filters."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import Bot
from aiogram.filters import Command
from aiogram.types import BotCommand, BotCommandScopeChat
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.i18n.lazy_proxy import LazyProxy

from bot.config import SUPPORTED_LOCALES


@dataclass(frozen=True)
class CommandSpec:
    """A command known under an Indonesian and an English name."""

    indonesian: str
    english: str
    description: LazyProxy
    for_employees: bool = False

    def name(self, locale: str) -> str:
        """The name shown to a user of `locale`."""
        return self.english if locale == "en" else self.indonesian

    def filter(self) -> Command:
        """Matches both names."""
        return Command(self.indonesian, self.english)


HELP = CommandSpec("bantuan", "help", __("See what you can do here"))
LANGUAGE = CommandSpec("bahasa", "language", __("Choose Indonesian or English"))
CANCEL = CommandSpec("batal", "cancel", __("Leave the current step"))
REPORT = CommandSpec("lapor", "report", __("Report today's work"), for_employees=True)
PROGRESS = CommandSpec(
    "progres", "progress", __("Your progress against your targets"), for_employees=True
)
HISTORY = CommandSpec("riwayat", "history", __("Your recent reports"), for_employees=True)
TARGETS = CommandSpec("target", "targets", __("Your performance indicators"), for_employees=True)
PENDING = CommandSpec(
    "persetujuan", "pending", __("Reports waiting for your approval"), for_employees=True
)
TEAM = CommandSpec("tim", "team", __("How your team stands"), for_employees=True)
EXPORT = CommandSpec(
    "ekspor", "export", __("Your team's reports of a month as a spreadsheet"), for_employees=True
)
LEAVE = CommandSpec("cuti", "leave", __("Pause daily reminders while on leave"), for_employees=True)
EVALUATION = CommandSpec(
    "evaluasi",
    "evaluation",
    __("Your evaluation: self-assessment and predicate"),
    for_employees=True,
)
DELETE_DATA = CommandSpec(
    "hapusdata", "deletemydata", __("Unlink your service ratings from your account")
)
IKM = CommandSpec(
    "ikm", "ikm", __("Citizens' satisfaction index (IKM) of your unit"), for_employees=True
)
MENU = (
    REPORT,
    PROGRESS,
    HISTORY,
    TARGETS,
    PENDING,
    TEAM,
    EXPORT,
    EVALUATION,
    LEAVE,
    IKM,
    HELP,
    LANGUAGE,
    DELETE_DATA,
    CANCEL,
)


def menu_commands(i18n: I18n, locale: str) -> list[BotCommand]:
    """The command menu in `locale`."""
    with i18n.context(), i18n.use_locale(locale):
        return [
            BotCommand(command=spec.name(locale), description=str(spec.description))
            for spec in MENU
        ]


async def register_menus(bot: Bot, i18n: I18n) -> None:
    """The menu per Telegram app language, and the default language's menu for the rest."""
    await bot.set_my_commands(menu_commands(i18n, i18n.default_locale))
    for locale in SUPPORTED_LOCALES:
        await bot.set_my_commands(menu_commands(i18n, locale), language_code=locale)


async def set_chat_menu(bot: Bot, i18n: I18n, chat_id: int, locale: str) -> None:
    """The menu of one private chat, in the language its user chose."""
    await bot.set_my_commands(
        menu_commands(i18n, locale), scope=BotCommandScopeChat(chat_id=chat_id)
    )
