"""/lapor (/report): today's work, activity by activity, with evidence, then submit.

The draft lives in the database; the FSM state only remembers which activity is being
entered. After a restart (state lost), /lapor finds the draft and continues where it stood.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n, get_i18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.markdown import html_decoration as html
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.callbacks import PickDay, PickIndicator, ReportAction, ReportStep
from bot.commands import REPORT
from bot.config import Settings
from bot.filters import NOT_COMMAND, IsEmployee
from bot.formatting import format_day, report_text
from bot.keyboards import days_keyboard, evidence_keyboard, indicator_keyboard, review_keyboard
from bot.notices import send_for_decision
from bot.quantity import InvalidQuantity, QuantityProblem, parse_quantity
from bot.replies import answer_expired, show_in_place
from bot.states import ReportFlow
from bot.texts import too_long_text
from storage.approvals import ReportCard, approvers_of
from storage.models import DailyReport, Employee, EvidenceKind, ReportStatus
from storage.people import Actor, nearest_admin
from storage.reports import (
    MAX_EVIDENCE_PER_ACTIVITY,
    activity_lines,
    add_evidence,
    describe_activity,
    own_report,
    quantify_activity,
    remove_last_activity,
    reopen_if_submitted,
    report_for_day,
    start_activity,
    submit_report,
    supervisor_of,
    year_indicators,
)

MAX_DESCRIPTION = 1000
Reply = Callable[[str, InlineKeyboardMarkup | None], Awaitable[Any]]


def _answer_to(message: Message) -> Reply:
    async def reply(text: str, markup: InlineKeyboardMarkup | None) -> None:
        await message.answer(text, reply_markup=markup)

    return reply


def _in_place(query: CallbackQuery) -> Reply:
    async def reply(text: str, markup: InlineKeyboardMarkup | None) -> None:
        await show_in_place(query, text, markup)

    return reply


def _ask_quantity_text(measure: str | None) -> str:
    if measure:
        return _("How many {measure}? For example 3 or 2,5.").format(measure=html.quote(measure))
    return _("How much of it did you do? For example 1 or 2,5.")


async def resume(
    reply: Reply,
    session: AsyncSession,
    state: FSMContext,
    actor: Actor,
    report: DailyReport,
    locale: str,
) -> None:
    """Show the step the report's draft stands at: the open activity, a new one, or the review."""
    assert report.id is not None
    lines = await activity_lines(session, report.id)
    if report.status == ReportStatus.APPROVED:
        await state.clear()
        text = _("The report for {day} is approved and can no longer be changed.").format(
            day=format_day(report.work_date, locale)
        )
        await reply(
            text + "\n\n" + report_text(report.work_date, report.status, lines, locale), None
        )
        return
    entering = next((line for line in lines if line.quantity is None), None)
    if entering is not None:
        await state.update_data(
            report_id=report.id, activity_id=entering.id, measure=entering.measure
        )
        if entering.description:
            await state.set_state(ReportFlow.quantity)
            await reply(_ask_quantity_text(entering.measure), None)
        else:
            await state.set_state(ReportFlow.description)
            await reply(_ask_description_text(), None)
        return
    await state.clear()
    if lines:
        await _show_review(reply, report, lines, locale)
    else:
        await _ask_indicator(reply, session, actor, report, locale)


def _ask_description_text() -> str:
    return _("Describe the activity in a few sentences (at most {limit} characters).").format(
        limit=MAX_DESCRIPTION
    )


async def _ask_indicator(
    reply: Reply, session: AsyncSession, actor: Actor, report: DailyReport, locale: str
) -> None:
    assert report.id is not None
    indicators = await year_indicators(session, actor.member_id, report.work_date.year)
    text = _("Report for {day}.").format(day=format_day(report.work_date, locale)) + "\n"
    if indicators:
        text += _("Which indicator does this activity advance?")
    else:
        text += _(
            "You have no performance indicators for {year} yet; you can report additional tasks."
        ).format(year=report.work_date.year)
    await reply(text, indicator_keyboard(report.id, indicators))


