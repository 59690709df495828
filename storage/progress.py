"""Progress aggregates computed in the database: indicator sums and reported days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, join, outerjoin
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import CENT, quarter_bounds, quarter_target, year_bounds
from storage.models import Activity, DailyReport, Indicator, ReportStatus

COUNTED_STATUSES = (ReportStatus.SUBMITTED.value, ReportStatus.APPROVED.value)


@dataclass(frozen=True)
class IndicatorProgress:
    """One indicator's targets and the quantities reported against it."""

    indicator_id: int
    code: str
    title: str
    measure: str
    year_target: Decimal
    quarter_target: Decimal
    year_approved: Decimal
    year_pending: Decimal
    quarter_approved: Decimal
    quarter_pending: Decimal


def to_decimal(value: Any) -> Decimal:
    """A database number (Decimal, float, int or NULL) as a Decimal with 2 decimals."""
    if value is None:
        value = 0
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


# An indicator's identity and targets, as selected (and grouped by) by every aggregate.
TARGET_COLUMNS = (
    col(Indicator.id),
    col(Indicator.code),
    col(Indicator.title),
    col(Indicator.measure),
    col(Indicator.target),
    col(Indicator.q1),
    col(Indicator.q2),
    col(Indicator.q3),
    col(Indicator.q4),
)


def quantity_sum(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    """`COALESCE(SUM(CASE WHEN condition THEN activity.quantity END), 0)`."""
    return func.coalesce(func.sum(case((condition, col(Activity.quantity)))), 0)


def status_is(status: ReportStatus) -> ColumnElement[bool]:
    """The activity's report has this status."""
    return col(DailyReport.status) == status.value


def _counted_activities(employee_id: int, start: date, end: date) -> Any:
    """`activity JOIN daily_report`: the employee's submitted/approved reports in [start, end)."""
    return join(
        Activity,
        DailyReport,
        and_(
            col(DailyReport.id) == col(Activity.report_id),
            col(DailyReport.employee_id) == employee_id,
            col(DailyReport.status).in_(COUNTED_STATUSES),
            col(DailyReport.work_date) >= start,
            col(DailyReport.work_date) < end,
            col(Activity.quantity).is_not(None),
        ),
    )


async def indicator_progress(
    session: AsyncSession, employee_id: int, year: int, quarter: int
) -> list[IndicatorProgress]:
    """Every indicator of the employee for `year`, by code, with approved and pending sums."""
    year_start, year_end = year_bounds(year)
    quarter_start, quarter_end = quarter_bounds(year, quarter)
    approved = col(DailyReport.status) == ReportStatus.APPROVED.value
    pending = col(DailyReport.status) == ReportStatus.SUBMITTED.value
    in_quarter = and_(
        col(DailyReport.work_date) >= quarter_start, col(DailyReport.work_date) < quarter_end
    )
    statement = (
        select(
            *TARGET_COLUMNS,
            quantity_sum(approved).label("year_approved"),
            quantity_sum(pending).label("year_pending"),
            quantity_sum(and_(approved, in_quarter)).label("quarter_approved"),
            quantity_sum(and_(pending, in_quarter)).label("quarter_pending"),
        )
        .select_from(
            outerjoin(
                Indicator,
                _counted_activities(employee_id, year_start, year_end),
                col(Activity.indicator_id) == col(Indicator.id),
            )
        )
        .where(col(Indicator.employee_id) == employee_id, col(Indicator.year) == year)
        .group_by(*TARGET_COLUMNS)
        .order_by(col(Indicator.code))
    )
    rows = (await session.exec(statement)).all()
    return [_to_progress(row, quarter) for row in rows]


def _to_progress(row: Any, quarter: int) -> IndicatorProgress:
    """One result row as an IndicatorProgress with normalised Decimals."""
    target = to_decimal(row.target)
    quarters = [
        None if value is None else to_decimal(value) for value in (row.q1, row.q2, row.q3, row.q4)
    ]
    return IndicatorProgress(
        indicator_id=row.id,
        code=row.code,
        title=row.title,
        measure=row.measure,
        year_target=target,
        quarter_target=quarter_target(target, quarters, quarter),
        year_approved=to_decimal(row.year_approved),
        year_pending=to_decimal(row.year_pending),
        quarter_approved=to_decimal(row.quarter_approved),
        quarter_pending=to_decimal(row.quarter_pending),
    )


async def reported_days(session: AsyncSession, employee_id: int, start: date, end: date) -> int:
    """Distinct work dates in [start, end) with a submitted or approved report of the employee."""
    statement = select(func.count(distinct(col(DailyReport.work_date)))).where(
        col(DailyReport.employee_id) == employee_id,
        col(DailyReport.status).in_(COUNTED_STATUSES),
        col(DailyReport.work_date) >= start,
        col(DailyReport.work_date) < end,
    )
    return int((await session.exec(statement)).one())
