"""/start: onboarding by invite link, and a welcome for everyone else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.markdown import html_decoration as html
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.texts import help_hint, join_instructions, profile_text
from storage.invites import Redemption, redeem_invite
from storage.people import Actor, load_actor, save_language

REFUSALS = {
    Redemption.UNKNOWN: __(
        "This invite link is not valid. Open the whole link exactly as you received it, "
        "or ask your admin for a new one."
    ),
    Redemption.USED: __("This invite link has already been used. Ask your admin for a new one."),
    Redemption.REVOKED: __(
        "This invite link was replaced by a newer one. Open the latest link from your admin."
    ),
    Redemption.EXPIRED: __("This invite link has expired. Ask your admin for a new one."),
    Redemption.INACTIVE: __(
        "The employee record of this invite is no longer active. Contact your admin."
    ),
    Redemption.ACCOUNT_TAKEN: __(
        "This Telegram account is already linked to another employee. "
        "Contact your admin if this is wrong."
    ),
    Redemption.EMPLOYEE_TAKEN: __(
        "This employee is already linked to another Telegram account. "
        "Contact your admin if this is wrong."
    ),
}


async def start_with_code(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
    clock: Callable[[], datetime],
) -> None:
    """Link the account with an invite code and greet the employee by name, unit and role."""
    outcome = await redeem_invite(session, command.args or "", actor.telegram_id, clock())
    if outcome in REFUSALS:
        await message.answer(str(REFUSALS[outcome]) + "\n\n" + join_instructions())
        return
    actor = await load_actor(session, actor.telegram_id, actor.user_key)
    if actor.employee is None:  # linked to an inactive record: nothing to greet
        await message.answer(str(REFUSALS[Redemption.INACTIVE]))
        return
    if outcome is Redemption.LINKED and actor.language is None:
        await save_language(session, actor, i18n.current_locale)
    greeting = (
        _("Welcome, {name}! Your Telegram account is now linked.")
        if outcome is Redemption.LINKED
        else _("Welcome back, {name}! You have already joined with this link.")
    ).format(name=html.quote(actor.employee.name))
    await message.answer(
        "\n\n".join([greeting, profile_text(actor), help_hint(i18n.current_locale)])
    )


async def start_plain(message: Message, actor: Actor, i18n: I18n) -> None:
    """Greet a linked employee, or explain how to join."""
    if actor.employee is not None:
        greeting = _("Welcome back, {name}!").format(name=html.quote(actor.employee.name))
        parts = [greeting, profile_text(actor), help_hint(i18n.current_locale)]
    else:
        parts = [
            _("Welcome to Kinerja, the performance and public service rating bot."),
            join_instructions(),
        ]
    await message.answer("\n\n".join(parts))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(start_with_code, CommandStart(deep_link=True))
    router.message.register(start_plain, CommandStart())
    return router
