"""Messages about reports between employees and the people who decide them."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.markdown import html_decoration as html
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.formatting import card_text, decision_stamp, format_day
from bot.keyboards import decision_keyboard, edit_report_keyboard
from storage.approvals import ReportCard, notices_of, record_notice
from storage.models import Employee, ReportStatus

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Shown:
    """A message showing a report: where it is, and in which language."""

    report_id: int
    chat_id: int
    message_id: int
    locale: str


def _locale(person: Employee, i18n: I18n) -> str:
    return person.language or i18n.default_locale


async def send_for_decision(
    bot: Bot,
    i18n: I18n,
    session: AsyncSession,
    cards: Sequence[ReportCard],
    recipients: Iterable[Employee],
    *,
    updated: bool | None = None,
) -> None:
    """The report with Approve / Return / Evidence buttons to each recipient, remembered so the
    message can show the decision later. A recipient who blocked the bot is skipped.

    `updated` adds a heading: a new report (False) or a changed one submitted again (True).
    """
    for card, person in ((card, person) for person in recipients for card in cards):
        report = card.report
        assert report.id is not None
        assert person.telegram_id is not None and person.id is not None
        evidence = sum(line.evidence_count for line in card.lines)
        with i18n.use_locale(_locale(person, i18n)):
            text = card_text(card, _locale(person, i18n))
            if updated is not None:
                heading = _("📥 Updated daily report") if updated else _("📥 New daily report")
                text = heading + "\n\n" + text
            markup = decision_keyboard(report.id, report.revision, evidence)
        try:
            sent = await bot.send_message(person.telegram_id, text, reply_markup=markup)
        except TelegramAPIError as error:
            logger.warning(
                "report %s not delivered to employee %s: %s", report.id, person.id, error
            )
            continue
        await record_notice(session, report.id, person.id, person.telegram_id, sent.message_id)


async def show_decisions(
    bot: Bot,
    i18n: I18n,
    session: AsyncSession,
    cards: Sequence[ReportCard],
    timezone: str,
    pressed: Shown | None = None,
) -> None:
    """Every message that showed these reports now shows the decision, without buttons.

    `pressed` is the message whose button decided, in the decider's language: it is edited
    even if its notice was not recorded yet (the report was submitted a moment ago).
    """
    by_id = {card.report.id: card for card in cards}
    shown = [
        Shown(notice.report_id, notice.chat_id, notice.message_id, _locale(recipient, i18n))
        for notice, recipient in await notices_of(session, list(by_id))
    ]
    if pressed is not None:
        shown = [
            item
            for item in shown
            if item.message_id != pressed.message_id or item.chat_id != pressed.chat_id
        ] + [pressed]
    for item in shown:
        card = by_id[item.report_id]
        with i18n.use_locale(item.locale):
            stamp = decision_stamp(card, timezone, item.locale)
            text = card_text(card, item.locale) + "\n\n" + stamp
        try:
            await bot.edit_message_text(
                text, chat_id=item.chat_id, message_id=item.message_id, reply_markup=None
            )
        except TelegramAPIError as error:  # deleted, too old, or already showing it
            logger.info(
                "message %s of report %s not updated: %s", item.message_id, item.report_id, error
            )


async def tell_employee(bot: Bot, i18n: I18n, card: ReportCard) -> None:
    """The decision, in the employee's language; a returned report comes with an edit button."""
    employee, report = card.employee, card.report
    if employee.telegram_id is None or report.id is None:
        return
    locale = _locale(employee, i18n)
    decider = html.quote(card.decided_by.name if card.decided_by else "?")
    with i18n.use_locale(locale):
        day = format_day(report.work_date, locale)
        if report.status == ReportStatus.APPROVED:
            text = "✅ " + _("Your report for {day} was approved by {name}.").format(
                day=day, name=decider
            )
            markup = None
        else:
            text = "↩️ " + _(
                "Your report for {day} was returned by {name}.\nReason: {reason}\n"
                "Change it and submit it again."
            ).format(day=day, name=decider, reason=html.quote(report.return_reason or ""))
            markup = edit_report_keyboard(report.id)
    try:
        await bot.send_message(employee.telegram_id, text, reply_markup=markup)
    except TelegramAPIError as error:
        logger.warning("decision on report %s not delivered: %s", report.id, error)
