"""Inline keyboards as pure functions of their data."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from textwrap import shorten

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import (
    AllStep,
    ApproveAll,
    AssessAction,
    AssessAspect,
    AssessRate,
    AssessStep,
    Decide,
    IkmExport,
    LanguageChoice,
    OpenReport,
    OpenShortcut,
    PickDay,
    PickIndicator,
    ReportAction,
    ReportStep,
    SelfAction,
    SelfRate,
    SelfStep,
    Shortcut,
    ShowEvidence,
    SurveyAction,
    SurveyAnswer,
    SurveyProfile,
    SurveyStep,
    TeamButton,
    TeamPageButton,
    TeamView,
    Verdict,
)
from bot.evaluation_rules import Rating
from bot.formatting import format_short_day, status_icon
from bot.survey_texts import answer_labels, profile_option
from storage.models import Indicator
from storage.reports import ReportSummary
from storage.survey import DECLINED, PROFILE_OPTIONS, ProfileField

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


def team_keyboard(page: int, pages: int) -> InlineKeyboardMarkup:
    """◀ / ▶ to the neighbouring pages (where there are any), then the chart and spreadsheet."""
    builder = InlineKeyboardBuilder()
    turns = [(text, to) for text, to in (("◀", page - 1), ("▶", page + 1)) if 1 <= to <= pages]
    for text, to in turns:
        builder.button(text=text, callback_data=TeamPageButton(page=to))
    builder.button(
        text="📊 " + _("Chart"), callback_data=TeamButton(view=TeamView.CHART, page=page)
    )
    builder.button(text="📥 " + _("Spreadsheet"), callback_data=TeamButton(view=TeamView.EXPORT))
    builder.adjust(*([len(turns)] if turns else []), 2)
    return builder.as_markup()


def shortcut_keyboard(target: Shortcut) -> InlineKeyboardMarkup:
    """A reminder's one button: report now, see what awaits approval, or the evaluation."""
    builder = InlineKeyboardBuilder()
    labels = {
        Shortcut.REPORT: "📝 " + _("Report now"),
        Shortcut.PENDING: "📋 " + _("Open approvals"),
        Shortcut.EVALUATION: "🗂 " + _("Open the evaluation"),
    }
    label = labels[target]
    builder.button(text=label, callback_data=OpenShortcut(target=target))
    return builder.as_markup()


# Evaluation (PermenPANRB 6/2022)

RATING_ICONS = {Rating.BELOW: "🔻", Rating.AS: "✔️", Rating.ABOVE: "⭐"}


def rating_label(rating: str) -> str:
    """A rating against expectation as buttons and summaries show it."""
    labels = {
        Rating.BELOW: _("below expectation"),
        Rating.AS: _("as expected"),
        Rating.ABOVE: _("above expectation"),
    }
    return labels[Rating(rating)]


def _rating_keyboard(make: Callable[[Rating], CallbackData]) -> InlineKeyboardMarkup:
    """Below / as expected / above, one per row."""
    builder = InlineKeyboardBuilder()
    for rating in Rating:
        builder.button(
            text=f"{RATING_ICONS[rating]} {rating_label(rating)}", callback_data=make(rating)
        )
    builder.adjust(1)
    return builder.as_markup()


def self_rating_keyboard(evaluation_id: int, item: int) -> InlineKeyboardMarkup:
    """The three ratings of one self-assessment item (0: results, 1-7: behaviours)."""
    return _rating_keyboard(
        lambda rating: SelfRate(evaluation_id=evaluation_id, item=item, rating=rating.value)
    )


def assess_rating_keyboard(evaluation_id: int, aspect: AssessAspect) -> InlineKeyboardMarkup:
    """The three ratings of the results or the behaviour, for the assessor."""
    return _rating_keyboard(
        lambda rating: AssessRate(evaluation_id=evaluation_id, aspect=aspect, rating=rating.value)
    )


def self_step_keyboard(evaluation_id: int, action: SelfAction) -> InlineKeyboardMarkup:
    """One button of the self-assessment: start it, skip the note, or submit."""
    labels = {
        SelfAction.START: "📝 " + _("Start self-assessment"),
        SelfAction.SKIP_NOTE: "⏭ " + _("Skip"),
        SelfAction.SUBMIT: "📨 " + _("Submit"),
    }
    builder = InlineKeyboardBuilder()
    builder.button(
        text=labels[action], callback_data=SelfStep(evaluation_id=evaluation_id, action=action)
    )
    return builder.as_markup()


def assess_keyboard(members: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    """An Assess button per (evaluation id, employee name); a single one just says Assess."""
    builder = InlineKeyboardBuilder()
    for evaluation_id, name in members:
        text = _("Assess {name}").format(name=name) if len(members) > 1 else _("Assess")
        builder.button(
            text="✍️ " + text,
            callback_data=AssessStep(evaluation_id=evaluation_id, action=AssessAction.START),
        )
    builder.adjust(1)
    return builder.as_markup()


def confirm_assessment_keyboard(evaluation_id: int) -> InlineKeyboardMarkup:
    """Save the assessment and tell the employee."""
    builder = InlineKeyboardBuilder()
    builder.button(
        text="✅ " + _("Confirm and send"),
        callback_data=AssessStep(evaluation_id=evaluation_id, action=AssessAction.CONFIRM),
    )
    return builder.as_markup()


# Citizens' survey (SKM)


def survey_answer_keyboard(response_id: int, question: str) -> InlineKeyboardMarkup:
    """The question's own four answers, best first, one per row."""
    builder = InlineKeyboardBuilder()
    for score, label in reversed(list(enumerate(answer_labels(question), start=1))):
        builder.button(
            text=label,
            callback_data=SurveyAnswer(response_id=response_id, question=question, score=score),
        )
    builder.adjust(1)
    return builder.as_markup()


def skip_comment_keyboard(response_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text="⏭ " + _("Skip"),
        callback_data=SurveyStep(response_id=response_id, action=SurveyAction.SKIP_COMMENT),
    )
    return builder.as_markup()


def profile_keyboard(response_id: int, field: ProfileField) -> InlineKeyboardMarkup:
    """The answers of one profile question, two a row, then Skip and Skip all."""
    builder = InlineKeyboardBuilder()
    for value in PROFILE_OPTIONS[field]:
        builder.button(
            text=profile_option(field, value),
            callback_data=SurveyProfile(response_id=response_id, field=field.value, value=value),
        )
    builder.button(
        text="⏭ " + _("Skip"),
        callback_data=SurveyProfile(response_id=response_id, field=field.value, value=DECLINED),
    )
    builder.button(
        text="⏩ " + _("Skip the rest"),
        callback_data=SurveyStep(response_id=response_id, action=SurveyAction.SKIP_PROFILE),
    )
    builder.adjust(*([2] * (len(PROFILE_OPTIONS[field]) // 2)), 2)
    return builder.as_markup()


def ikm_keyboard(quarter_start: date) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text="📥 " + _("Spreadsheet"), callback_data=IkmExport(start=quarter_start.isoformat())
    )
    return builder.as_markup()
