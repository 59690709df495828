"""/riwayat (/history): recent reports, one opened with its activities and evidence."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.callbacks import OpenReport, ShowEvidence
from bot.commands import HISTORY, REPORT
from bot.evidence import send_evidence
from bot.filters import IsEmployee
from bot.formatting import format_short_day, report_text, status_icon, status_label
from bot.keyboards import evidence_button, history_keyboard
from bot.replies import answer_expired
from storage.people import Actor
from storage.reports import activity_lines, own_report, recent_reports, report_evidence


async def show_history(message: Message, session: AsyncSession, actor: Actor, i18n: I18n) -> None:
    """The newest reports with date, status and activity count."""
    locale = i18n.current_locale
    reports = await recent_reports(session, actor.member_id)
    if not reports:
        await message.answer(
            _("You have no reports yet. Send /{command} to report today's work.").format(
                command=REPORT.name(locale)
            )
        )
        return
    lines = [_("<b>Your recent reports</b>")]
    for report in reports:
        count = ngettext("{count} activity", "{count} activities", report.activity_count)
        lines.append(
            f"{status_icon(report.status)} {format_short_day(report.work_date, locale)} — "
            f"{status_label(report.status)} · {count.format(count=report.activity_count)}"
        )
    await message.answer("\n".join(lines), reply_markup=history_keyboard(reports, locale))


async def open_report(
    query: CallbackQuery,
    callback_data: OpenReport,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
    bot: Bot,
) -> None:
    """One report in full, with a button for its evidence."""
    report = await own_report(session, callback_data.report_id, actor.member_id)
    if report is None or report.id is None:
        await answer_expired(query)
        return
    lines = await activity_lines(session, report.id)
    text = report_text(
        report.work_date,
        report.status,
        lines,
        i18n.current_locale,
        return_reason=report.return_reason,
    )
    files = sum(line.evidence_count for line in lines)
    await bot.send_message(query.from_user.id, text, reply_markup=evidence_button(report.id, files))
    await query.answer()


async def show_evidence(
    query: CallbackQuery,
    callback_data: ShowEvidence,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
) -> None:
    """Send the report's photos and documents."""
    report = await own_report(session, callback_data.report_id, actor.member_id)
    if report is None or report.id is None:
        await answer_expired(query)
        return
    files = await report_evidence(session, report.id)
    await query.answer()
    await send_evidence(bot, query.from_user.id, files)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(IsEmployee())
    router.callback_query.filter(IsEmployee())
    router.message.register(show_history, HISTORY.filter())
    router.callback_query.register(open_report, OpenReport.filter())
    router.callback_query.register(show_evidence, ShowEvidence.filter())
    return router
