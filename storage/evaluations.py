"""The evaluation cycle (PermenPANRB 6/2022): open evaluations, self-assessment, assessment.

Who may assess is checked in the statement that records it: the evaluated employee must
report to the assessor directly, or to a supervisor who delegated to them (Plt) that day.
Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import JSON, Select, and_, bindparam, join, literal, or_, outerjoin
from sqlalchemy import update as sa_update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import CENT, quarter_of, quarter_target
from bot.evaluation_rules import BEHAVIOURS, MONTHS, Period, PeriodKind, Predicate, Rating
from bot.evaluation_rules import predicate as predicate_of
from storage.models import (
    Activity,
    DailyReport,
    Delegation,
    Employee,
    Evaluation,
    Indicator,
    ReportStatus,
)
from storage.progress import TARGET_COLUMNS, to_decimal
from storage.types import UTCDateTime

BEHAVIOUR_CODES = tuple(code for code, _name in BEHAVIOURS)
_OPENED_COLUMNS = (
    "employee_id",
    "period",
    "period_start",
    "period_end",
    "self_due",
    "assessment_due",
    "self_behaviours",
    "assessor_id",
)


def _assessable_employees(assessor_id: int, today: date) -> Select[Any]:
    """Ids of the employees `assessor_id` may assess on `today`: direct reports, or those of a
    supervisor who delegated to them (an acting supervisor, Plt)."""
    delegated_by = select(Delegation.supervisor_id).where(
        col(Delegation.acting_id) == assessor_id,
        col(Delegation.valid_until) >= today,
        col(Delegation.revoked_at).is_(None),
    )
    return select(Employee.id).where(
        or_(
            col(Employee.supervisor_id) == assessor_id,
            col(Employee.supervisor_id).in_(delegated_by),
        )
    )


async def open_evaluations(
    session: AsyncSession, period: Period, self_due: date, assessment_due: date
) -> int:
    """An evaluation of `period` for every active employee, assessed by their supervisor.

    Idempotent (one INSERT ... SELECT that skips existing ones); how many were new.
    """
    rows = select(
        col(Employee.id),
        literal(period.key),
        literal(period.start),
        literal(period.end),
        literal(self_due),
        literal(assessment_due),
        literal({}, type_=JSON),
        col(Employee.supervisor_id),
    ).where(col(Employee.is_active))
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(Evaluation.__table__)
        .from_select(list(_OPENED_COLUMNS), rows)
        .on_conflict_do_nothing(index_elements=["employee_id", "period"])
    )
    return (await session.exec(statement)).rowcount


async def current_evaluation(
    session: AsyncSession, employee_id: int, today: date
) -> Evaluation | None:
    """The employee's newest evaluation whose period has started by `today`."""
    statement = (
        select(Evaluation)
        .where(col(Evaluation.employee_id) == employee_id, col(Evaluation.period_start) <= today)
        .order_by(col(Evaluation.period_start).desc())
        .limit(1)
    )
    return (await session.exec(statement)).first()


def valid_ratings(results: str, behaviours: Mapping[str, str]) -> bool:
    """The results rating and exactly the seven BerAKHLAK behaviours, each a known rating."""
    ratings = {rating.value for rating in Rating}
    return (
        results in ratings
        and set(behaviours) == set(BEHAVIOUR_CODES)
        and all(value in ratings for value in behaviours.values())
    )


async def save_self_assessment(
    session: AsyncSession,
    evaluation_id: int,
    employee_id: int,
    results: str,
    behaviours: dict[str, str],
    note: str | None,
    now: datetime,
) -> bool:
    """Record the employee's own self-assessment, once; False when refused."""
    if not valid_ratings(results, behaviours):
        return False
    statement = (
        sa_update(Evaluation)
        .where(
            col(Evaluation.id) == evaluation_id,
            col(Evaluation.employee_id) == employee_id,
            col(Evaluation.self_submitted_at).is_(None),
        )
        .values(
            self_results=results,
            self_behaviours={code: behaviours[code] for code in BEHAVIOUR_CODES},
            self_note=note,
            self_submitted_at=bindparam("now", type_=UTCDateTime()),
        )
    )
    result = await session.exec(statement, params={"now": now})
    return bool(result.rowcount == 1)


async def save_assessment(
    session: AsyncSession,
    evaluation_id: int,
    assessor_id: int,
    results: str,
    behaviour: str,
    feedback: str,
    now: datetime,
    today: date,
) -> Predicate | None:
    """Record the supervisor's assessment and its predicate, once; None when refused.

    The assessor must supervise the employee (or act for their supervisor today) and the
    self-assessment must be in.
    """
    try:
        verdict = predicate_of(Rating(results), Rating(behaviour))
    except ValueError:
        return None
    statement = (
        sa_update(Evaluation)
        .where(
            col(Evaluation.id) == evaluation_id,
            col(Evaluation.self_submitted_at).is_not(None),
            col(Evaluation.assessed_at).is_(None),
            col(Evaluation.employee_id).in_(_assessable_employees(assessor_id, today)),
        )
        .values(
            assessor_id=assessor_id,
            results=results,
            behaviour=behaviour,
            feedback=feedback,
            predicate=verdict.value,
            assessed_at=bindparam("now", type_=UTCDateTime()),
        )
    )
    result = await session.exec(statement, params={"now": now})
    return verdict if result.rowcount == 1 else None


