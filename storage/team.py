"""Team aggregates for a supervisor: the subordinate tree a page at a time, achievement, chart.

A recursive CTE over `employee.supervisor_id` finds the team and the database does the
counting. The team-wide figures cover the whole tree; the per-member detail only the page
shown, cut from the tree with ORDER BY path LIMIT/OFFSET. Every function runs ONE statement
whatever the team size. The statements are built once with bind parameters (see storage.sql):
:the_supervisor, :the_today, :the_week_start, :the_page, :the_size, :the_members, :the_year,
:the_quarter_start, :the_quarter_end, :the_start, :the_end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    Integer,
    Text,
    and_,
    bindparam,
    case,
    cast,
    exists,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
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
# A member's path is their supervisors' segments then their own: name, "\x01", id + 10^10.
# Sorting paths byte by byte lists every member right before their own subtree and siblings
# by name then id: "\x01" sorts before any character of a name, and the fixed-width id
# decides between equal names, so no segment is a prefix of a sibling's.
_NAME_END = "\x01"
_ID_BASE = 10_000_000_000
_LAST_PAGE = 2**31 - 1  # a forged larger page fits no PostgreSQL integer: cut it to this first
VISIBLE_STATUSES = (
    ReportStatus.SUBMITTED.value,
    ReportStatus.APPROVED.value,
    ReportStatus.RETURNED.value,
)


def monday_of(day: date) -> date:
    """The Monday of the week `day` falls in."""
    return day - timedelta(days=day.weekday())


class _ByteOrder(FunctionElement[str]):
    """Text compared byte by byte: the database's collation could ignore "\x01"."""

    inherit_cache = True
    type = Text()


@compiles(_ByteOrder)
def _byte_order_sqlite(element: _ByteOrder, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.clauses, **kw)} COLLATE BINARY"


@compiles(_ByteOrder, "postgresql")
def _byte_order_postgresql(element: _ByteOrder, compiler: SQLCompiler, **kw: Any) -> str:
    return f'{compiler.process(element.clauses, **kw)} COLLATE "C"'


def _segment(employee: Any) -> ColumnElement[str]:
    """`name || '\x01' || (id + 10^10)` as text."""
    number = cast(employee.id, BigInteger) + _ID_BASE
    return cast(employee.name + _NAME_END + cast(number, Text), Text)


def _members() -> CTE:
    """`members(id, supervisor_id, depth, path)`: active subordinates of :the_supervisor.

    Any depth; an active employee under an inactive one is left out with them. The
    supervisor is never their own member: every supervisor_id cycle reachable from them
    passes through them.
    """
    supervisor = bindparam("the_supervisor")
    members = (
        select(
            col(Employee.id),
            col(Employee.supervisor_id),
            literal(1).label("depth"),
            _segment(Employee).label("path"),
        )
        .where(
            col(Employee.supervisor_id) == supervisor,
            col(Employee.id) != supervisor,
            col(Employee.is_active),
        )
        .cte("members", recursive=True)
    )
    below = aliased(Employee, name="below")
    return members.union_all(
        select(
            below.id,
            below.supervisor_id,
            members.c.depth + 1,
            members.c.path + _segment(below),
        ).where(
            below.supervisor_id == members.c.id,
            below.id != supervisor,
            below.is_active,
            members.c.depth.between(1, MAX_DEPTH - 1),
        )
    )


_MEMBERS = _members()
_TREE_ORDER = _ByteOrder(_MEMBERS.c.path)


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


_MEMBER_COLUMNS = (
    col(Employee.nip),
    col(Employee.name),
    col(Employee.position),
    col(Employee.telegram_id).is_not(None).label("linked"),
)
_TEAM_TREE = (
    select(_MEMBERS.c.id, _MEMBERS.c.depth, _MEMBERS.c.supervisor_id, *_MEMBER_COLUMNS)
    .join(Employee, col(Employee.id) == _MEMBERS.c.id)
    .order_by(_TREE_ORDER)
)


def _to_member(
    id_: int, depth: int, boss: int, nip: str, name: str, position: str, linked: Any
) -> TeamMember:
    return TeamMember(id_, nip, name, position, depth, boss, bool(linked))


async def team_tree(session: AsyncSession, supervisor_id: int) -> list[TeamMember]:
    """Active subordinates at any depth, depth-first (each before its subtree), siblings by name."""
    rows = await session.exec(_TEAM_TREE, params={"the_supervisor": supervisor_id})
    return [_to_member(*row) for row in rows.all()]


@dataclass(frozen=True)
class MemberActivity:
    """How one member has been reporting this week."""

    employee_id: int
    today_status: ReportStatus | None  # None: no report for today, or only a draft
    week_days_reported: int  # work dates this week with a submitted or approved report
    week_returned: int  # reports this week sent back for revision
    pending: int  # reports awaiting a decision, any date
    copy_paste: int  # reports this week repeating an earlier activity description verbatim


