"""Daily reports: drafts that live in the database, activities, evidence, submission.

Every write that depends on a report's state is a conditional statement checked by its row
count, so a stale button, a double tap or a concurrent decision changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Numeric, and_, bindparam, delete, exists, func, literal, update
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
    description_digest,
)
from storage.sql import insert_or_ignore
from storage.types import UTCDateTime

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


# Hot-path statements, built once (see storage.sql). Parameter names differ from column
# names, which UPDATE reserves: :the_report, :the_employee, :the_activity, :the_indicator,
# :the_day, :text, :digest, :amount, :now.
_NOW = bindparam("now", type_=UTCDateTime())
_EDITABLE = exists().where(
    col(DailyReport.id) == bindparam("the_report"),
    col(DailyReport.employee_id) == bindparam("the_employee"),
    col(DailyReport.status).in_(EDITABLE),
)
_ENTERING = exists().where(
    col(Activity.report_id) == bindparam("the_report"), col(Activity.quantity).is_(None)
)
_COMPLETE = exists().where(
    col(Activity.report_id) == bindparam("the_report"), col(Activity.quantity).is_not(None)
)
_THIS_ACTIVITY = (
    col(Activity.id) == bindparam("the_activity"),
    col(Activity.report_id) == bindparam("the_report"),
)
_REPORT_FOR_DAY = select(DailyReport).where(
    DailyReport.employee_id == bindparam("the_employee"),
    DailyReport.work_date == bindparam("the_day"),
)
_OWN_REPORT = select(DailyReport).where(
    DailyReport.id == bindparam("the_report"), DailyReport.employee_id == bindparam("the_employee")
)
_CAN_START = select(literal(1)).where(_EDITABLE, ~_ENTERING)
_CAN_START_UNDER = select(Indicator.measure).where(
    Indicator.id == bindparam("the_indicator"),
    Indicator.employee_id == bindparam("the_employee"),
    _EDITABLE,
    ~_ENTERING,
)
_DESCRIBE = (
    update(Activity)
    .where(*_THIS_ACTIVITY, col(Activity.quantity).is_(None), _EDITABLE)
    .values(description=bindparam("text"), description_hash=bindparam("digest"))
)
_QUANTIFY = (
    update(Activity)
    .where(
        *_THIS_ACTIVITY,
        col(Activity.quantity).is_(None),
        col(Activity.description) != "",
        _EDITABLE,
    )
    .values(quantity=bindparam("amount", type_=Numeric(14, 2)))
)
_EVIDENCE_COUNT = (
    select(func.count(col(Evidence.id)))
    .select_from(Activity)
    .outerjoin(Evidence, col(Evidence.activity_id) == Activity.id)
    .where(*_THIS_ACTIVITY, col(Activity.quantity).is_not(None), _EDITABLE)
    .group_by(col(Activity.id))
)
_REMOVE_LAST = delete(Activity).where(
    col(Activity.id)
    == select(func.max(Activity.id))
    .where(Activity.report_id == bindparam("the_report"))
    .scalar_subquery(),
    _EDITABLE,
)
_SUBMIT = (
    update(DailyReport)
    .where(
        col(DailyReport.id) == bindparam("the_report"),
        col(DailyReport.employee_id) == bindparam("the_employee"),
        col(DailyReport.status).in_(EDITABLE),
        _COMPLETE,
        ~_ENTERING,
    )
    .values(
        status=ReportStatus.SUBMITTED,
        submitted_at=_NOW,
        updated_at=_NOW,
        revision=col(DailyReport.revision) + 1,
    )
)
_LINE_COLUMNS = (
    Activity.id,
    Activity.description,
    Activity.quantity,
    Indicator.code,
    Indicator.title,
    Indicator.measure,
    select(func.count(col(Evidence.id)))
    .where(col(Evidence.activity_id) == Activity.id)
    .scalar_subquery(),
)
_ACTIVITY_LINES_OF = (
    select(Activity.report_id, *_LINE_COLUMNS)
    .outerjoin(Indicator, col(Indicator.id) == Activity.indicator_id)
    .order_by(col(Activity.id))
)
_ACTIVITY_LINES = (
    select(*_LINE_COLUMNS)
    .outerjoin(Indicator, col(Indicator.id) == Activity.indicator_id)
    .where(Activity.report_id == bindparam("the_report"))
    .order_by(col(Activity.id))
)


async def report_for_day(
    session: AsyncSession, employee_id: int, work_date: date, now: datetime
) -> DailyReport:
    """The employee's report for `work_date`, created as a draft if there is none yet."""
    await insert_or_ignore(
        session,
        DailyReport,
        employee_id=employee_id,
        work_date=work_date,
        status=ReportStatus.DRAFT,
        created_at=now,
        updated_at=now,
    )
    params = {"the_employee": employee_id, "the_day": work_date}
    return (await session.exec(_REPORT_FOR_DAY, params=params)).one()


