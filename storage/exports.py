"""Monthly exports: every activity of a team and per-indicator sums, each in one statement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case
from sqlalchemy.orm import aliased
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.invites import find_unit, unit_subtree
from storage.models import Activity, DailyReport, Employee, Evidence, Indicator, ReportStatus
from storage.progress import quantity_sum, status_is, to_decimal

EXPORTED_STATUSES = (
    ReportStatus.SUBMITTED.value,
    ReportStatus.APPROVED.value,
    ReportStatus.RETURNED.value,
)

EmployeeIds = Select[Any] | Sequence[int]


@dataclass(frozen=True)
class ExportRow:
    """One activity of a submitted, approved or returned report."""

    work_date: date
    nip: str
    name: str
    indicator: str | None  # "CODE title"; None for an additional task
    activity: str
    quantity: Decimal | None
    measure: str | None
    status: ReportStatus
    decided_by: str | None
    evidence_count: int


@dataclass(frozen=True)
class SummaryRow:
    """One member's activities under one indicator (or additional tasks) in the period."""

    nip: str
    name: str
    indicator: str | None
    measure: str | None
    approved: Decimal
    pending: Decimal
    activities: int


def _indicator_label(code: str | None, title: str | None) -> str | None:
    """`CODE title`, or None when the activity has no indicator."""
    return None if code is None else f"{code} {title}"


def _exported(employee_ids: EmployeeIds, start: date, end: date) -> ColumnElement[bool]:
    """Reports of the given employees in [start, end) that left the draft stage."""
    ids = employee_ids if isinstance(employee_ids, Select) else list(employee_ids)
    return and_(
        col(DailyReport.employee_id).in_(ids),
        col(DailyReport.status).in_(EXPORTED_STATUSES),
        col(DailyReport.work_date) >= start,
        col(DailyReport.work_date) < end,
    )


def _from_activities(statement: Any, decider: Any = None) -> Any:
    """`statement` over `activity JOIN daily_report JOIN employee LEFT JOIN indicator`.

    With `decider`, also `LEFT JOIN` that alias of employee on the report's decided_by_id.
    """
    statement = (
        statement.select_from(Activity)
        .join(DailyReport, col(DailyReport.id) == col(Activity.report_id))
        .join(Employee, col(Employee.id) == col(DailyReport.employee_id))
        .outerjoin(Indicator, col(Indicator.id) == col(Activity.indicator_id))
    )
    if decider is not None:
        statement = statement.outerjoin(decider, decider.id == col(DailyReport.decided_by_id))
    return statement


async def month_rows(
    session: AsyncSession, employee_ids: EmployeeIds, start: date, end: date
) -> list[ExportRow]:
    """Every activity in [start, end) of the employees, by date, name and activity id.

    `employee_ids` is a SELECT of ids or a list of ids; drafts are left out.
    """
    decider = aliased(Employee, name="decider")
    evidence_count = (
        select(func.count(col(Evidence.id)))
        .where(col(Evidence.activity_id) == col(Activity.id))
        .correlate(Activity)
        .scalar_subquery()
    )
    columns = select(
        col(DailyReport.work_date),
        col(Employee.nip),
        col(Employee.name),
        col(Indicator.code),
        col(Indicator.title),
        col(Activity.description),
        col(Activity.quantity),
        col(Indicator.measure),
        col(DailyReport.status),
        decider.name.label("decided_by"),
        evidence_count.label("evidence_count"),
    )
    statement = (
        _from_activities(columns, decider)
        .where(_exported(employee_ids, start, end))
        .order_by(col(DailyReport.work_date), col(Employee.name), col(Activity.id))
    )
    rows = (await session.exec(statement)).all()
    return [
        ExportRow(
            work_date=row.work_date,
            nip=row.nip,
            name=row.name,
            indicator=_indicator_label(row.code, row.title),
            activity=row.description,
            quantity=None if row.quantity is None else to_decimal(row.quantity),
            measure=row.measure,
            status=ReportStatus(row.status),
            decided_by=row.decided_by,
            evidence_count=int(row.evidence_count),
        )
        for row in rows
    ]


async def month_summary(
    session: AsyncSession, employee_ids: EmployeeIds, start: date, end: date
) -> list[SummaryRow]:
    """Approved and pending sums and activity counts per member and indicator in [start, end).

    `activities` counts the rows `month_rows` gives for the pair (returned reports included);
    `approved` and `pending` sum approved and submitted reports only. Ordered by name, NIP,
    indicator code; additional tasks last.
    """
    group = (
        col(Employee.id),
        col(Employee.nip),
        col(Employee.name),
        col(Indicator.id),
        col(Indicator.code),
        col(Indicator.title),
        col(Indicator.measure),
    )
    additional_last = case((col(Indicator.id).is_(None), 1), else_=0)
    columns = select(
        *group,
        quantity_sum(status_is(ReportStatus.APPROVED)).label("approved"),
        quantity_sum(status_is(ReportStatus.SUBMITTED)).label("pending"),
        func.count(col(Activity.id)).label("activities"),
    )
    statement = (
        _from_activities(columns)
        .where(_exported(employee_ids, start, end))
        .group_by(*group)
        .order_by(
            col(Employee.name),
            col(Employee.nip),
            additional_last,
            col(Indicator.code),
            col(Indicator.id),
        )
    )
    rows = (await session.exec(statement)).all()
    return [
        SummaryRow(
            nip=row.nip,
            name=row.name,
            indicator=_indicator_label(row.code, row.title),
            measure=row.measure,
            approved=to_decimal(row.approved),
            pending=to_decimal(row.pending),
            activities=int(row.activities),
        )
        for row in rows
    ]


async def unit_employee_ids(session: AsyncSession, unit_code: str) -> Select[Any]:
    """A SELECT of the ids of active employees of the unit and all its sub-units.

    Raises UnknownUnitError when no unit has `unit_code`.
    """
    tree = unit_subtree((await find_unit(session, unit_code)).id or 0)
    return select(Employee.id).where(
        col(Employee.is_active), col(Employee.unit_id).in_(select(tree.c.id))
    )
