"""/cuti (/leave) FROM TO: no daily reminders on those days; /cuti alone lists them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from aiogram import Router
from aiogram.filters import CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.commands import LEAVE
from bot.filters import IsEmployee
from bot.formatting import format_day
from storage.leave import add_leave, cancel_upcoming_leave, upcoming_leave
from storage.people import Actor

MAX_LEAVE_DAYS = 90
CANCEL_WORDS = {"hapus", "batal", "cancel", "delete"}


def _parse_day(text: str) -> date | None:
    """`2026-12-01`, or `01-12-2026` as Indonesians write dates."""
    parts = text.split("-")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        return None
    year_first = len(parts[0]) == 4
    day, month, year = (parts[2], parts[1], parts[0]) if year_first else parts
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


async def leave(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
    clock: Callable[[], datetime],
) -> None:
    """Add a leave, cancel upcoming ones, or list them."""
    assert actor.employee is not None and actor.unit is not None
    employee_id, locale = actor.employee.id or 0, i18n.current_locale
    today = actor.today(clock())
    words = (command.args or "").split()
    if len(words) == 1 and words[0].lower() in CANCEL_WORDS:
        removed = await cancel_upcoming_leave(session, employee_id, today)
        await message.answer(_("Upcoming leave cancelled: {count}.").format(count=removed))
        return
    if len(words) == 2:
        first, last = _parse_day(words[0]), _parse_day(words[1])
        problem = _leave_problem(first, last, today)
        if problem is None and first is not None and last is not None:
            await add_leave(session, employee_id, first, last)
            await message.answer(
                _("Leave saved: no daily reminders from {first} to {last}.").format(
                    first=format_day(first, locale), last=format_day(last, locale)
                )
            )
            return
        await message.answer(problem or "")
        return
    leaves = await upcoming_leave(session, employee_id, today)
    lines = [
        _(
            "Usage: /{command} FROM TO, e.g. /{command} 2026-12-21 2026-12-31; "
            "/{command} hapus cancels leave that has not started."
        ).format(command=command.command)
    ]
    lines += [
        f"• {format_day(item.first_day, locale)} – {format_day(item.last_day, locale)}"
        for item in leaves
    ]
    await message.answer("\n".join(lines))


def _leave_problem(first: date | None, last: date | None, today: date) -> str | None:
    """Why these dates cannot be a leave, or None."""
    if first is None or last is None:
        return _("Write the dates as YYYY-MM-DD or DD-MM-YYYY.")
    if last < first:
        return _("The leave ends before it starts.")
    if last < today:
        return _("That leave is already over.")
    if (last - first).days >= MAX_LEAVE_DAYS:
        return _("A leave can last at most {days} days.").format(days=MAX_LEAVE_DAYS)
    return None


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(IsEmployee())
    router.message.register(leave, LEAVE.filter())
    return router
