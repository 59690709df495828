"""Supervisors decide: approve or return a report, /persetujuan (/pending), approve all.

Callback data is never trusted: every decision re-checks on the server, in the statement
that records it, that the presser is the employee's supervisor or acting for them today.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.callbacks import AllStep, ApproveAll, Decide, Verdict
from bot.commands import CANCEL, PENDING
from bot.evidence import send_evidence
from bot.filters import NOT_COMMAND, IsEmployee
from bot.formatting import format_day
from bot.keyboards import approve_all_keyboard, confirm_all_keyboard
from bot.notices import Shown, send_for_decision, show_decisions, tell_employee
from bot.replies import show_in_place
from bot.states import ApprovalFlow
from storage.approvals import (
    Decision,
    approve_all,
    decide,
    may_decide,
    pending_for,
    report_cards,
)
from storage.models import DailyReport, ReportStatus
from storage.people import Actor
from storage.reports import report_evidence

MAX_REASON = 1000
Clock = Callable[[], datetime]


def _refusal(outcome: Decision) -> str:
    if outcome == Decision.FORBIDDEN:
        return _(
            "You may not decide on this report: only the employee's direct supervisor "
            "or an acting supervisor (Plt) can."
        )
    if outcome == Decision.CHANGED:
        return _("The employee has changed this report since; decide on the newest message.")
    return _("This report has already been decided.")


async def _announce(
    bot: Bot,
    i18n: I18n,
    session: AsyncSession,
    actor: Actor,
    report_ids: list[int],
    pressed: Shown | None = None,
) -> None:
    """Show the decisions on every notice and tell each employee."""
    assert actor.unit is not None
    cards = list((await report_cards(session, report_ids)).values())
    await show_decisions(bot, i18n, session, cards, actor.unit.timezone, pressed)
    for card in cards:
        await tell_employee(bot, i18n, card)


def _pressed(query: CallbackQuery, report_id: int, locale: str) -> Shown | None:
    """The notice whose button was pressed, if it can still be edited."""
    if not isinstance(query.message, Message):
        return None
    return Shown(report_id, query.message.chat.id, query.message.message_id, locale)


async def on_decide(
    query: CallbackQuery,
    callback_data: Decide,
    session: AsyncSession,
    state: FSMContext,
    actor: Actor,
    i18n: I18n,
    clock: Clock,
    bot: Bot,
) -> None:
    """Approve at once; ask for the reason before returning; or send the evidence."""
    approver, today = actor.member, actor.today(clock())
    report_id = callback_data.report_id
    if callback_data.verdict == Verdict.APPROVE:
        outcome = await decide(
            session,
            report_id,
            callback_data.revision,
            approver.id or 0,
            today=today,
            now=clock(),
            approve=True,
        )
        if outcome != Decision.DONE:
            await query.answer(_refusal(outcome), show_alert=True)
            return
        await query.answer(_("Approved."))
        pressed = _pressed(query, report_id, i18n.current_locale)
        await _announce(bot, i18n, session, actor, [report_id], pressed)
        return
    if not await may_decide(session, report_id, approver.id or 0, today):
        await query.answer(_refusal(Decision.FORBIDDEN), show_alert=True)
        return
    if callback_data.verdict == Verdict.EVIDENCE:
        files = await report_evidence(session, report_id)
        await query.answer()
        await send_evidence(bot, query.from_user.id, files)
        return
    report = await session.get(DailyReport, report_id)
    assert report is not None
    if report.status != ReportStatus.SUBMITTED or report.revision != callback_data.revision:
        changed = report.revision != callback_data.revision
        await query.answer(
            _refusal(Decision.CHANGED if changed else Decision.ALREADY), show_alert=True
        )
        return
    await state.set_state(ApprovalFlow.reason)
    pressed = _pressed(query, report_id, i18n.current_locale)
    await state.update_data(
        report_id=report_id,
        revision=callback_data.revision,
        pressed=[pressed.chat_id, pressed.message_id] if pressed else None,
    )
    await query.answer()
    await bot.send_message(
        query.from_user.id,
        _(
            "Why are you returning the report for {day}? Write the reason (required); "
            "the employee will see it. /{cancel} keeps the report as it is."
        ).format(
            day=format_day(report.work_date, i18n.current_locale),
            cancel=CANCEL.name(i18n.current_locale),
        ),
    )


async def on_reason(
    message: Message,
    session: AsyncSession,
    state: FSMContext,
    actor: Actor,
    i18n: I18n,
    clock: Clock,
    bot: Bot,
) -> None:
    """The reason for returning: 1 to 1000 characters; then the report goes back."""
    reason = (message.text or "").strip()
    if not reason or len(reason) > MAX_REASON:
        await message.answer(
            _("Write the reason in at most {limit} characters.").format(limit=MAX_REASON)
        )
        return
    data = await state.get_data()
    await state.clear()
    outcome = await decide(
        session,
        data["report_id"],
        data["revision"],
        actor.member_id,
        today=actor.today(clock()),
        now=clock(),
        approve=False,
        reason=reason,
    )
    if outcome != Decision.DONE:
        await message.answer(_refusal(outcome))
        return
    await message.answer("↩️ " + _("Returned. The employee has been told why."))
    pressed = None
    if data.get("pressed"):
        chat_id, message_id = data["pressed"]
        pressed = Shown(data["report_id"], chat_id, message_id, i18n.current_locale)
    await _announce(bot, i18n, session, actor, [data["report_id"]], pressed)


async def show_pending(
    message: Message,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
    clock: Clock,
    bot: Bot,
) -> None:
    """The oldest reports awaiting this supervisor, each with its buttons; then approve all."""
    approver = actor.member
    page = await pending_for(session, approver.id or 0, actor.today(clock()))
    if not page.total:
        await message.answer(_("No reports are waiting for your approval."))
        return
    cards = await report_cards(session, page.report_ids)
    header = _("Reports waiting for your approval: {count}, the oldest first.").format(
        count=page.total
    )
    if page.total > len(page.report_ids):
        header += " " + _("Here are the first {shown}.").format(shown=len(page.report_ids))
    up_to = int(clock().timestamp())
    await message.answer(header, reply_markup=approve_all_keyboard(up_to, page.total))
    await send_for_decision(
        bot, i18n, session, [cards[report_id] for report_id in page.report_ids], [approver]
    )


async def on_approve_all(
    query: CallbackQuery,
    callback_data: ApproveAll,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
    clock: Clock,
    bot: Bot,
) -> None:
    """Ask for confirmation, then approve every report submitted up to the listing."""
    up_to = callback_data.up_to
    if callback_data.step == AllStep.ASK:
        page = await pending_for(session, actor.member_id, actor.today(clock()))
        await show_in_place(
            query,
            _("Approve all {count} reports waiting for you, without opening each one?").format(
                count=page.total
            ),
            confirm_all_keyboard(up_to),
        )
        await query.answer()
        return
    if callback_data.step == AllStep.NO:
        await show_in_place(query, _("Nothing was approved."))
        await query.answer()
        return
    approved = await approve_all(
        session,
        actor.member_id,
        today=actor.today(clock()),
        now=clock(),
        up_to=datetime.fromtimestamp(up_to, UTC),
    )
    await show_in_place(query, "✅ " + _("Approved {count} reports.").format(count=len(approved)))
    await query.answer()
    await _announce(bot, i18n, session, actor, approved)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(IsEmployee())
    router.callback_query.filter(IsEmployee())
    router.message.register(show_pending, PENDING.filter())
    router.message.register(on_reason, ApprovalFlow.reason, F.text, NOT_COMMAND)
    router.callback_query.register(on_decide, Decide.filter())
    router.callback_query.register(on_approve_all, ApproveAll.filter())
    return router
