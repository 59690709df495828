"""Team aggregates for a supervisor: the subordinate tree, weekly activity, achievement, chart.

Every function runs ONE statement whatever the team size: a recursive CTE over
`employee.supervisor_id` finds the team and the database does the counting. The statements
are built once with bind parameters (see storage.sql): :the_supervisor, :the_today,
:the_week_start, :the_year, :the_quarter_start, :the_quarter_end, :the_start, :the_end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import CTE, ColumnElement, Text, and_, bindparam, cast, exists
from sqlalchemy.orm import aliased
from sqlmodel import col, func, literal, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import quarter_bounds, quarter_target
from storage.models import Activity, DailyReport, Employee, Indicator, ReportStatus
from storage.progress import COUNTED_STATUSES, quantity_sum, status_is, to_decimal

# Bounds the recursion (real trees are 4-6 levels deep) should a cycle slip through.
# Written as a range (BETWEEN), not `depth < MAX_DEPTH`: PostgreSQL has no statistics on a
# recursion's work table and guesses 0.5% for a range but 33% for one inequality. With the
# range its estimate of the tree stays near the real size; otherwise it expects 16 times the
# employee table, hash-joins daily_report from a sequential scan and JIT-compiles.
MAX_DEPTH = 32
# Sibling ranks become fixed-width path segments ("1000001", "1000002", ...), so sorting the
# concatenated path as text lists every member right before its own subtree.
_SEGMENT_BASE = 1_000_000
VISIBLE_STATUSES = (
    ReportStatus.SUBMITTED.value,
    ReportStatus.APPROVED.value,
    ReportStatus.RETURNED.value,
)


def monday_of(day: date) -> date:
    """The Monday of the week `day` falls in."""
    return day - timedelta(days=day.weekday())


def _members() -> CTE:
    """`members(id, supervisor_id, depth)`: active subordinates of :the_supervisor, any depth.

    An active employee under an inactive one is left out with them. The supervisor is never
    their own member: every supervisor_id cycle reachable from them passes through them.
    """
    supervisor = bindparam("the_supervisor")
    members = (
        select(col(Employee.id), col(Employee.supervisor_id), literal(1).label("depth"))
        .where(
            col(Employee.supervisor_id) == supervisor,
            col(Employee.id) != supervisor,
            col(Employee.is_active),
        )
        .cte("members", recursive=True)
    )
    below = aliased(Employee, name="below")
    return members.union_all(
        select(below.id, below.supervisor_id, members.c.depth + 1).where(
            below.supervisor_id == members.c.id,
            below.id != supervisor,
            below.is_active,
            members.c.depth.between(1, MAX_DEPTH - 1),
        )
    )


def _segment(rank: Any) -> ColumnElement[str]:
    return cast(rank + _SEGMENT_BASE, Text)


def _tree() -> CTE:
    """`tree(id, supervisor_id, depth, path)`: the members with a depth-first sort key.

    Siblings are ranked by name (then id) among the members only, then a second recursion
    concatenates the ranks from the top down. Its redundant `child.depth = tree.depth + 1`
    keeps PostgreSQL's row estimate small, hence index walks and no JIT compilation.
    """
    members = _members()
    ranked = (
        select(
            members.c.id,
            members.c.supervisor_id,
            members.c.depth,
            func.row_number()
            .over(partition_by=members.c.supervisor_id, order_by=(Employee.name, Employee.id))
            .label("rank"),
        )
        .join(Employee, col(Employee.id) == members.c.id)
        .cte("ranked")
    )
    tree = (
        select(
            ranked.c.id,
            ranked.c.supervisor_id,
            ranked.c.depth,
            _segment(ranked.c.rank).label("path"),
        )
        .where(ranked.c.depth == 1)
        .cte("tree", recursive=True)
    )
    child = ranked.alias("child")
    return tree.union_all(
        select(
            child.c.id,
            child.c.supervisor_id,
            child.c.depth,
            tree.c.path + _segment(child.c.rank),
        ).where(child.c.supervisor_id == tree.c.id, child.c.depth == tree.c.depth + 1)
    )


@dataclass(frozen=True)
class TeamMember:
    """A direct or indirect subordinate, placed in the tree."""

    employee_id: int
    nip: str
    name: str
    position: str
    depth: int  # 1 = direct subordinate of the supervisor, 2 = theirs, ...
    supervisor_id: int  # their own direct supervisor
    telegram_linked: bool


_TREE = _tree()
_TEAM_TREE = (
    select(
        _TREE.c.id,
        col(Employee.nip),
        col(Employee.name),
        col(Employee.position),
        _TREE.c.depth,
        _TREE.c.supervisor_id,
        col(Employee.telegram_id).is_not(None).label("linked"),
    )
    .join(Employee, col(Employee.id) == _TREE.c.id)
    .order_by(_TREE.c.path)
)


async def team_tree(session: AsyncSession, supervisor_id: int) -> list[TeamMember]:
    """Active subordinates at any depth, depth-first (each before its subtree), siblings by name."""
    rows = await session.exec(_TEAM_TREE, params={"the_supervisor": supervisor_id})
    return [
        TeamMember(id_, nip, name, position, depth, boss, bool(linked))
        for id_, nip, name, position, depth, boss, linked in rows.all()
    ]


@dataclass(frozen=True)
class MemberActivity:
    """How one member has been reporting this week."""

    employee_id: int
    today_status: ReportStatus | None  # None: no report for today, or only a draft
    week_days_reported: int  # work dates this week with a submitted or approved report
    week_returned: int  # reports this week sent back for revision
    pending: int  # reports awaiting a decision, any date
    copy_paste: int  # reports this week repeating an earlier activity description verbatim


def _report_count(*conditions: ColumnElement[bool]) -> Any:
    """`(SELECT count(*) FROM daily_report WHERE employee_id = tree.id AND ...)`."""
    return (
        select(func.count())
        .select_from(DailyReport)
        .where(col(DailyReport.employee_id) == _TREE.c.id, *conditions)
        .scalar_subquery()
    )


def _copy_paste_count() -> Any:
    """Reports of the week with an activity described exactly as one of an earlier report.

    For each activity of the week, the member's activities with the same description digest
    are found through the (employee_id, description_hash) index, then confirmed by the full
    description and by their report's work date (through its primary key). Task texts repeat
    across employees, so the digest alone, not the description, must be paired with the
    employee. Empty descriptions (still being entered) have no digest and never match.
    """
    report = aliased(DailyReport, name="week_report")
    activity = aliased(Activity, name="week_activity")
    earlier = aliased(DailyReport, name="earlier_report")
    earlier_activity = aliased(Activity, name="earlier_activity")
    said_before = (
        exists()
        .where(
            earlier_activity.employee_id == report.employee_id,
            earlier_activity.description_hash == activity.description_hash,
            earlier_activity.description == activity.description,
            earlier.id == earlier_activity.report_id,
            earlier.work_date < report.work_date,
        )
        .correlate_except(earlier, earlier_activity)  # week_report is two levels up
    )
    repeated = exists().where(
        activity.report_id == report.id, activity.description_hash.is_not(None), said_before
    )
    return (
        select(func.count())
        .select_from(report)
        .where(
            report.employee_id == _TREE.c.id,
            report.work_date >= bindparam("the_week_start"),
            report.work_date <= bindparam("the_today"),
            repeated,
        )
        .scalar_subquery()
    )


_IN_WEEK = (
    col(DailyReport.work_date) >= bindparam("the_week_start"),
    col(DailyReport.work_date) <= bindparam("the_today"),
)
_TEAM_ACTIVITY = select(
    _TREE.c.id,
    select(col(DailyReport.status))
    .where(
        col(DailyReport.employee_id) == _TREE.c.id,
        col(DailyReport.work_date) == bindparam("the_today"),
        col(DailyReport.status).in_(VISIBLE_STATUSES),
    )
    .scalar_subquery(),
    _report_count(*_IN_WEEK, col(DailyReport.status).in_(COUNTED_STATUSES)),
    _report_count(*_IN_WEEK, col(DailyReport.status) == ReportStatus.RETURNED.value),
    _report_count(col(DailyReport.status) == ReportStatus.SUBMITTED.value),
    _copy_paste_count(),
).order_by(_TREE.c.path)


async def team_activity(
    session: AsyncSession, supervisor_id: int, today: date, week_start: date
) -> list[MemberActivity]:
    """One row per member of the tree (zeros when idle), in the order of team_tree."""
    params = {"the_supervisor": supervisor_id, "the_today": today, "the_week_start": week_start}
    rows = await session.exec(_TEAM_ACTIVITY, params=params)
    return [
        MemberActivity(
            id_,
            None if status is None else ReportStatus(status),
            days,
            returned,
            pending,
            copied,
        )
        for id_, status, days, returned, pending, copied in rows.all()
    ]


@dataclass(frozen=True)
class MemberAchievement:
    """One indicator of one member against its quarter target."""

    employee_id: int
    code: str
    title: str
    measure: str
    quarter_target: Decimal
    quarter_approved: Decimal
    quarter_pending: Decimal


# Sums per (member, indicator), driven from each member's reports of the quarter through
# the unique (employee_id, work_date) index, so the cost follows the quarter's reports and
# not the indicators' whole history. LEFT JOINs keep that order on SQLite, whose planner
# otherwise scans daily_report for a CTE it has no statistics about.
_QUARTER_SUMS = (
    select(
        col(DailyReport.employee_id).label("employee_id"),
        col(Activity.indicator_id).label("indicator_id"),
        quantity_sum(status_is(ReportStatus.APPROVED)).label("approved"),
        quantity_sum(status_is(ReportStatus.SUBMITTED)).label("pending"),
    )
    .select_from(
        _TREE.outerjoin(
            DailyReport,
            and_(
                col(DailyReport.employee_id) == _TREE.c.id,
                col(DailyReport.work_date) >= bindparam("the_quarter_start"),
                col(DailyReport.work_date) < bindparam("the_quarter_end"),
                col(DailyReport.status).in_(COUNTED_STATUSES),
            ),
        ).outerjoin(Activity, col(Activity.report_id) == col(DailyReport.id))
    )
    .group_by(col(DailyReport.employee_id), col(Activity.indicator_id))
    .cte("quarter_sums")
)
_TEAM_ACHIEVEMENT = (
    select(
        col(Indicator.employee_id),
        col(Indicator.code),
        col(Indicator.title),
        col(Indicator.measure),
        col(Indicator.target),
        col(Indicator.q1),
        col(Indicator.q2),
        col(Indicator.q3),
        col(Indicator.q4),
        _QUARTER_SUMS.c.approved,
        _QUARTER_SUMS.c.pending,
    )
    .select_from(
        _TREE.join(
            Indicator,
            and_(
                col(Indicator.employee_id) == _TREE.c.id,
                col(Indicator.year) == bindparam("the_year"),
            ),
        ).outerjoin(
            _QUARTER_SUMS,
            and_(
                _QUARTER_SUMS.c.indicator_id == col(Indicator.id),
                _QUARTER_SUMS.c.employee_id == col(Indicator.employee_id),
            ),
        )
    )
    .order_by(_TREE.c.path, col(Indicator.code))
)


async def team_achievement(
    session: AsyncSession, supervisor_id: int, year: int, quarter: int
) -> list[MemberAchievement]:
    """Every indicator of every member for `year`, in tree order then by code, with quarter sums.

    Same rules as storage.progress: approved = status approved, pending = submitted, NULL
    quantities ignored.
    """
    start, end = quarter_bounds(year, quarter)
    params = {
        "the_supervisor": supervisor_id,
        "the_year": year,
        "the_quarter_start": start,
        "the_quarter_end": end,
    }
    rows = await session.exec(_TEAM_ACHIEVEMENT, params=params)
    return [_to_achievement(row, quarter) for row in rows.all()]


def _to_achievement(row: Any, quarter: int) -> MemberAchievement:
    employee_id, code, title, measure, target, *quarters, approved, pending = row
    explicit = [None if value is None else to_decimal(value) for value in quarters]
    return MemberAchievement(
        employee_id=employee_id,
        code=code,
        title=title,
        measure=measure,
        quarter_target=quarter_target(to_decimal(target), explicit, quarter),
        quarter_approved=to_decimal(approved),
        quarter_pending=to_decimal(pending),
    )


# Joins the tree rather than the bare `members` recursion, though the order is not needed:
# PostgreSQL estimates the tree near its real size, so it walks the daily_report index per
# member instead of hashing a sequential scan of the whole table.
_DAILY_REPORT_COUNTS = (
    select(col(DailyReport.work_date), func.count())
    .join(_TREE, _TREE.c.id == col(DailyReport.employee_id))
    .where(
        col(DailyReport.work_date) >= bindparam("the_start"),
        col(DailyReport.work_date) < bindparam("the_end"),
        col(DailyReport.status).in_(COUNTED_STATUSES),
    )
    .group_by(col(DailyReport.work_date))
    .order_by(col(DailyReport.work_date))
)


async def daily_report_counts(
    session: AsyncSession, supervisor_id: int, start: date, end: date
) -> list[tuple[date, int]]:
    """Per work date in [start, end), how many members have a submitted or approved report."""
    params = {"the_supervisor": supervisor_id, "the_start": start, "the_end": end}
    rows = await session.exec(_DAILY_REPORT_COUNTS, params=params)
    return [(day, count) for day, count in rows.all()]
