"""Inline keyboards as pure functions of their data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from textwrap import shorten

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import (
    AllStep,
    ApproveAll,
    Decide,
    LanguageChoice,
    OpenReport,
    PickDay,
    PickIndicator,
    ReportAction,
    ReportStep,
    ShowEvidence,
    TeamButton,
    TeamView,
    Verdict,
)
from bot.formatting import format_short_day, status_icon
from storage.models import Indicator
from storage.reports import ReportSummary

# Each language is named in itself, so a user can find theirs whatever is shown now.
LANGUAGE_NAMES = {"id": "🇮🇩 Bahasa Indonesia", "en": "🇬🇧 English"}


def language_keyboard(current: str) -> InlineKeyboardMarkup:
    """One button per language, the current one ticked."""
    builder = InlineKeyboardBuilder()
    for code, name in LANGUAGE_NAMES.items():
        label = f"✓ {name}" if code == current else name
        builder.button(text=label, callback_data=LanguageChoice(code=code))
    builder.adjust(1)
    return builder.as_markup()


def indicator_keyboard(report_id: int, indicators: Sequence[Indicator]) -> InlineKeyboardMarkup:
    """This year's indicators, an additional task, and another day."""
    builder = InlineKeyboardBuilder()
    for indicator in indicators:
        builder.button(
            text=f"{indicator.code} · {shorten(indicator.title, 48, placeholder='…')}",
            callback_data=PickIndicator(report_id=report_id, indicator_id=indicator.id or 0),
        )
    builder.button(
        text="➕ " + _("Additional task"),
        callback_data=PickIndicator(report_id=report_id, indicator_id=0),
    )
    builder.button(
        text="📅 " + _("Another day"),
        callback_data=ReportStep(report_id=report_id, action=ReportAction.DATES),
    )
    builder.adjust(1)
    return builder.as_markup()


def evidence_keyboard(report_id: int, received: int) -> InlineKeyboardMarkup:
    """Skip evidence, or finish once some arrived."""
    builder = InlineKeyboardBuilder()
    label = "✅ " + _("Done") if received else "⏭ " + _("Skip")
    builder.button(
        text=label, callback_data=ReportStep(report_id=report_id, action=ReportAction.REVIEW)
    )
    return builder.as_markup()


def review_keyboard(report_id: int, *, can_submit: bool) -> InlineKeyboardMarkup:
    """Add or remove activities, submit, or switch to another day."""
    builder = InlineKeyboardBuilder()
    actions = [
        ("➕ " + _("Add activity"), ReportAction.ADD),
        ("🗑 " + _("Remove last"), ReportAction.REMOVE_LAST),
    ]
    if can_submit:
        actions.append(("📨 " + _("Submit"), ReportAction.SUBMIT))
    actions.append(("📅 " + _("Another day"), ReportAction.DATES))
    for text, action in actions:
        builder.button(text=text, callback_data=ReportStep(report_id=report_id, action=action))
    builder.adjust(2)
    return builder.as_markup()


def days_keyboard(days: Sequence[date], locale: str) -> InlineKeyboardMarkup:
    """Today first, then earlier days the employee may still report for."""
    builder = InlineKeyboardBuilder()
    for offset, day in enumerate(days):
        label = format_short_day(day, locale)
        if offset == 0:
            label = _("Today") + " · " + label
        elif offset == 1:
            label = _("Yesterday") + " · " + label
        builder.button(text=label, callback_data=PickDay(day=day.isoformat()))
    builder.adjust(1)
    return builder.as_markup()


def history_keyboard(reports: Sequence[ReportSummary], locale: str) -> InlineKeyboardMarkup:
    """One button per recent report."""
    builder = InlineKeyboardBuilder()
    for report in reports:
        builder.button(
            text=f"{status_icon(report.status)} {format_short_day(report.work_date, locale)}",
            callback_data=OpenReport(report_id=report.id),
        )
    builder.adjust(2)
    return builder.as_markup()


def evidence_button(report_id: int, count: int) -> InlineKeyboardMarkup | None:
    """A button that sends the report's files, when it has any."""
    if not count:
        return None
    builder = InlineKeyboardBuilder()
    builder.button(
        text="📎 " + _("Evidence ({count})").format(count=count),
        callback_data=ShowEvidence(report_id=report_id),
    )
    return builder.as_markup()


def decision_keyboard(report_id: int, revision: int, evidence: int) -> InlineKeyboardMarkup:
    """Approve, return, and (when there are files) see the evidence."""
    builder = InlineKeyboardBuilder()
    buttons = [("✅ " + _("Approve"), Verdict.APPROVE), ("↩️ " + _("Return"), Verdict.RETURN)]
    if evidence:
        buttons.append(("📎 " + _("Evidence ({count})").format(count=evidence), Verdict.EVIDENCE))
    for text, verdict in buttons:
        builder.button(
            text=text, callback_data=Decide(report_id=report_id, revision=revision, verdict=verdict)
        )
    builder.adjust(2)
    return builder.as_markup()


def approve_all_keyboard(up_to: int, count: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text="✅ " + _("Approve all ({count})").format(count=count),
        callback_data=ApproveAll(up_to=up_to, step=AllStep.ASK),
    )
    return builder.as_markup()


def confirm_all_keyboard(up_to: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text="✅ " + _("Yes, approve all"), callback_data=ApproveAll(up_to=up_to, step=AllStep.YES)
    )
    builder.button(text=_("Cancel"), callback_data=ApproveAll(up_to=up_to, step=AllStep.NO))
    return builder.as_markup()


def edit_report_keyboard(report_id: int) -> InlineKeyboardMarkup:
    """For an employee whose report came back: open it to change and resubmit."""
    builder = InlineKeyboardBuilder()
    builder.button(
        text="✏️ " + _("Edit report"),
        callback_data=ReportStep(report_id=report_id, action=ReportAction.REVIEW),
    )
    return builder.as_markup()


def team_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text="📊 " + _("Chart"), callback_data=TeamButton(view=TeamView.CHART))
    builder.button(text="📥 " + _("Spreadsheet"), callback_data=TeamButton(view=TeamView.EXPORT))
    return builder.as_markup()