async def assessable(
    session: AsyncSession, evaluation_id: int, assessor_id: int, today: date
) -> tuple[Evaluation, Employee] | None:
    """The evaluation and its employee when `assessor_id` may assess it now (self-assessment
    in, not assessed yet), else None."""
    statement = (
        select(Evaluation, Employee)
        .join(Employee, col(Employee.id) == col(Evaluation.employee_id))
        .where(
            col(Evaluation.id) == evaluation_id,
            col(Evaluation.self_submitted_at).is_not(None),
            col(Evaluation.assessed_at).is_(None),
            col(Evaluation.employee_id).in_(_assessable_employees(assessor_id, today)),
        )
    )
    row = (await session.exec(statement)).first()
    return (row[0], row[1]) if row is not None else None


async def own_open_evaluation(
    session: AsyncSession, evaluation_id: int, employee_id: int
) -> Evaluation | None:
    """The employee's own evaluation while the self-assessment is not yet submitted."""
    statement = select(Evaluation).where(
        col(Evaluation.id) == evaluation_id,
        col(Evaluation.employee_id) == employee_id,
        col(Evaluation.self_submitted_at).is_(None),
    )
    return (await session.exec(statement)).first()


async def team_evaluations(
    session: AsyncSession, supervisor_id: int, period_key: str, today: date
) -> list[tuple[Evaluation, Employee]]:
    """The period's evaluations of everyone the supervisor may assess today, by name."""
    statement = (
        select(Evaluation, Employee)
        .join(Employee, col(Employee.id) == col(Evaluation.employee_id))
        .where(
            col(Evaluation.period) == period_key,
            col(Evaluation.employee_id).in_(_assessable_employees(supervisor_id, today)),
        )
        .order_by(col(Employee.name), col(Employee.id))
    )
    return [(evaluation, employee) for evaluation, employee in (await session.exec(statement))]


@dataclass(frozen=True)
class IndicatorTotal:
    """One indicator of the year with its targets and the quantity approved in a range."""

    indicator_id: int
    code: str
    title: str
    measure: str
    target: Decimal
    quarters: tuple[Decimal | None, ...]
    approved: Decimal


async def indicator_totals(
    session: AsyncSession, employee_id: int, start: date, end: date
) -> list[IndicatorTotal]:
    """The employee's indicators of `start`'s year with the quantities approved on work dates
    in [start, end] (inclusive), by code, in one query."""
    columns = TARGET_COLUMNS
    approved = join(
        Activity,
        DailyReport,
        and_(
            col(DailyReport.id) == col(Activity.report_id),
            col(DailyReport.employee_id) == employee_id,
            col(DailyReport.status) == ReportStatus.APPROVED.value,
            col(DailyReport.work_date) >= start,
            col(DailyReport.work_date) <= end,
        ),
    )
    statement = (
        select(*columns, func.coalesce(func.sum(col(Activity.quantity)), 0).label("approved"))
        .select_from(
            outerjoin(Indicator, approved, col(Activity.indicator_id) == col(Indicator.id))
        )
        .where(col(Indicator.employee_id) == employee_id, col(Indicator.year) == start.year)
        .group_by(*columns)
        .order_by(col(Indicator.code))
    )
    return [_to_total(row) for row in (await session.exec(statement)).all()]


def _to_total(row: Any) -> IndicatorTotal:
    quarters = tuple(
        None if value is None else to_decimal(value) for value in (row.q1, row.q2, row.q3, row.q4)
    )
    return IndicatorTotal(
        indicator_id=row.id,
        code=row.code,
        title=row.title,
        measure=row.measure,
        target=to_decimal(row.target),
        quarters=quarters,
        approved=to_decimal(row.approved),
    )


def period_kind(period_key: str) -> PeriodKind:
    """The kind of a period key: "2026" annual, "2026-Q4" quarterly, "2026-11" monthly."""
    if "-Q" in period_key:
        return PeriodKind.QUARTERLY
    return PeriodKind.MONTHLY if "-" in period_key else PeriodKind.ANNUAL


def period_target(item: IndicatorTotal, evaluation: Evaluation) -> Decimal:
    """The indicator's target for the evaluation's period: the year's, the quarter's, or a
    twelfth of the year's for a month."""
    kind = period_kind(evaluation.period)
    if kind is PeriodKind.QUARTERLY:
        return quarter_target(item.target, item.quarters, quarter_of(evaluation.period_start))
    if kind is PeriodKind.MONTHLY:
        return (item.target / MONTHS).quantize(CENT, rounding=ROUND_HALF_UP)
    return item.target
