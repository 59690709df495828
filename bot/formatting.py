"""How dates, numbers, statuses and reports read in the user's language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram.utils.markdown import html_decoration as html
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from storage.approvals import ReportCard
from storage.models import Employee, ReportStatus
from storage.reports import ActivityLine

MESSAGE_BUDGET = 3500  # Telegram allows 4096 characters; leave room for headers and notes
DESCRIPTION_PREVIEW = 400


def format_day(day: date, locale: str) -> str:
    """`Rabu, 25 November 2026` / `Wednesday, 25 November 2026`."""
    return format_date(day, "EEEE, d MMMM y", locale=locale)


def format_short_day(day: date, locale: str) -> str:
    """`Rab, 25 Nov` / `Wed, 25 Nov`."""
    return format_date(day, "EEE, d MMM", locale=locale)


def format_number(value: Decimal | int, locale: str) -> str:
    """`2,5` in Indonesian, `2.5` in English; no trailing zeros."""
    return format_decimal(value, format="#,##0.##", locale=locale)


def status_label(status: ReportStatus) -> str:
    """The report status as employees and supervisors call it."""
    labels = {
        ReportStatus.DRAFT: _("draft"),
        ReportStatus.SUBMITTED: _("awaiting approval"),
        ReportStatus.APPROVED: _("approved"),
        ReportStatus.RETURNED: _("returned"),
    }
    return labels[ReportStatus(status)]


def status_icon(status: ReportStatus) -> str:
    return {"draft": "📝", "submitted": "⏳", "approved": "✅", "returned": "↩️"}[status]


def amount_text(quantity: Decimal | None, measure: str | None, locale: str) -> str:
    """`3 dokumen`, `2,5 %`, or just the number for an additional task."""
    if quantity is None:
        return "…"
    number = format_number(quantity, locale)
    return f"{number} {html.quote(measure)}" if measure else number


def activity_text(position: int, line: ActivityLine, locale: str) -> str:
    """One numbered activity with its indicator, amount, evidence and description."""
    if line.indicator_code is not None:
        label = f"<b>{html.quote(line.indicator_code)}</b> {html.quote(line.indicator_title or '')}"
    else:
        label = "<i>" + _("Additional task") + "</i>"
    head = f"{position}. {label} — {amount_text(line.quantity, line.measure, locale)}"
    if line.evidence_count:
        head += f" · 📎 {line.evidence_count}"
    description = line.description
    if len(description) > DESCRIPTION_PREVIEW:
        description = description[:DESCRIPTION_PREVIEW] + "…"
    return head + "\n    " + html.quote(description)


def report_text(
    work_date: date,
    status: ReportStatus,
    lines: Sequence[ActivityLine],
    locale: str,
    *,
    employee: Employee | None = None,
    return_reason: str | None = None,
) -> str:
    """A report as a message: header, status, every activity (cut to fit one message)."""
    parts = []
    if employee is not None:
        parts.append(
            _("<b>{name}</b>, NIP {nip}").format(name=html.quote(employee.name), nip=employee.nip)
        )
    parts.append(
        _("<b>Daily report · {day}</b>").format(day=format_day(work_date, locale))
        + "\n"
        + _("Status: {status}").format(status=f"{status_icon(status)} {status_label(status)}")
    )
    if status == ReportStatus.RETURNED and return_reason:
        parts.append(_("Returned because: {reason}").format(reason=html.quote(return_reason)))
    used = sum(len(part) for part in parts)
    shown = []
    for position, line in enumerate(lines, start=1):
        block = activity_text(position, line, locale)
        if used + len(block) > MESSAGE_BUDGET:
            more = len(lines) - len(shown)
            shown.append(
                ngettext(
                    "… and {count} more activity", "… and {count} more activities", more
                ).format(count=more)
            )
            break
        shown.append(block)
        used += len(block)
    if not shown:
        shown.append(_("No activities yet."))
    parts.append("\n".join(shown))
    return "\n\n".join(parts)


def quarter_label(quarter: int) -> str:
    """`TW 1` (triwulan) in Indonesian, `Q1` in English."""
    return _("Q{quarter}").format(quarter=quarter)


ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def format_moment(moment: datetime, timezone: str, locale: str) -> str:
    """`25 Nov 2026 11:05 WITA`: a moment in a unit's time zone."""
    local = moment.astimezone(ZoneInfo(timezone))
    zone = ZONE_NAMES.get(timezone, timezone)
    return f"{format_datetime(local, 'd MMM y HH:mm', locale=locale)} {zone}"


def decision_stamp(card: ReportCard, timezone: str, locale: str) -> str:
    """Who decided a report and when, as shown under the report."""
    report = card.report
    assert report.decided_at is not None
    values = {
        "name": html.quote(card.decided_by.name if card.decided_by else "?"),
        "when": format_moment(report.decided_at, timezone, locale),
    }
    if report.status == ReportStatus.APPROVED:
        return "✅ " + _("Approved by {name} · {when}").format(**values)
    return "↩️ " + _("Returned by {name} · {when}").format(**values)


def card_text(card: ReportCard, locale: str) -> str:
    """A report as its supervisor sees it: employee, date, status, activities."""
    report = card.report
    return report_text(
        report.work_date,
        report.status,
        card.lines,
        locale,
        employee=card.employee,
        return_reason=report.return_reason,
    )
