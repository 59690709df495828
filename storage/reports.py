"""Daily reports: drafts that live in the database, activities, evidence, submission.

Every write that depends on a report's state is a conditional statement checked by its row
count, so a stale button, a double tap or a concurrent decision changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Exists, and_, delete, exists, func, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    Activity,
    DailyReport,
    Employee,
    Evidence,
    EvidenceKind,
    Indicator,
    ReportStatus,
)
from storage.sql import insert_or_ignore

EDITABLE = (ReportStatus.DRAFT, ReportStatus.RETURNED)
MAX_EVIDENCE_PER_ACTIVITY = 20


@dataclass(frozen=True)
class ActivityLine:
    """An activity as shown to people: with its indicator and evidence count."""

    id: int
    description: str
    quantity: Decimal | None
    indicator_code: str | None
    indicator_title: str | None
    measure: str | None
    evidence_count: int


async def report_for_day(
    session: AsyncSession, employee_id: int, work_date: date, now: datetime
) -> DailyReport:
    """The employee's report for `work_date`, created as a draft if there is none yet."""
    await session.exec(
        insert_or_ignore(
            session,
            DailyReport,
            employee_id=employee_id,
            work_date=work_date,
            status=ReportStatus.DRAFT,
            created_at=now,
            updated_at=now,
        )
    )
    return (
        await session.exec(
            select(DailyReport).where(
                DailyReport.employee_id == employee_id, DailyReport.work_date == work_date
            )
        )
    ).one()


async def own_report(session: AsyncSession, report_id: int, employee_id: int) -> DailyReport | None:
    """The report if it belongs to this employee (callback data is never trusted)."""
    return (
        await session.exec(
            select(DailyReport).where(
                DailyReport.id == report_id, DailyReport.employee_id == employee_id
            )
        )
    ).first()


async def reopen_if_submitted(session: AsyncSession, report_id: int, now: datetime) -> None:
    """A submitted, undecided report goes back to draft when its employee edits it."""
    await session.exec(
        update(DailyReport)
        .where(col(DailyReport.id) == report_id, col(DailyReport.status) == ReportStatus.SUBMITTED)
        .values(status=ReportStatus.DRAFT, updated_at=now)
    )


def _editable(report_id: int, employee_id: int) -> Exists:
    """The report exists, belongs to the employee and is still a draft or returned."""
    return exists().where(
        col(DailyReport.id) == report_id,
        col(DailyReport.employee_id) == employee_id,
        col(DailyReport.status).in_(EDITABLE),
    )


async def open_activity(session: AsyncSession, report_id: int) -> Activity | None:
    """The activity still being entered (no quantity yet), if any."""
    return (
        await session.exec(
            select(Activity).where(
                Activity.report_id == report_id, col(Activity.quantity).is_(None)
            )
        )
    ).first()


async def start_activity(
    session: AsyncSession, report_id: int, employee_id: int, indicator_id: int | None
) -> tuple[int, str | None] | None:
    """A new activity under `indicator_id` (None: additional task): its id and unit of measure.

    None when the draft is closed, the indicator is not the employee's, or another activity
    is still being entered (the button pressed is stale).
    """
    measure = None
    if indicator_id is not None:
        measure = (
            await session.exec(
                select(Indicator.measure).where(
                    Indicator.id == indicator_id, Indicator.employee_id == employee_id
                )
            )
        ).first()
        if measure is None:
            return None
    pending = exists().where(col(Activity.report_id) == report_id, col(Activity.quantity).is_(None))
    draft_open = await session.exec(
        select(DailyReport.id).where(_editable(report_id, employee_id), ~pending)
    )
    if draft_open.first() is None:
        return None
    activity = Activity(report_id=report_id, indicator_id=indicator_id)
    session.add(activity)
    await session.flush()
    assert activity.id is not None
    return activity.id, measure


async def describe_activity(
    session: AsyncSession, activity_id: int, report_id: int, employee_id: int, text: str
) -> bool:
    """Set the description of the activity being entered; False if the draft moved on."""
    result = await session.exec(
        update(Activity)
        .where(
            col(Activity.id) == activity_id,
            col(Activity.report_id) == report_id,
            col(Activity.quantity).is_(None),
            _editable(report_id, employee_id),
        )
        .values(description=text)
    )
    return result.rowcount == 1


async def quantify_activity(
    session: AsyncSession, activity_id: int, report_id: int, employee_id: int, quantity: Decimal
) -> bool:
    """Set the quantity, completing the activity; False if the draft moved on."""
    result = await session.exec(
        update(Activity)
        .where(
            col(Activity.id) == activity_id,
            col(Activity.report_id) == report_id,
            col(Activity.quantity).is_(None),
            col(Activity.description) != "",
            _editable(report_id, employee_id),
        )
        .values(quantity=quantity)
    )
    return result.rowcount == 1