async def own_report(session: AsyncSession, report_id: int, employee_id: int) -> DailyReport | None:
    """The report if it belongs to this employee (callback data is never trusted)."""
    params = {"the_report": report_id, "the_employee": employee_id}
    return (await session.exec(_OWN_REPORT, params=params)).first()


async def reopen_if_submitted(session: AsyncSession, report_id: int, now: datetime) -> None:
    """A submitted, undecided report goes back to draft when its employee edits it."""
    await session.exec(
        update(DailyReport)
        .where(col(DailyReport.id) == report_id, col(DailyReport.status) == ReportStatus.SUBMITTED)
        .values(status=ReportStatus.DRAFT, updated_at=now)
    )


async def start_activity(
    session: AsyncSession, report_id: int, employee_id: int, indicator_id: int | None
) -> tuple[int, str | None] | None:
    """A new activity under `indicator_id` (None: additional task): its id and unit of measure.

    None when the draft is closed or not the employee's, the indicator is not theirs, or
    another activity is still being entered (the button pressed is stale).
    """
    params = {"the_report": report_id, "the_employee": employee_id}
    if indicator_id is None:
        measure = None
        allowed = (await session.exec(_CAN_START, params=params)).first() is not None
    else:
        params["the_indicator"] = indicator_id
        measure = (await session.exec(_CAN_START_UNDER, params=params)).first()
        allowed = measure is not None
    if not allowed:
        return None
    activity = Activity(report_id=report_id, employee_id=employee_id, indicator_id=indicator_id)
    session.add(activity)
    await session.flush()
    assert activity.id is not None
    return activity.id, measure


async def describe_activity(
    session: AsyncSession, activity_id: int, report_id: int, employee_id: int, text: str
) -> bool:
    """Set the description of the activity being entered; False if the draft moved on."""
    params = {"the_activity": activity_id, "the_report": report_id, "the_employee": employee_id}
    digest = description_digest(text)
    result = await session.exec(_DESCRIBE, params={**params, "text": text, "digest": digest})
    return result.rowcount == 1


async def quantify_activity(
    session: AsyncSession, activity_id: int, report_id: int, employee_id: int, quantity: Decimal
) -> bool:
    """Set the quantity, completing the activity; False if the draft moved on."""
    params = {"the_activity": activity_id, "the_report": report_id, "the_employee": employee_id}
    result = await session.exec(_QUANTIFY, params={**params, "amount": quantity})
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
    params = {"the_activity": activity_id, "the_report": report_id, "the_employee": employee_id}
    count = (await session.exec(_EVIDENCE_COUNT, params=params)).first()
    if count is None or count >= MAX_EVIDENCE_PER_ACTIVITY:
        return None
    inserted = await insert_or_ignore(
        session,
        Evidence,
        activity_id=activity_id,
        kind=kind,
        file_id=file_id,
        file_unique_id=file_unique_id,
        file_name=file_name,
        caption=caption,
    )
    return count + inserted


async def remove_last_activity(session: AsyncSession, report_id: int, employee_id: int) -> bool:
    """Delete the newest activity of an open draft (its evidence goes with it)."""
    params = {"the_report": report_id, "the_employee": employee_id}
    return (await session.exec(_REMOVE_LAST, params=params)).rowcount == 1


async def submit_report(
    session: AsyncSession, report_id: int, employee_id: int, now: datetime
) -> bool:
    """Mark an open draft with at least one complete activity submitted; True only once."""
    params = {"the_report": report_id, "the_employee": employee_id, "now": now}
    return (await session.exec(_SUBMIT, params=params)).rowcount == 1


async def activity_lines_of(
    session: AsyncSession, report_ids: list[int]
) -> dict[int, list[ActivityLine]]:
    """The activities of several reports, by report (one query)."""
    rows = await session.exec(_ACTIVITY_LINES_OF.where(col(Activity.report_id).in_(report_ids)))
    lines: dict[int, list[ActivityLine]] = {}
    for report_id, *fields in rows.all():
        lines.setdefault(report_id, []).append(ActivityLine(*fields))
    return lines


async def activity_lines(session: AsyncSession, report_id: int) -> list[ActivityLine]:
    """The report's activities in entry order, with indicator and evidence count (one query)."""
    rows = await session.exec(_ACTIVITY_LINES, params={"the_report": report_id})
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
