"""/tim (/team) how the team stands, its chart; /ekspor (/export) a month as a spreadsheet.

Every figure is aggregated in the database over the supervisor's whole tree, in a fixed
number of queries whatever the team size.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from aiogram import Bot, Router
from aiogram.filters import CommandObject
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.markdown import html_decoration as html
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.callbacks import TeamButton, TeamView
from bot.charts import team_chart_png
from bot.commands import EXPORT, TEAM
from bot.domain import mean_percent, month_bounds, quarter_of, working_days
from bot.filters import IsEmployee
from bot.formatting import format_day, quarter_label, status_icon, status_label
from bot.keyboards import team_keyboard
from bot.spreadsheets import month_bounds_of, month_workbook
from bot.texts import chart_labels, sheet_labels
from storage.exports import month_rows, month_summary
from storage.people import Actor
from storage.team import (
    MemberAchievement,
    MemberActivity,
    TeamMember,
    daily_report_counts,
    monday_of,
    team_achievement,
    team_activity,
    team_tree,
)

Clock = Callable[[], datetime]
MAX_MEMBER_LINES = 60
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
    """One member: today's status, days reported this week, the quarter, warnings."""
    indent = "    " * (member.depth - 1) + ("└ " if member.depth > 1 else "")
    if activity.today_status is None:
        today = "❌ " + _("not reported today")
    else:
        today = f"{status_icon(activity.today_status)} {status_label(activity.today_status)}"
    parts = [
        f"{indent}<b>{html.quote(member.name)}</b> — {today}",
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


async def show_team(
    message: Message, session: AsyncSession, actor: Actor, i18n: I18n, clock: Clock
) -> None:
    """Today and this week for every member (indirect ones as a tree), and the quarter."""
    supervisor, today = actor.member_id, actor.today(clock())
    members = await team_tree(session, supervisor)
    if not members:
        await message.answer(_("Nobody reports to you, so you have no team to show."))
        return
    week_start = monday_of(today)
    activity = {
        item.employee_id: item
        for item in await team_activity(session, supervisor, today, week_start)
    }
    quarter = quarter_of(today)
    achieved = _achievement_by_member(
        await team_achievement(session, supervisor, today.year, quarter)
    )
    reported = sum(1 for item in activity.values() if item.today_status is not None)
    summary = _(
        "Today {reported} of {total} reported · {pending} awaiting approval · "
        "{returned} returned this week"
    ).format(
        reported=reported,
        total=len(members),
        pending=sum(item.pending for item in activity.values()),
        returned=sum(item.week_returned for item in activity.values()),
    )
    week_days = working_days(week_start, today)
    lines = [
        _member_line(
            member,
            activity[member.employee_id],
            achieved.get(member.employee_id),
            week_days,
            quarter_label(quarter),
        )
        for member in members[:MAX_MEMBER_LINES]
    ]
    if len(members) > MAX_MEMBER_LINES:
        lines.append(
            _("… and {count} more: see the spreadsheet.").format(
                count=len(members) - MAX_MEMBER_LINES
            )
        )
    header = _("<b>Team · {day}</b>").format(day=format_day(today, i18n.current_locale))
    await message.answer(
        "\n\n".join([header, summary, "\n".join(lines)]), reply_markup=team_keyboard()
    )


async def _send_chart(
    bot: Bot, chat_id: int, session: AsyncSession, actor: Actor, i18n: I18n, clock: Clock
) -> None:
    """Achievement per member this quarter and reports per working day for four weeks."""
    supervisor, today = actor.member_id, actor.today(clock())
    members = {member.employee_id: member.name for member in await team_tree(session, supervisor)}
    achieved = _achievement_by_member(
        await team_achievement(session, supervisor, today.year, quarter_of(today))
    )
    start = today - timedelta(days=CHART_DAYS - 1)
    counts = dict(await daily_report_counts(session, supervisor, start, today + timedelta(1)))
    days = [start + timedelta(days=n) for n in range(CHART_DAYS)]
    daily = [(day, counts.get(day, 0)) for day in days if day.weekday() < 5]
    achievement = [(name, achieved.get(member)) for member, name in members.items()]
    png = await asyncio.to_thread(
        team_chart_png, achievement, daily, chart_labels(i18n.current_locale)
    )
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
    """The chart, or this month's spreadsheet, of the presser's own team."""
    await query.answer(_("Preparing…"))
    if callback_data.view == TeamView.CHART:
        await _send_chart(bot, query.from_user.id, session, actor, i18n, clock)
    else:
        await _send_month(bot, query.from_user.id, session, actor, actor.today(clock()))


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
    return router
