"""The monthly export as an XLSX workbook: every activity, then sums per member and indicator.

No aiogram and no gettext here: every shown string comes in through `SheetLabels`. The
workbook is written in openpyxl's write-only mode, so a large unit stays cheap in memory;
handlers may run it in a worker thread with `asyncio.to_thread`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.domain import month_bounds
from storage.exports import ExportRow, SummaryRow
from storage.models import ReportStatus

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

MONTH = re.compile(r"(\d{4})-(\d{2})")
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
MIN_WIDTH = 8
MAX_WIDTH = 60
SHEET_TITLE_CHARS = 31
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
BOLD = Font(bold=True)

DEFAULT_STATUSES: Mapping[ReportStatus, str] = MappingProxyType(
    {
        ReportStatus.DRAFT: "draft",
        ReportStatus.SUBMITTED: "awaiting approval",
        ReportStatus.APPROVED: "approved",
        ReportStatus.RETURNED: "returned",
    }
)


@dataclass(frozen=True)
class SheetLabels:
    """Every translated string of the workbook; the defaults are the English source strings."""

    activities_sheet: str = "Activities"
    summary_sheet: str = "Summary"
    date: str = "Date"
    nip: str = "NIP"
    name: str = "Name"
    indicator: str = "Indicator"
    activity: str = "Activity"
    quantity: str = "Quantity"
    measure: str = "Unit"
    status: str = "Status"
    decided_by: str = "Decided by"
    evidence: str = "Evidence"
    approved: str = "Approved"
    pending: str = "Awaiting approval"
    activities: str = "Activities"
    additional_task: str = "Additional task"
    statuses: Mapping[ReportStatus, str] = field(default_factory=lambda: DEFAULT_STATUSES)


def month_bounds_of(text: str) -> tuple[date, date]:
    """The half-open range [first day, first day of the next month) of a `YYYY-MM` month."""
    match = MONTH.fullmatch(text.strip())
    month = int(match.group(2)) if match else 0
    if match is None or not 1 <= month <= 12 or int(match.group(1)) < 1:
        raise ValueError(f"expected a month as YYYY-MM, for example 2026-03; got {text!r}")
    return month_bounds(date(int(match.group(1)), month, 1))


def _sheet_title(text: str) -> str:
    """A valid worksheet title: no []:*?/\\ and at most 31 characters."""
    return SHEET_TITLE_FORBIDDEN.sub("-", text)[:SHEET_TITLE_CHARS] or "-"


def _width(values: Sequence[Any]) -> float:
    """A column width fitting the longest value, within sensible bounds."""
    longest = max((len(str(value)) for value in values if value is not None), default=0)
    return min(MAX_WIDTH, max(MIN_WIDTH, longest + 2))


def _cell(sheet: WriteOnlyWorksheet, value: Any, number_format: str | None = None) -> Any:
    """A write-only cell, with a number format when given."""
    cell = WriteOnlyCell(sheet, value=value)
    if number_format is not None:
        cell.number_format = number_format
    return cell


def _write_table(
    sheet: WriteOnlyWorksheet,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    formats: Mapping[int, str],
) -> None:
    """A bold frozen header with an autofilter, then the rows; `formats` by column index."""
    for index, values in enumerate(zip(header, *rows, strict=False), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _width(values)
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(header))
    sheet.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    heading = []
    for text in header:
        cell = _cell(sheet, text)
        cell.font = BOLD
        heading.append(cell)
    sheet.append(heading)
    for row in rows:
        sheet.append([_cell(sheet, value, formats.get(i)) for i, value in enumerate(row)])


def _activity_values(row: ExportRow, labels: SheetLabels) -> list[Any]:
    return [
        row.work_date,
        row.nip,
        row.name,
        row.indicator if row.indicator is not None else labels.additional_task,
        row.activity,
        row.quantity,
        row.measure,
        labels.statuses.get(row.status, str(row.status)),
        row.decided_by,
        row.evidence_count,
    ]


def _summary_values(row: SummaryRow, labels: SheetLabels) -> list[Any]:
    return [
        row.nip,
        row.name,
        row.indicator if row.indicator is not None else labels.additional_task,
        row.measure,
        row.approved,
        row.pending,
        row.activities,
    ]


def month_workbook(
    rows: Sequence[ExportRow], summary: Sequence[SummaryRow], labels: SheetLabels
) -> bytes:
    """The XLSX bytes: sheet 1 one row per activity, sheet 2 sums per member and indicator."""
    workbook = Workbook(write_only=True)
    activities = workbook.create_sheet(_sheet_title(labels.activities_sheet))
    _write_table(
        activities,
        [
            labels.date,
            labels.nip,
            labels.name,
            labels.indicator,
            labels.activity,
            labels.quantity,
            labels.measure,
            labels.status,
            labels.decided_by,
            labels.evidence,
        ],
        [_activity_values(row, labels) for row in rows],
        {0: DATE_FORMAT, 1: TEXT_FORMAT},
    )
    sums = workbook.create_sheet(_sheet_title(labels.summary_sheet))
    _write_table(
        sums,
        [
            labels.nip,
            labels.name,
            labels.indicator,
            labels.measure,
            labels.approved,
            labels.pending,
            labels.activities,
        ],
        [_summary_values(row, labels) for row in summary],
        {0: TEXT_FORMAT},
    )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
