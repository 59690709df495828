"""/target (/targets): the employee's performance indicators for the year."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import Router
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.markdown import html_decoration as html
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.commands import TARGETS
from bot.filters import IsEmployee
from bot.formatting import amount_text, format_number, quarter_label
from storage.people import Actor
from storage.reports import indicators_with_parents


async def show_targets(
    message: Message,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
    clock: Callable[[], datetime],
) -> None:
    """Each indicator: code, title, annual target, quarterly targets, cascading parent."""
    assert actor.employee is not None and actor.unit is not None
    locale = i18n.current_locale
    year = actor.today(clock()).year
    rows = await indicators_with_parents(session, actor.employee.id or 0, year)
    if not rows:
        await message.answer(
            _("No performance indicators are set for you for {year}. Ask your admin.").format(
                year=year
            )
        )
        return
    blocks = [_("<b>Performance indicators {year}</b>").format(year=year)]
    for indicator, parent in rows:
        lines = [f"<b>{html.quote(indicator.code)}</b> {html.quote(indicator.title)}"]
        lines.append(
            _("Target: {amount}").format(
                amount=amount_text(indicator.target, indicator.measure, locale)
            )
        )
        quarters = (indicator.q1, indicator.q2, indicator.q3, indicator.q4)
        if any(value is not None for value in quarters):
            lines.append(
                " · ".join(
                    f"{quarter_label(number)} {format_number(value, locale)}"
                    for number, value in enumerate(quarters, start=1)
                    if value is not None
                )
            )
        if parent is not None:
            lines.append(
                _("Supports: {code} {title}").format(
                    code=html.quote(parent.code), title=html.quote(parent.title)
                )
            )
        blocks.append("\n".join(lines))
    await message.answer("\n\n".join(blocks))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(IsEmployee())
    router.message.register(show_targets, TARGETS.filter())
    return router
