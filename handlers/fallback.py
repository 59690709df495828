"""Last router: whatever no feature took gets an answer, and errors an apology."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, ErrorEvent, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.markdown import html_decoration as html

from bot.replies import answer_expired
from bot.texts import help_hint, join_instructions, not_registered_text
from storage.people import Actor

logger = logging.getLogger(__name__)


async def unknown_command(message: Message, actor: Actor, i18n: I18n) -> None:
    """A command nobody handles: unregistered users are told how to join."""
    if not actor.is_employee:
        await message.answer(not_registered_text())
        return
    command = (message.text or "").split()[0]
    await message.answer(
        _("I don't know the command {command}.").format(command=html.quote(command))
        + " "
        + help_hint(i18n.current_locale)
    )


async def unexpected_message(message: Message, actor: Actor, i18n: I18n) -> None:
    """Text, photos or anything else outside a flow."""
    if not actor.is_employee:
        await message.answer(
            _("Hello! This bot serves employees and citizens.") + "\n\n" + join_instructions()
        )
        return
    await message.answer(_("I did not understand that.") + " " + help_hint(i18n.current_locale))


async def stale_button(query: CallbackQuery) -> None:
    """A button whose flow is over, or data that no handler accepts."""
    await answer_expired(query)


async def apologise(event: ErrorEvent) -> None:
    """Log the failure and tell the user the step was not saved."""
    logger.error("update %s failed", event.update.update_id, exc_info=event.exception)
    text = _("Sorry, something went wrong and this step was not saved. Please try again.")
    try:
        if event.update.callback_query is not None:
            await event.update.callback_query.answer(text, show_alert=True)
        elif event.update.message is not None:
            await event.update.message.answer(text)
    except TelegramAPIError:
        logger.warning(
            "could not tell the user about the failure of update %s", event.update.update_id
        )


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(unknown_command, F.text.startswith("/"))
    router.message.register(unexpected_message)
    router.callback_query.register(stale_button)
    router.errors.register(apologise)
    return router