async def _show_review(
    reply: Reply, report: DailyReport, lines: list[Any], locale: str, note: str | None = None
) -> None:
    assert report.id is not None
    text = report_text(
        report.work_date, report.status, lines, locale, return_reason=report.return_reason
    )
    if report.status == ReportStatus.SUBMITTED:
        text += "\n\n" + _(
            "Your supervisor has not decided yet. If you change the report, "
            "submit it again so they see the new version."
        )
    if note:
        text = note + "\n\n" + text
    await reply(text, review_keyboard(report.id, can_submit=report.status != "submitted"))


async def start_report(
    message: Message,
    session: AsyncSession,
    state: FSMContext,
    actor: Actor,
    i18n: I18n,
    clock: Callable[[], datetime],
) -> None:
    """/lapor: open (or create) today's report in the unit's time zone."""
    report = await report_for_day(session, actor.member_id, actor.today(clock()), clock())
    await resume(_answer_to(message), session, state, actor, report, i18n.current_locale)


async def pick_indicator(
    query: CallbackQuery,
    callback_data: PickIndicator,
    session: AsyncSession,
    state: FSMContext,
    actor: Actor,
) -> None:
    """Start an activity under the chosen indicator (0: additional task)."""
    report_id = callback_data.report_id
    started = await start_activity(
        session, report_id, actor.member_id, callback_data.indicator_id or None
    )
    if started is None:  # not the user's draft, closed, or another activity is open
        await answer_expired(query)
        return
    activity_id, measure = started
    await state.set_state(ReportFlow.description)
    await state.update_data(report_id=report_id, activity_id=activity_id, measure=measure)
    await show_in_place(query, _ask_description_text())
    await query.answer()


async def describe(
    message: Message, session: AsyncSession, state: FSMContext, actor: Actor
) -> None:
    """The activity's description: 1 to 1000 characters of text."""
    text = (message.text or "").strip()
    if len(text) > MAX_DESCRIPTION:
        await message.answer(too_long_text(len(text), MAX_DESCRIPTION))
        return
    if not text:
        await message.answer(_ask_description_text())
        return
    data = await state.get_data()
    described = await describe_activity(
        session, data["activity_id"], data["report_id"], actor.member_id, text
    )
    if not described:
        await _draft_moved_on(message, state)
        return
    await state.set_state(ReportFlow.quantity)
    await message.answer(_ask_quantity_text(data.get("measure")))


async def describe_not_text(message: Message) -> None:
    await message.answer(_("Please describe the activity in a text message."))


