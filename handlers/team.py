"""/tim (/team) how the team stands, a page of members at a time, its chart; /ekspor (/export).

The team-wide figures are aggregated in the database over the supervisor's whole tree; the
per-member detail is computed only for the page shown. Either way a fixed number of queries
whatever the team size. ◀ / ▶ edit the message in place, re-checked for the presser.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from textwrap import shorten

from aiogram import Bot, Router
from aiogram.filters import CommandObject
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.markdown import html_decoration as html
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.callbacks import TeamButton, TeamPageButton, TeamView
from bot.charts import team_chart_png
from bot.commands import EXPORT, TEAM
from bot.domain import mean_percent, month_bounds, quarter_of, working_days
from bot.filters import IsEmployee
from bot.formatting import format_day, quarter_label, status_icon, status_label
from bot.keyboards import team_keyboard
from bot.replies import answer_expired, show_in_place
from bot.spreadsheets import month_bounds_of, month_workbook
from bot.texts import chart_labels, sheet_labels
from storage.exports import month_rows, month_summary
from storage.people import Actor
from storage.team import (
    MemberAchievement,
    MemberActivity,
    TeamMember,
    TeamPage,
    daily_report_counts,
    member_achievement,
    monday_of,
    team_page,
    team_tree,
)

Clock = Callable[[], datetime]
# Members per page: a phone screen or two, and within bot.formatting.MESSAGE_BUDGET even
# when every line carries the longest name, the deepest indent and every warning.
PAGE_SIZE = 12
NAME_CHARS = 40
MAX_INDENT = 5  # deeper members are drawn at this depth (real trees are 4-6 levels deep)
CHART_DAYS = 28


def _achievement_by_member(
    achievement: Sequence[MemberAchievement],
) -> dict[int, Decimal | None]:
    """Each member's mean achievement over their indicators this quarter."""
    pairs: dict[int, list[tuple[Decimal, Decimal]]] = defaultdict(list)
    for item in achievement:
        pairs[item.employee_id].append((item.quarter_approved, item.quarter_target))
    return {member: mean_percent(values) for member, values in pairs.items()}


def _member_line(
    member: TeamMember,
    activity: MemberActivity,
    achieved: Decimal | None,
    week_days: int,
    quarter: str,
) -> str:
    """One member at their place in the tree: today's status, the week, the quarter, warnings."""
    depth = min(member.depth, MAX_INDENT)
    indent = "    " * (depth - 1) + ("└ " if depth > 1 else "")
    name = html.quote(shorten(member.name, NAME_CHARS, placeholder="…"))
    if activity.today_status is None:
        today = "❌ " + _("not reported today")
    else:
        today = f"{status_icon(activity.today_status)} {status_label(activity.today_status)}"
    parts = [
        f"{indent}<b>{name}</b> — {today}",
        _("week {days}/{working}").format(days=activity.week_days_reported, working=week_days),
        f"{quarter} {achieved}%" if achieved is not None else f"{quarter} –",
    ]
    if activity.pending:
        parts.append(_("{count} awaiting approval").format(count=activity.pending))
    if activity.week_returned:
        parts.append(_("{count} returned").format(count=activity.week_returned))
    if activity.copy_paste:
        parts.append(
            "⚠️ " + _("{count} copied from earlier reports").format(count=activity.copy_paste)
        )
    if not member.telegram_linked:
        parts.append(_("not on Telegram yet"))
    return " · ".join(parts)


def team_text(
    shown: TeamPage, achieved: dict[int, Decimal | None], today: date, locale: str
) -> str:
    """The whole team's figures, then the page's members as a tree, then where the page is."""
    totals = shown.totals
    summary = _(
        "Today {reported} of {total} reported · {pending} awaiting approval · "
        "{returned} returned this week"
    ).format(
        reported=totals.reported_today,
        total=totals.members,
        pending=totals.pending,
        returned=totals.returned_this_week,
    )
    week_days = working_days(monday_of(today), today)
    quarter = quarter_label(quarter_of(today))
    lines = [
        _member_line(member, activity, achieved.get(member.employee_id), week_days, quarter)
        for member, activity in shown.members
    ]
    parts = [_("<b>Team · {day}</b>").format(day=format_day(today, locale)), summary]
    parts.append("\n".join(lines))
    if shown.pages > 1:
        parts.append(
            _("Page {page} of {pages} · members {first}–{last}").format(
                page=shown.page,
                pages=shown.pages,
                first=shown.first + 1,
                last=shown.first + len(shown.members),
            )
        )
    return "\n\n".join(parts)


async def page_achievement(
    session: AsyncSession, shown: TeamPage, today: date
) -> dict[int, Decimal | None]:
    """The mean achievement this quarter of each member on the page."""
    members = [member.employee_id for member, _activity in shown.members]
    items = await member_achievement(session, members, today.year, quarter_of(today))
    return _achievement_by_member(items)