@dataclass(frozen=True)
class TeamTotals:
    """The whole tree today and this week."""

    members: int
    reported_today: int  # members with a submitted, approved or returned report for today
    pending: int  # reports awaiting a decision, any date
    returned_this_week: int


@dataclass(frozen=True)
class TeamPage:
    """One page of the tree, with each shown member's week, and the whole tree's totals."""

    totals: TeamTotals
    page: int  # 1-based, within 1..pages
    pages: int
    first: int  # the tree position of the first member shown, 0-based
    members: list[tuple[TeamMember, MemberActivity]]


_IN_WEEK = (
    col(DailyReport.work_date) >= bindparam("the_week_start"),
    col(DailyReport.work_date) <= bindparam("the_today"),
)
_TODAY_VISIBLE = (
    col(DailyReport.work_date) == bindparam("the_today"),
    col(DailyReport.status).in_(VISIBLE_STATUSES),
)
_PENDING = (col(DailyReport.status) == ReportStatus.SUBMITTED.value,)
_RETURNED_THIS_WEEK = (*_IN_WEEK, col(DailyReport.status) == ReportStatus.RETURNED.value)


def _report_count(owner: ColumnElement[int], *conditions: ColumnElement[bool]) -> Any:
    """`(SELECT count(*) FROM daily_report WHERE employee_id = owner AND ...)`."""
    return (
        select(func.count())
        .select_from(DailyReport)
        .where(col(DailyReport.employee_id) == owner, *conditions)
        .scalar_subquery()
    )


def _copy_paste_count(owner: ColumnElement[int]) -> Any:
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
            report.employee_id == owner,
            report.work_date >= bindparam("the_week_start"),
            report.work_date <= bindparam("the_today"),
            repeated,
        )
        .scalar_subquery()
    )


def _team_page() -> Any:
    """Totals over `members`, then the page's members with their week, in tree order.

    Today's and this week's totals come from one join of the members with their reports of
    the week (a range of the (employee_id, work_date, status) index, read without the table),
    pending reports of any date from a join through the (status, employee_id) index. The
    requested page is clamped to the last one in SQL (`first`), so a stale or forged page
    still shows members and totals. The per-member subqueries run only for the page's rows.
    """
    size = bindparam("the_size", type_=Integer)
    asked = bindparam("the_page", type_=Integer)
    counted = func.count()
    pages = (counted + size - 1) // size
    shown = case((asked < pages, asked), else_=pages)
    sizes = (
        select(
            counted.label("members"),
            case((shown > 0, (shown - 1) * size), else_=0).label("first"),
        )
        .select_from(_MEMBERS)
        .cte("sizes")
    )
    pending = (
        select(counted.label("pending"))
        .select_from(_MEMBERS)
        .join(DailyReport, and_(col(DailyReport.employee_id) == _MEMBERS.c.id, *_PENDING))
        .cte("pending")
    )

    def tally(*conditions: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0)

    week = (
        select(
            tally(*_TODAY_VISIBLE).label("reported"),
            tally(col(DailyReport.status) == ReportStatus.RETURNED.value).label("returned"),
        )
        .select_from(_MEMBERS)
        .join(DailyReport, and_(col(DailyReport.employee_id) == _MEMBERS.c.id, *_IN_WEEK))
        .cte("week")
    )
    page = (
        select(_MEMBERS.c.id, _MEMBERS.c.supervisor_id, _MEMBERS.c.depth, _MEMBERS.c.path)
        .order_by(_TREE_ORDER)
        .limit(size)
        .offset(select(sizes.c.first).scalar_subquery())
        .cte("page")
    )
    today_status = (
        select(col(DailyReport.status))
        .where(col(DailyReport.employee_id) == page.c.id, *_TODAY_VISIBLE)
        .scalar_subquery()
    )
    return (
        select(
            sizes.c.members,
            week.c.reported,
            pending.c.pending,
            week.c.returned,
            sizes.c.first,
            page.c.id,
            page.c.depth,
            page.c.supervisor_id,
            *_MEMBER_COLUMNS,
            today_status,
            _report_count(page.c.id, *_IN_WEEK, col(DailyReport.status).in_(COUNTED_STATUSES)),
            _report_count(page.c.id, *_RETURNED_THIS_WEEK),
            _report_count(page.c.id, *_PENDING),
            _copy_paste_count(page.c.id),
        )
        .select_from(page)
        .join(Employee, col(Employee.id) == page.c.id)
        .join(sizes, true())
        .join(pending, true())
        .join(week, true())
        .order_by(_ByteOrder(page.c.path))
    )


_TEAM_PAGE = _team_page()