async def quantify_not_text(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    await message.answer(_ask_quantity_text(data.get("measure")))


def _quantity_problem_text(error: InvalidQuantity) -> str:
    """Why a typed quantity was refused."""
    if error.problem == QuantityProblem.NOT_POSITIVE:
        return _("The quantity must be more than zero.")
    if error.problem == QuantityProblem.TOO_PRECISE:
        return _("Use at most two decimals.")
    if error.problem == QuantityProblem.AMBIGUOUS:
        return _("Write the number without a thousands separator, e.g. 1000 or 1,5.")
    if error.problem == QuantityProblem.TOO_LARGE:
        return _("That is more than {limit}.").format(limit=error.limit)
    return _("That is not a number.")


async def quantify(
    message: Message, session: AsyncSession, state: FSMContext, actor: Actor
) -> None:
    """The quantity in the indicator's unit; a bad one is explained and asked again."""
    data = await state.get_data()
    measure = data.get("measure")
    try:
        quantity = parse_quantity(message.text or "", measure)
    except InvalidQuantity as error:
        await message.answer(_quantity_problem_text(error) + " " + _ask_quantity_text(measure))
        return
    quantified = await quantify_activity(
        session, data["activity_id"], data["report_id"], actor.member_id, quantity
    )
    if not quantified:
        await _draft_moved_on(message, state)
        return
    await state.set_state(ReportFlow.evidence)
    prompt = await message.answer(
        _evidence_text(0), reply_markup=evidence_keyboard(data["report_id"], 0)
    )
    await state.update_data(prompt_id=prompt.message_id)


def _evidence_text(received: int) -> str:
    text = _(
        "Send photos or documents as evidence (bukti dukung), several at once if you like, "
        "or tap Skip."
    )
    if received:
        text = _("Evidence received: {count}. Send more, or tap Done.").format(count=received)
    return text


async def attach_evidence(
    message: Message, session: AsyncSession, state: FSMContext, actor: Actor, bot: Bot
) -> None:
    """A photo or document for the activity just entered (each part of an album counts)."""
    data = await state.get_data()
    if message.photo:
        photo = message.photo[-1]
        kind, file_id, unique_id, name = (
            EvidenceKind.PHOTO,
            photo.file_id,
            photo.file_unique_id,
            None,
        )
    else:
        assert message.document is not None
        document = message.document
        kind, file_id, unique_id, name = (
            EvidenceKind.DOCUMENT,
            document.file_id,
            document.file_unique_id,
            document.file_name,
        )
    count = await add_evidence(
        session,
        data["activity_id"],
        data["report_id"],
        actor.member_id,
        kind=kind,
        file_id=file_id,
        file_unique_id=unique_id,
        file_name=name,
        caption=message.caption[:1024] if message.caption else None,
    )
    if count is None:
        await message.answer(
            _("This activity cannot take more evidence (at most {limit} files).").format(
                limit=MAX_EVIDENCE_PER_ACTIVITY
            )
            + " "
            + _("Tap Done to review the report.")
        )
        return
    markup = evidence_keyboard(data["report_id"], count)
    try:
        await bot.edit_message_text(
            _evidence_text(count),
            chat_id=message.chat.id,
            message_id=data["prompt_id"],
            reply_markup=markup,
        )
    except TelegramBadRequest:
        prompt = await message.answer(_evidence_text(count), reply_markup=markup)
        await state.update_data(prompt_id=prompt.message_id)


async def evidence_not_file(message: Message) -> None:
    await message.answer(_("Send a photo or a document, or tap the button to go on."))


async def _draft_moved_on(message: Message, state: FSMContext) -> None:
    """The draft was submitted, approved or changed elsewhere since this step began."""
    await state.clear()
    locale = get_i18n().current_locale
    await message.answer(
        _("This draft is no longer open. Send /{command} to continue.").format(
            command=REPORT.name(locale)
        )
    )


async def report_step(
    query: CallbackQuery,
    callback_data: ReportStep,
    session: AsyncSession,
    state: FSMContext,
    actor: Actor,
    i18n: I18n,
    clock: Callable[[], datetime],
    settings: Settings,
    bot: Bot,
) -> None:
    """Review, add, remove, submit, or pick another day for one of the user's own reports."""
    employee = actor.member
    report = await own_report(session, callback_data.report_id, employee.id or 0)
    if report is None or report.id is None:
        await answer_expired(query)
        return
    locale = i18n.current_locale
    action = callback_data.action
    if action == ReportAction.DATES:
        await _offer_days(query, actor, clock, settings, locale)
        return
    if action == ReportAction.SUBMIT:
        await _submit(query, session, state, actor, report, locale, clock, bot, i18n)
        return
    if action in (ReportAction.ADD, ReportAction.REMOVE_LAST):
        if report.status == ReportStatus.APPROVED:
            await answer_expired(query)
            return
        await reopen_if_submitted(session, report.id, clock())
        if action == ReportAction.REMOVE_LAST and not await remove_last_activity(
            session, report.id, employee.id or 0
        ):
            await answer_expired(query)
            return
        await session.refresh(report)
        if action == ReportAction.ADD:
            await state.clear()
            await _ask_indicator(_in_place(query), session, actor, report, locale)
            await query.answer()
            return
    await resume(_in_place(query), session, state, actor, report, locale)
    await query.answer()


async def _offer_days(
    query: CallbackQuery,
    actor: Actor,
    clock: Callable[[], datetime],
    settings: Settings,
    locale: str,
) -> None:
    today = actor.today(clock())
    days = [today - timedelta(days=back) for back in range(settings.report_backdate_days + 1)]
    await show_in_place(
        query, _("Which day do you want to report for?"), days_keyboard(days, locale)
    )
    await query.answer()


async def pick_day(
    query: CallbackQuery,
    callback_data: PickDay,
    session: AsyncSession,
    state: FSMContext,
    actor: Actor,
    i18n: I18n,
    clock: Callable[[], datetime],
    settings: Settings,
) -> None:
    """Open the report of a recent day; future days and days too long ago are refused."""
    today = actor.today(clock())
    try:
        day = date.fromisoformat(callback_data.day)
    except ValueError:
        await answer_expired(query)
        return
    if day > today:
        await query.answer(_("You cannot report for a future day."), show_alert=True)
        return
    if (today - day).days > settings.report_backdate_days:
        await query.answer(
            _("You can report for the last {days} days only.").format(
                days=settings.report_backdate_days
            ),
            show_alert=True,
        )
        return
    report = await report_for_day(session, actor.member_id, day, clock())
    await resume(_in_place(query), session, state, actor, report, i18n.current_locale)
    await query.answer()


async def _submit(
    query: CallbackQuery,
    session: AsyncSession,
    state: FSMContext,
    actor: Actor,
    report: DailyReport,
    locale: str,
    clock: Callable[[], datetime],
    bot: Bot,
    i18n: I18n,
) -> None:
    """Submit once, commit, then tell the employee and the supervisor."""
    assert report.id is not None
    employee = actor.member
    resubmission = report.submitted_at is not None
    now = clock()
    if not await submit_report(session, report.id, employee.id or 0, now):
        if report.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
            await query.answer(_("This report was already submitted."), show_alert=True)
        else:
            await answer_expired(query)
        return
    # The ORM applied the UPDATE to `report` too: status, submitted_at and revision are new.
    await state.clear()
    lines = await activity_lines(session, report.id)
    recipients = await approvers_of(session, employee, actor.today(clock()))
    note = await _submission_note(session, employee, recipients)
    text = "✅ " + _("Report submitted.") + " " + note + "\n\n"
    await show_in_place(query, text + report_text(report.work_date, report.status, lines, locale))
    await query.answer()
    card = ReportCard(report, employee, None, lines)
    await send_for_decision(bot, i18n, session, [card], recipients, updated=resubmission)


async def _submission_note(
    session: AsyncSession, employee: Employee, recipients: list[Employee]
) -> str:
    """Who will decide the report, or why nobody can yet."""
    if recipients:
        names = ", ".join(html.quote(person.name) for person in recipients)
        return _("Sent for approval to {names}.").format(names=names)
    supervisor = await supervisor_of(session, employee)
    if supervisor is not None:
        return _(
            "Your report is stored. Your supervisor, {name}, has not joined the bot yet "
            "and will see it there."
        ).format(name=html.quote(supervisor.name))
    admin = await nearest_admin(session, employee.unit_id)
    if admin is None:
        return _("Your report is stored. No direct supervisor is set for you yet.")
    return _(
        "Your report is stored. No direct supervisor is set for you yet; "
        "your unit's admin is {name}."
    ).format(name=html.quote(admin.name))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(IsEmployee())
    router.callback_query.filter(IsEmployee())
    router.message.register(start_report, REPORT.filter())
    router.message.register(describe, ReportFlow.description, F.text, NOT_COMMAND)
    router.message.register(describe_not_text, ReportFlow.description, NOT_COMMAND)
    router.message.register(quantify, ReportFlow.quantity, F.text, NOT_COMMAND)
    router.message.register(quantify_not_text, ReportFlow.quantity, NOT_COMMAND)
    router.message.register(attach_evidence, ReportFlow.evidence, F.photo | F.document)
    router.message.register(evidence_not_file, ReportFlow.evidence, NOT_COMMAND)
    router.callback_query.register(pick_indicator, PickIndicator.filter())
    router.callback_query.register(report_step, ReportStep.filter())
    router.callback_query.register(pick_day, PickDay.filter())
    return router
