"""Seed data for tests: a small organisation and invite codes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.invites import issue_invites
from storage.models import Activity, DailyReport, Employee, Indicator, ReportStatus, Unit
from storage.types import utcnow

HEAD_NIP = "197001012000031001"
STAFF_NIP = "199002022015042002"
ADMIN_NIP = "198503032010011003"


@dataclass
class Org:
    province: Unit
    division: Unit
    head: Employee
    staff: Employee
    admin: Employee


async def seed_org(session: AsyncSession) -> Org:
    """A BKD with one division: its head supervises a staff member; an admin sits in the BKD."""
    province = Unit(code="BKD", name="Badan Kepegawaian Daerah", timezone="Asia/Makassar")
    session.add(province)
    await session.flush()
    division = Unit(
        code="BKD-MUT", name="Bidang Mutasi", timezone="Asia/Makassar", parent_id=province.id
    )
    session.add(division)
    await session.flush()
    head = Employee(
        nip=HEAD_NIP, name="Siti Rahmawati", position="Kepala Bidang Mutasi", unit_id=division.id
    )
    admin = Employee(
        nip=ADMIN_NIP,
        name="Andi Pratama",
        position="Pranata Komputer",
        unit_id=province.id,
        is_admin=True,
    )
    session.add_all([head, admin])
    await session.flush()
    staff = Employee(
        nip=STAFF_NIP,
        name="Budi <Santoso>",
        position="Analis Kepegawaian",
        unit_id=division.id,
        supervisor_id=head.id,
    )
    session.add(staff)
    await session.commit()
    return Org(province, division, head, staff, admin)


async def invite_codes(
    session: AsyncSession, *, now: datetime | None = None, ttl: timedelta = timedelta(days=14)
) -> dict[str, str]:
    """Fresh invite codes for every unlinked employee, by NIP."""
    issued = await issue_invites(session, now=now or utcnow(), ttl=ttl)
    await session.commit()
    return {item.nip: item.code for item in issued}


async def link(
    session: AsyncSession, employee: Employee, telegram_id: int, language: str | None = None
) -> None:
    """Link an employee's Telegram account as onboarding would."""
    employee.telegram_id = telegram_id
    employee.language = language
    session.add(employee)
    await session.commit()


async def add_indicator(
    session: AsyncSession,
    employee: Employee,
    code: str,
    title: str,
    measure: str,
    target: str,
    year: int = 2026,
    **quarters: str,
) -> Indicator:
    """An indicator of `employee`; quarters as q1=..., q4=...."""
    indicator = Indicator(
        employee_id=employee.id,
        year=year,
        code=code,
        title=title,
        measure=measure,
        target=Decimal(target),
        **{key: Decimal(value) for key, value in quarters.items()},
    )
    session.add(indicator)
    await session.commit()
    return indicator


def fixed_clock(moment: datetime) -> Callable[[], datetime]:
    """A clock stopped at `moment` (aware UTC)."""
    return lambda: moment


async def add_report(
    session: AsyncSession,
    employee: Employee,
    day: date,
    status: ReportStatus,
    activities: list[tuple[Indicator | None, str]],
) -> DailyReport:
    """A report with activities given as (indicator or None, quantity)."""
    submitted_at = None
    if status != ReportStatus.DRAFT:  # 09:00 WITA on the work date
        submitted_at = datetime.combine(day, time(1, 0), tzinfo=UTC)
    report = DailyReport(
        employee_id=employee.id, work_date=day, status=status, submitted_at=submitted_at
    )
    session.add(report)
    await session.flush()
    session.add_all(
        Activity(
            report_id=report.id,
            employee_id=employee.id,
            indicator_id=indicator.id if indicator else None,
            description=f"Kegiatan {day.isoformat()}",
            quantity=Decimal(quantity),
        )
        for indicator, quantity in activities
    )
    await session.commit()
    return report


async def seed_people(session: AsyncSession, count: int, first_chat: int) -> list[Employee]:
    """`count` linked employees in one unit, with chat ids from `first_chat` on."""
    unit = Unit(code=f"U{first_chat}", name=f"Unit {first_chat}")
    session.add(unit)
    await session.flush()
    people = [
        Employee(nip=f"{n:018d}", name=f"Pegawai {n}", unit_id=unit.id, telegram_id=first_chat + n)
        for n in range(count)
    ]
    session.add_all(people)
    await session.commit()
    return people