async def team_page(
    session: AsyncSession, supervisor_id: int, today: date, page: int, size: int
) -> TeamPage | None:
    """Page `page` (clamped to 1..pages) of `size` members in the order of team_tree.

    None when nobody reports to the supervisor.
    """
    params = {
        "the_supervisor": supervisor_id,
        "the_today": today,
        "the_week_start": monday_of(today),
        "the_page": min(max(page, 1), _LAST_PAGE),
        "the_size": size,
    }
    rows = (await session.exec(_TEAM_PAGE, params=params)).all()
    if not rows:
        return None
    members, reported, pending, returned, first = (int(value) for value in rows[0][:5])
    return TeamPage(  # PostgreSQL sums counts as numeric, hence int()
        totals=TeamTotals(members, reported, pending, returned),
        page=first // size + 1,
        pages=-(-members // size),
        first=first,
        members=[_to_page_member(*row[5:]) for row in rows],
    )


def _to_page_member(
    id_: int,
    depth: int,
    boss: int,
    nip: str,
    name: str,
    position: str,
    linked: Any,
    status: str | None,
    days: int,
    returned: int,
    pending: int,
    copied: int,
) -> tuple[TeamMember, MemberActivity]:
    today_status = None if status is None else ReportStatus(status)
    return (
        _to_member(id_, depth, boss, nip, name, position, linked),
        MemberActivity(id_, today_status, days, returned, pending, copied),
    )


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


_SOME_MEMBERS = col(Indicator.employee_id).in_(bindparam("the_members", expanding=True))
# Sums per (member, indicator), driven from each member's reports of the quarter through
# the unique (employee_id, work_date) index, so the cost follows the quarter's reports and
# not the member's whole history. The status is left to the sums (drafts and returned
# reports add nothing): a status condition in the join would tempt SQLite into the
# (status, employee_id) index, which walks every report the member ever wrote.
_QUARTER_SUMS = (
    select(
        col(Indicator.id).label("indicator_id"),
        quantity_sum(status_is(ReportStatus.APPROVED)).label("approved"),
        quantity_sum(status_is(ReportStatus.SUBMITTED)).label("pending"),
    )
    .select_from(Indicator)
    .join(
        DailyReport,
        and_(
            col(DailyReport.employee_id) == col(Indicator.employee_id),
            col(DailyReport.work_date) >= bindparam("the_quarter_start"),
            col(DailyReport.work_date) < bindparam("the_quarter_end"),
        ),
    )
    .join(
        Activity,
        and_(
            col(Activity.report_id) == col(DailyReport.id),
            col(Activity.indicator_id) == col(Indicator.id),
        ),
    )
    .where(_SOME_MEMBERS, col(Indicator.year) == bindparam("the_year"))
    .group_by(col(Indicator.id))
    .cte("quarter_sums")
)
_ACHIEVEMENT = (
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
    .outerjoin(_QUARTER_SUMS, _QUARTER_SUMS.c.indicator_id == col(Indicator.id))
    .where(_SOME_MEMBERS, col(Indicator.year) == bindparam("the_year"))
    .order_by(col(Indicator.employee_id), col(Indicator.code))
)


async def member_achievement(
    session: AsyncSession, employee_ids: Sequence[int], year: int, quarter: int
) -> list[MemberAchievement]:
    """Every indicator of these employees for `year`, by employee then code, with quarter sums.

    Same rules as storage.progress: approved = status approved, pending = submitted, NULL
    quantities ignored.
    """
    start, end = quarter_bounds(year, quarter)
    params = {
        "the_members": list(employee_ids),
        "the_year": year,
        "the_quarter_start": start,
        "the_quarter_end": end,
    }
    rows = await session.exec(_ACHIEVEMENT, params=params)
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


# Counted in the CASE, not filtered in WHERE, for the index's sake as in _QUARTER_SUMS.
_COUNTED = func.count(case((col(DailyReport.status).in_(COUNTED_STATUSES), 1)))
_DAILY_REPORT_COUNTS = (
    select(col(DailyReport.work_date), _COUNTED)
    .where(
        col(DailyReport.employee_id).in_(bindparam("the_members", expanding=True)),
        col(DailyReport.work_date) >= bindparam("the_start"),
        col(DailyReport.work_date) < bindparam("the_end"),
    )
    .group_by(col(DailyReport.work_date))
    .having(_COUNTED > 0)
    .order_by(col(DailyReport.work_date))
)


async def daily_report_counts(
    session: AsyncSession, employee_ids: Sequence[int], start: date, end: date
) -> list[tuple[date, int]]:
    """Per work date in [start, end), how many of these employees have a counted report."""
    params = {"the_members": list(employee_ids), "the_start": start, "the_end": end}
    rows = await session.exec(_DAILY_REPORT_COUNTS, params=params)
    return [(day, count) for day, count in rows.all()]