async def add_evidence(
    session: AsyncSession,
    activity_id: int,
    report_id: int,
    employee_id: int,
    *,
    kind: EvidenceKind,
    file_id: str,
    file_unique_id: str,
    file_name: str | None = None,
    caption: str | None = None,
) -> int | None:
    """Attach a file to a completed activity of an open draft; the activity's evidence count.

    The same file sent twice is kept once. None if the draft is closed or the activity full.
    """
    target = await session.exec(
        select(func.count(col(Evidence.id)))
        .select_from(Activity)
        .outerjoin(Evidence, col(Evidence.activity_id) == Activity.id)
        .where(
            col(Activity.id) == activity_id,
            col(Activity.report_id) == report_id,
            col(Activity.quantity).is_not(None),
            _editable(report_id, employee_id),
        )
        .group_by(col(Activity.id))
    )
    count = target.first()
    if count is None or count >= MAX_EVIDENCE_PER_ACTIVITY:
        return None
    inserted = await session.exec(
        insert_or_ignore(
            session,
            Evidence,
            activity_id=activity_id,
            kind=kind,
            file_id=file_id,
            file_unique_id=file_unique_id,
            file_name=file_name,
            caption=caption,
        )
    )
    return count + inserted.rowcount


async def remove_last_activity(session: AsyncSession, report_id: int, employee_id: int) -> bool:
    """Delete the newest activity of an open draft (its evidence goes with it)."""
    newest = select(func.max(Activity.id)).where(Activity.report_id == report_id).scalar_subquery()
    result = await session.exec(
        delete(Activity).where(col(Activity.id) == newest, _editable(report_id, employee_id))
    )
    return result.rowcount == 1


async def submit_report(
    session: AsyncSession, report_id: int, employee_id: int, now: datetime
) -> bool:
    """Mark an open draft with at least one complete activity submitted; True only once."""
    complete = exists().where(
        col(Activity.report_id) == report_id, col(Activity.quantity).is_not(None)
    )
    incomplete = exists().where(
        col(Activity.report_id) == report_id, col(Activity.quantity).is_(None)
    )
    result = await session.exec(
        update(DailyReport)
        .where(
            col(DailyReport.id) == report_id,
            col(DailyReport.employee_id) == employee_id,
            col(DailyReport.status).in_(EDITABLE),
            complete,
            ~incomplete,
        )
        .values(status=ReportStatus.SUBMITTED, submitted_at=now, updated_at=now)
    )
    return result.rowcount == 1


async def activity_lines(session: AsyncSession, report_id: int) -> list[ActivityLine]:
    """The report's activities in entry order, with indicator and evidence count (one query)."""
    evidence_count = (
        select(func.count(col(Evidence.id)))
        .where(col(Evidence.activity_id) == Activity.id)
        .scalar_subquery()
    )
    rows = await session.exec(
        select(
            Activity.id,
            Activity.description,
            Activity.quantity,
            Indicator.code,
            Indicator.title,
            Indicator.measure,
            evidence_count,
        )
        .outerjoin(Indicator, col(Indicator.id) == Activity.indicator_id)
        .where(Activity.report_id == report_id)
        .order_by(col(Activity.id))
    )
    return [ActivityLine(*row) for row in rows.all()]


async def report_evidence(session: AsyncSession, report_id: int) -> list[Evidence]:
    """Every file attached to the report, in the order it was sent."""
    rows = await session.exec(
        select(Evidence)
        .join(Activity, col(Activity.id) == Evidence.activity_id)
        .where(Activity.report_id == report_id)
        .order_by(col(Evidence.id))
    )
    return list(rows.all())


@dataclass(frozen=True)
class ReportSummary:
    id: int
    work_date: date
    status: ReportStatus
    activity_count: int


async def recent_reports(
    session: AsyncSession, employee_id: int, limit: int = 10
) -> list[ReportSummary]:
    """The employee's newest reports with their activity counts (one query)."""
    count = func.count(col(Activity.id))
    rows = await session.exec(
        select(DailyReport.id, DailyReport.work_date, DailyReport.status, count)
        .outerjoin(
            Activity,
            and_(col(Activity.report_id) == DailyReport.id, col(Activity.quantity).is_not(None)),
        )
        .where(DailyReport.employee_id == employee_id)
        .group_by(col(DailyReport.id), col(DailyReport.work_date), col(DailyReport.status))
        .having(count > 0)
        .order_by(col(DailyReport.work_date).desc())
        .limit(limit)
    )
    return [ReportSummary(id_, day, ReportStatus(status), n) for id_, day, status, n in rows.all()]


async def year_indicators(session: AsyncSession, employee_id: int, year: int) -> list[Indicator]:
    """The employee's indicators for `year`, by code."""
    rows = await session.exec(
        select(Indicator)
        .where(Indicator.employee_id == employee_id, Indicator.year == year)
        .order_by(col(Indicator.code))
    )
    return list(rows.all())


async def supervisor_of(session: AsyncSession, employee: Employee) -> Employee | None:
    """The employee's direct supervisor, if any and active."""
    if employee.supervisor_id is None:
        return None
    supervisor = await session.get(Employee, employee.supervisor_id)
    return supervisor if supervisor is not None and supervisor.is_active else None


async def indicators_with_parents(
    session: AsyncSession, employee_id: int, year: int
) -> list[tuple[Indicator, Indicator | None]]:
    """The employee's indicators for `year`, each with the supervisor's indicator it supports."""
    parent = aliased(Indicator)
    rows = await session.exec(
        select(Indicator, parent)
        .outerjoin(parent, col(parent.id) == Indicator.parent_id)
        .where(Indicator.employee_id == employee_id, Indicator.year == year)
        .order_by(col(Indicator.code))
    )
    return [(indicator, supported) for indicator, supported in rows.all()]
