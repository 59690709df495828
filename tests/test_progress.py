"""Progress aggregates: indicator sums by status and period, reported days, one statement."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import month_bounds, quarter_bounds, year_bounds
from storage.models import Activity, DailyReport, Indicator, ReportStatus
from storage.progress import IndicatorProgress, indicator_progress, reported_days
from tests.factories import Org, seed_org

D = Decimal
YEAR = 2026
ROTATION = (
    ReportStatus.APPROVED,
    ReportStatus.SUBMITTED,
    ReportStatus.DRAFT,
    ReportStatus.RETURNED,
)
LAST_ROTATED_DAY = date(YEAR, 6, 30)


@dataclass(frozen=True)
class PlannedActivity:
    indicator_id: int | None
    quantity: Decimal | None


@dataclass(frozen=True)
class PlannedReport:
    employee_id: int
    work_date: date
    status: ReportStatus
    activities: tuple[PlannedActivity, ...]


@dataclass(frozen=True)
class Seeded:
    org: Org
    indicators: dict[str, Indicator]  # the staff member's 2026 indicators by code
    reports: list[PlannedReport]


def weekdays(start: date, end: date) -> list[date]:
    """Every Monday-Friday in [start, end]."""
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    return [day for day in days if day.weekday() < 5]


def rotated_reports(employee_id: int, first: int, second: int) -> list[PlannedReport]:
    """A report every weekday of 2026 up to June 30, statuses rotating, varied quantities."""
    reports = []
    for index, day in enumerate(weekdays(date(YEAR, 1, 1), LAST_ROTATED_DAY)):
        activities = [
            PlannedActivity(first, D("1")),
            PlannedActivity(second, D("2.5") if index % 3 == 0 else D("0.75")),
            PlannedActivity(None, D("1")),  # additional task, no indicator
        ]
        if index % 5 == 0:
            activities.append(PlannedActivity(first, None))  # still being entered
        reports.append(PlannedReport(employee_id, day, ROTATION[index % 4], tuple(activities)))
    return reports


def indicator(
    employee_id: int,
    code: str,
    title: str,
    measure: str,
    target: Decimal,
    year: int = YEAR,
    **quarters: Decimal,
) -> Indicator:
    return Indicator(
        employee_id=employee_id,
        year=year,
        code=code,
        title=title,
        measure=measure,
        target=target,
        **quarters,
    )


async def add_indicators(session: AsyncSession, org: Org) -> dict[str, Indicator]:
    """Three 2026 indicators for the staff member (inserted out of code order) and decoys."""
    staff, head = org.staff.id, org.head.id
    assert staff is not None and head is not None
    quarters = {"q1": D("20"), "q2": D("30"), "q3": D("25"), "q4": D("25")}
    rows = {
        "IKU-03": indicator(staff, "IKU-03", "Sosialisasi", "kegiatan", D("3")),
        "IKU-01": indicator(staff, "IKU-01", "Usulan mutasi", "dokumen", D("100"), **quarters),
        "IKU-02": indicator(staff, "IKU-02", "Verifikasi berkas", "berkas", D("50")),
        "old": indicator(staff, "IKU-01", "Tahun lalu", "dokumen", D("80"), year=YEAR - 1),
        "head": indicator(head, "IKU-00", "Pembinaan", "kegiatan", D("12")),
    }
    session.add_all(rows.values())
    await session.flush()
    return rows


async def add_reports(session: AsyncSession, reports: list[PlannedReport]) -> None:
    """Insert the planned reports and their activities."""
    rows = [
        DailyReport(employee_id=r.employee_id, work_date=r.work_date, status=r.status)
        for r in reports
    ]
    session.add_all(rows)
    await session.flush()
    session.add_all(
        Activity(
            report_id=row.id,
            employee_id=row.employee_id,
            indicator_id=a.indicator_id,
            quantity=a.quantity,
            description="x",
        )
        for row, report in zip(rows, reports, strict=True)
        for a in report.activities
    )
    await session.flush()


@pytest.fixture
async def seeded(session: AsyncSession) -> Seeded:
    org = await seed_org(session)
    rows = await add_indicators(session, org)
    staff, head = org.staff.id, org.head.id
    assert staff is not None and head is not None
    first, second = rows["IKU-01"].id, rows["IKU-02"].id
    reports = [
        *rotated_reports(staff, first, second),
        PlannedReport(
            staff, date(YEAR, 12, 31), ReportStatus.SUBMITTED, (PlannedActivity(second, D("3")),)
        ),
        # The year before: neither the 2026 indicator nor last year's one counts in 2026.
        PlannedReport(
            staff,
            date(YEAR - 1, 12, 31),
            ReportStatus.APPROVED,
            (PlannedActivity(first, D("50")), PlannedActivity(rows["old"].id, D("7"))),
        ),
        # Another employee's report, even when it points at the staff member's indicator.
        PlannedReport(
            head,
            date(YEAR, 3, 2),
            ReportStatus.APPROVED,
            (PlannedActivity(first, D("100")), PlannedActivity(rows["head"].id, D("4"))),
        ),
    ]
    await add_reports(session, reports)
    await session.commit()
    staff_rows = {code: row for code, row in rows.items() if code.startswith("IKU")}
    return Seeded(org, staff_rows, reports)


def python_sum(
    reports: list[PlannedReport],
    employee_id: int,
    indicator_id: int,
    status: ReportStatus,
    bounds: tuple[date, date],
) -> Decimal:
    """The reference: sum the planned quantities by looking at every activity."""
    start, end = bounds
    return sum(
        (
            activity.quantity
            for report in reports
            if report.employee_id == employee_id
            and report.status == status
            and start <= report.work_date < end
            for activity in report.activities
            if activity.indicator_id == indicator_id and activity.quantity is not None
        ),
        D("0"),
    )


def python_progress(seeded: Seeded, quarter: int) -> list[IndicatorProgress]:
    """The expected result, computed without SQL."""
    staff = seeded.org.staff.id
    assert staff is not None
    expected = []
    for code in sorted(seeded.indicators):
        row = seeded.indicators[code]
        assert row.id is not None
        quarters = (row.q1, row.q2, row.q3, row.q4)
        explicit = quarters[quarter - 1]
        target_q = explicit if explicit is not None else row.target / 4

        def total(status: ReportStatus, bounds: tuple[date, date], row: Indicator = row) -> Decimal:
            assert staff is not None and row.id is not None
            return python_sum(seeded.reports, staff, row.id, status, bounds)

        year, period = year_bounds(YEAR), quarter_bounds(YEAR, quarter)
        expected.append(
            IndicatorProgress(
                indicator_id=row.id,
                code=row.code,
                title=row.title,
                measure=row.measure,
                year_target=row.target,
                quarter_target=target_q,
                year_approved=total(ReportStatus.APPROVED, year),
                year_pending=total(ReportStatus.SUBMITTED, year),
                quarter_approved=total(ReportStatus.APPROVED, period),
                quarter_pending=total(ReportStatus.SUBMITTED, period),
            )
        )
    return expected


def decimal_values(item: IndicatorProgress) -> list[Any]:
    return [
        getattr(item, f.name)
        for f in fields(item)
        if f.name.endswith(("target", "approved", "pending"))
    ]


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
async def test_indicator_progress_matches_a_python_reference(
    session: AsyncSession, seeded: Seeded, quarter: int
) -> None:
    staff = seeded.org.staff.id
    assert staff is not None
    result = await indicator_progress(session, staff, YEAR, quarter)
    assert result == python_progress(seeded, quarter)
    for item in result:
        for value in decimal_values(item):
            assert isinstance(value, Decimal)
            assert value.as_tuple().exponent == -2, (item.code, value)


def figures(item: IndicatorProgress) -> tuple[str, ...]:
    """Targets and sums as strings, so both value and scale are compared."""
    return (item.code, *(str(value) for value in decimal_values(item)))


async def test_indicator_progress_hand_computed(session: AsyncSession, seeded: Seeded) -> None:
    """Q1 has 64 weekdays (16 per status), Q2 has 65 (17 approved); see `rotated_reports`."""
    staff = seeded.org.staff.id
    assert staff is not None
    # code, year target, quarter target, year approved, year pending, quarter approved, pending
    q1 = await indicator_progress(session, staff, YEAR, 1)
    assert [figures(item) for item in q1] == [
        ("IKU-01", "100.00", "20.00", "33.00", "32.00", "16.00", "16.00"),
        ("IKU-02", "50.00", "12.50", "44.00", "44.50", "22.50", "20.75"),
        ("IKU-03", "3.00", "0.75", "0.00", "0.00", "0.00", "0.00"),
    ]
    q2 = await indicator_progress(session, staff, YEAR, 2)
    assert [figures(item) for item in q2] == [
        ("IKU-01", "100.00", "30.00", "33.00", "32.00", "17.00", "16.00"),
        ("IKU-02", "50.00", "12.50", "44.00", "44.50", "21.50", "20.75"),
        ("IKU-03", "3.00", "0.75", "0.00", "0.00", "0.00", "0.00"),
    ]
    q4 = await indicator_progress(session, staff, YEAR, 4)
    assert [figures(item)[-2:] for item in q4] == [
        ("0.00", "0.00"),
        ("0.00", "3.00"),
        ("0.00", "0.00"),
    ]
    assert [item.title for item in q4] == ["Usulan mutasi", "Verifikasi berkas", "Sosialisasi"]
    assert [item.measure for item in q4] == ["dokumen", "berkas", "kegiatan"]
    assert [item.indicator_id for item in q4] == [
        seeded.indicators[c].id for c in sorted(seeded.indicators)
    ]


async def test_indicator_progress_other_years_and_people(
    session: AsyncSession, seeded: Seeded
) -> None:
    staff, head = seeded.org.staff.id, seeded.org.head.id
    assert staff is not None and head is not None
    [old] = await indicator_progress(session, staff, YEAR - 1, 4)
    assert figures(old) == ("IKU-01", "80.00", "20.00", "7.00", "0.00", "7.00", "0.00")
    [own] = await indicator_progress(session, head, YEAR, 1)
    assert figures(own) == ("IKU-00", "12.00", "3.00", "4.00", "0.00", "4.00", "0.00")
    assert await indicator_progress(session, staff, YEAR + 1, 1) == []
    admin = seeded.org.admin.id
    assert admin is not None
    assert await indicator_progress(session, admin, YEAR, 1) == []


async def test_indicator_progress_issues_one_statement(
    session: AsyncSession, engine: AsyncEngine, seeded: Seeded
) -> None:
    staff = seeded.org.staff.id
    assert staff is not None
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    await session.connection()  # begin first: SQLite's BEGIN IMMEDIATE is a statement too
    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        result = await indicator_progress(session, staff, YEAR, 2)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert len(result) == 3
    assert len(statements) == 1, statements
    assert "LEFT OUTER JOIN" in statements[0]


def python_reported_days(seeded: Seeded, employee_id: int, start: date, end: date) -> int:
    counted = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)
    return len(
        {
            report.work_date
            for report in seeded.reports
            if report.employee_id == employee_id
            and report.status in counted
            and start <= report.work_date < end
        }
    )


@pytest.mark.parametrize(
    ("who", "start", "end", "expected"),
    [
        ("staff", *month_bounds(date(YEAR, 2, 10)), 10),
        ("staff", *month_bounds(date(YEAR, 3, 31)), 10),
        ("staff", *month_bounds(date(YEAR, 7, 1)), 0),
        ("staff", *month_bounds(date(YEAR, 12, 1)), 1),
        ("staff", *year_bounds(YEAR), 66),
        ("staff", date(YEAR, 1, 1), date(YEAR, 12, 31), 65),  # the end is excluded
        ("staff", date(YEAR, 1, 1), date(YEAR, 1, 2), 1),  # Jan 1: approved
        ("staff", date(YEAR, 1, 5), date(YEAR, 1, 7), 0),  # Jan 5, 6: draft, returned
        ("staff", *year_bounds(YEAR - 1), 1),
        ("head", *month_bounds(date(YEAR, 3, 2)), 1),
        ("admin", *year_bounds(YEAR), 0),
    ],
)
async def test_reported_days(
    session: AsyncSession, seeded: Seeded, who: str, start: date, end: date, expected: int
) -> None:
    employee_id = getattr(seeded.org, who).id
    assert await reported_days(session, employee_id, start, end) == expected
    assert python_reported_days(seeded, employee_id, start, end) == expected