async def team_view(
    session: AsyncSession, supervisor_id: int, today: date, page: int, locale: str
) -> tuple[str, InlineKeyboardMarkup] | None:
    """The /tim message at `page` (clamped) and its buttons; None without subordinates."""
    shown = await team_page(session, supervisor_id, today, page, PAGE_SIZE)
    if shown is None:
        return None
    achieved = await page_achievement(session, shown, today)
    return team_text(shown, achieved, today, locale), team_keyboard(shown.page, shown.pages)


async def show_team(
    message: Message, session: AsyncSession, actor: Actor, i18n: I18n, clock: Clock
) -> None:
    """The first page: today and this week for the team, its members as a tree, the quarter."""
    view = await team_view(session, actor.member_id, actor.today(clock()), 1, i18n.current_locale)
    if view is None:
        await message.answer(_("Nobody reports to you, so you have no team to show."))
        return
    text, markup = view
    await message.answer(text, reply_markup=markup)


async def on_team_page(
    query: CallbackQuery,
    callback_data: TeamPageButton,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
    clock: Clock,
) -> None:
    """◀ / ▶: the presser's own team at that page, edited in place."""
    today = actor.today(clock())
    view = await team_view(session, actor.member_id, today, callback_data.page, i18n.current_locale)
    if view is None:
        await answer_expired(query)
        return
    await query.answer()
    await show_in_place(query, *view)


async def _send_chart(
    bot: Bot, chat_id: int, session: AsyncSession, shown: TeamPage, today: date, locale: str
) -> None:
    """The page's members: achievement this quarter, reports per working day for four weeks."""
    achieved = await page_achievement(session, shown, today)
    members = [member.employee_id for member, _activity in shown.members]
    start = today - timedelta(days=CHART_DAYS - 1)
    counts = dict(await daily_report_counts(session, members, start, today + timedelta(1)))
    days = [start + timedelta(days=n) for n in range(CHART_DAYS)]
    daily = [(day, counts.get(day, 0)) for day in days if day.weekday() < 5]
    achievement = [(member.name, achieved.get(member.employee_id)) for member, _ in shown.members]
    labels = chart_labels(locale)
    if shown.pages > 1:
        where = f" · {shown.page}/{shown.pages}"
        labels = dataclasses.replace(
            labels,
            title_achievement=labels.title_achievement + where,
            title_daily=labels.title_daily + where,
        )
    png = await asyncio.to_thread(team_chart_png, achievement, daily, labels)
    await bot.send_photo(chat_id, BufferedInputFile(png, "tim.png"))


async def _send_month(
    bot: Bot, chat_id: int, session: AsyncSession, actor: Actor, first_day: date
) -> None:
    """The team's reports of the month: one row per activity and a summary sheet."""
    start, end = month_bounds(first_day)
    team = [member.employee_id for member in await team_tree(session, actor.member_id)]
    rows = await month_rows(session, team, start, end)
    summary = await month_summary(session, team, start, end)
    workbook = await asyncio.to_thread(month_workbook, rows, summary, sheet_labels())
    name = f"kinerja-{start:%Y-%m}.xlsx"
    await bot.send_document(chat_id, BufferedInputFile(workbook, name))


async def on_team_button(
    query: CallbackQuery,
    callback_data: TeamButton,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
    clock: Clock,
    bot: Bot,
) -> None:
    """The chart of the members on the message's page, or this month's spreadsheet of the team."""
    today = actor.today(clock())
    if callback_data.view == TeamView.EXPORT:
        await query.answer(_("Preparing…"))
        await _send_month(bot, query.from_user.id, session, actor, today)
        return
    shown = await team_page(session, actor.member_id, today, callback_data.page, PAGE_SIZE)
    if shown is None:
        await answer_expired(query)
        return
    await query.answer(_("Preparing…"))
    await _send_chart(bot, query.from_user.id, session, shown, today, i18n.current_locale)


async def export_month(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    actor: Actor,
    clock: Clock,
    bot: Bot,
) -> None:
    """/ekspor [YYYY-MM]: the month's spreadsheet (this month by default)."""
    first_day = actor.today(clock())
    if command.args:
        try:
            first_day, _end = month_bounds_of(command.args)
        except ValueError:
            await message.answer(
                _("Write the month as YYYY-MM, for example /{command} 2026-03.").format(
                    command=command.command
                )
            )
            return
    await _send_month(bot, message.chat.id, session, actor, first_day)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(IsEmployee())
    router.callback_query.filter(IsEmployee())
    router.message.register(show_team, TEAM.filter())
    router.message.register(export_month, EXPORT.filter())
    router.callback_query.register(on_team_button, TeamButton.filter())
    router.callback_query.register(on_team_page, TeamPageButton.filter())
    return router
