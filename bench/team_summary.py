"""Latency of the supervisor views (/tim, /persetujuan) and /progres on a 10,000-person unit.

Seeds with bulk Core inserts: 1 head -> 20 division heads -> 5 section heads each -> ~99
staff each (10,000 people), 2-3 indicators each, and 30 working days of reports ending at a
fixed "today" (mostly approved; some submitted, returned, draft or missing; 1-3 activities).
/tim is built as the bot builds it (handlers.team.team_view: database work and the message
text, in Indonesian) at its first page and at a later one.

    .venv/bin/python bench/team_summary.py [--runs 50] [--database-url URL [--jit-off]]

Prints p50/p95 in ms of each view (goal: p95 under 50 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import bindparam, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import month_bounds, quarter_of
from bot.i18n import build_i18n
from handlers.team import PAGE_SIZE, team_view
from storage.db import SessionMaker, is_sqlite, make_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models import (
    Activity,
    DailyReport,
    Employee,
    Indicator,
    ReportStatus,
    Unit,
    description_digest,
)
from storage.progress import indicator_progress, reported_days

TODAY = date(2026, 5, 14)  # a Thursday in Q2
WORK_DAYS = 30
DIVISIONS = 20
SECTIONS_PER_DIVISION = 5
EMPLOYEES = 10_000
CHUNK = 10_000
FIRST_NAMES = "Agus Budi Citra Dewi Eko Fajar Gita Hendra Indah Joko Kartika Lina Made Nur Oki"
LAST_NAMES = "Santoso Wijaya Lestari Prasetyo Nugroho Permata Sari Susilo Hidayat Saputra Utami"
TASKS = (
    "Verifikasi berkas mutasi",
    "Rapat koordinasi",
    "Input data SIASN",
    "Menyusun laporan bulanan",
    "Pelayanan konsultasi kepegawaian",
    "Telaah staf",
    "Arsip digital",
)
S = ReportStatus


@dataclass(frozen=True)
class Org:
    head: int
    division_head: int
    section_head: int
    staff: int


def working_days_until(today: date, count: int) -> list[date]:
    """The last `count` Mondays-Fridays up to and including `today`, oldest first."""
    days: list[date] = []
    day = today
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return days[::-1]


def people(rng: random.Random) -> tuple[list[dict[str, Any]], Org]:
    """Employee rows with explicit ids: the head, division heads, section heads, staff."""
    firsts, lasts = FIRST_NAMES.split(), LAST_NAMES.split()
    rows: list[dict[str, Any]] = []

    def add(supervisor_id: int | None, position: str) -> int:
        id_ = len(rows) + 1
        rows.append(
            {
                "id": id_,
                "unit_id": 1,
                "nip": f"{198000000000000000 + id_}",
                "name": f"{rng.choice(firsts)} {rng.choice(lasts)} {id_}",
                "position": position,
                "supervisor_id": supervisor_id,
                "telegram_id": 500_000 + id_ if rng.random() < 0.9 else None,
                "is_admin": False,
                "is_active": rng.random() > 0.01,
                "language": "id",
            }
        )
        return id_

    head = add(None, "Kepala Badan")
    sections: list[int] = []
    divisions = [add(head, "Kepala Bidang") for _ in range(DIVISIONS)]
    for division in divisions:
        sections += [add(division, "Kepala Subbidang") for _ in range(SECTIONS_PER_DIVISION)]
    staff_count = EMPLOYEES - len(rows)
    for n in range(staff_count):
        add(sections[n * len(sections) // staff_count], "Analis")
    for row in rows[: 1 + DIVISIONS + len(sections)]:
        row["is_active"] = True
    section = sections[37]
    staff = next(row["id"] for row in rows if row["supervisor_id"] == section)
    return rows, Org(head, divisions[7], section, staff)


def indicators(rng: random.Random, employees: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """2-3 indicators per employee for the year; some with explicit quarter targets."""
    rows = []
    for employee in employees:
        for number in range(1, rng.choice((2, 3, 3)) + 1):
            target = Decimal(rng.choice((12, 24, 48, 120, 240)))
            explicit = rng.random() < 0.3
            rows.append(
                {
                    "id": len(rows) + 1,
                    "employee_id": employee["id"],
                    "year": TODAY.year,
                    "code": f"IKU-{number:02d}",
                    "title": f"Indikator kinerja {number} pegawai {employee['id']}",
                    "measure": rng.choice(("dokumen", "berkas", "kegiatan", "orang")),
                    "target": target,
                    **{f"q{q}": (target / 4 + q) if explicit else None for q in range(1, 5)},
                    "parent_id": None,
                }
            )
    return rows


def report_status(rng: random.Random, day: date) -> ReportStatus | None:
    """Mostly approved; today's reports are still being written or waiting."""
    roll = rng.random()
    if day == TODAY:
        return None if roll < 0.3 else S.DRAFT if roll < 0.45 else S.SUBMITTED
    if roll < 0.05:
        return None
    if roll < 0.08:
        return S.DRAFT
    if roll < 0.11:
        return S.RETURNED
    if roll < 0.16:
        return S.SUBMITTED
    return S.APPROVED


def reports(
    rng: random.Random, employees: list[dict[str, Any]], indicator_rows: list[dict[str, Any]]
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(report, activities) for every employee and working day, ids assigned in order."""
    owned: dict[int, list[int]] = {}
    for row in indicator_rows:
        owned.setdefault(row["employee_id"], []).append(row["id"])
    report_id = activity_id = 0
    for employee in employees:
        for day in working_days_until(TODAY, WORK_DAYS):
            status = report_status(rng, day)
            if status is None:
                continue
            report_id += 1
            stamp = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
            report = {
                "id": report_id,
                "employee_id": employee["id"],
                "work_date": day,
                "status": status.value,
                "created_at": stamp,
                "updated_at": stamp,
                "submitted_at": None if status == S.DRAFT else stamp,
                "decided_at": stamp if status in (S.APPROVED, S.RETURNED) else None,
                "decided_by_id": employee["supervisor_id"],
                "return_reason": "Lengkapi bukti" if status == S.RETURNED else None,
            }
            activities = []
            for _ in range(rng.randint(1, 3)):
                activity_id += 1
                description = f"{rng.choice(TASKS)} {rng.randint(1, 40)}"
                activities.append(
                    {
                        "id": activity_id,
                        "report_id": report_id,
                        "employee_id": employee["id"],
                        "indicator_id": rng.choice([*owned[employee["id"]], None]),
                        "description": description,
                        "description_hash": description_digest(description),
                        "quantity": Decimal(rng.randint(1, 6)) / 2,
                        "created_at": stamp,
                    }
                )
            yield report, activities


async def insert_chunks(
    connection: AsyncConnection, table: Any, rows: list[dict[str, Any]]
) -> None:
    """Executemany in chunks of CHUNK rows."""
    for start in range(0, len(rows), CHUNK):
        await connection.execute(insert(table), rows[start : start + CHUNK])


async def reset_schema(engine: AsyncEngine, url: str) -> None:
    if not is_sqlite(url):
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await upgrade(engine)


async def seed(engine: AsyncEngine, url: str) -> tuple[Org, dict[str, int]]:
    """The whole unit with bulk inserts; the org's landmarks and row counts."""
    await reset_schema(engine, url)
    rng = random.Random(20260514)
    employees, org = people(rng)
    indicator_rows = indicators(rng, employees)
    report_rows: list[dict[str, Any]] = []
    activity_rows: list[dict[str, Any]] = []
    for report, activities in reports(rng, employees, indicator_rows):
        report_rows.append(report)
        activity_rows += activities
    async with engine.begin() as connection:
        unit = {"id": 1, "code": "BKPSDM", "name": "BKPSDM", "timezone": "Asia/Makassar"}
        await connection.execute(insert(Unit.__table__), [{**unit, "parent_id": None}])
        await insert_chunks(connection, Employee.__table__, employees)
        await insert_chunks(connection, Indicator.__table__, indicator_rows)
        await insert_chunks(connection, DailyReport.__table__, report_rows)
        await insert_chunks(connection, Activity.__table__, activity_rows)
    if not is_sqlite(url):
        await analyze_postgresql(engine)
    counts = {
        "employees": len(employees),
        "indicators": len(indicator_rows),
        "reports": len(report_rows),
        "activities": len(activity_rows),
    }
    return org, counts


async def analyze_postgresql(engine: AsyncEngine) -> None:
    """Move the id sequences past the explicit ids; VACUUM ANALYZE as autovacuum would."""
    async with engine.connect() as connection:
        auto = await connection.execution_options(isolation_level="AUTOCOMMIT")
        for table in ("unit", "employee", "indicator", "daily_report", "activity"):
            await auto.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                )
            )
        await auto.execute(text("VACUUM ANALYZE"))


View = Callable[[AsyncSession, int], Awaitable[str]]


# /persetujuan, to move to the app later: pending reports of direct subordinates.
_PENDING_OF_DIRECT_STAFF = (
    col(Employee.supervisor_id) == bindparam("the_supervisor"),
    col(Employee.is_active),
    col(DailyReport.status) == ReportStatus.SUBMITTED.value,
)
PENDING_PAGE = (
    select(DailyReport.id, DailyReport.work_date, Employee.name)
    .join(Employee, col(Employee.id) == DailyReport.employee_id)
    .where(*_PENDING_OF_DIRECT_STAFF)
    .order_by(col(DailyReport.work_date), col(DailyReport.id))
    .limit(10)
)
PENDING_COUNT = (
    select(func.count())
    .select_from(DailyReport)
    .join(Employee, col(Employee.id) == DailyReport.employee_id)
    .where(*_PENDING_OF_DIRECT_STAFF)
)


def team_view_at(page: int) -> View:
    """/tim at `page`: the whole team's figures and that page's members, as sent."""

    async def build(session: AsyncSession, supervisor_id: int) -> str:
        view = await team_view(session, supervisor_id, TODAY, page, "id")
        assert view is not None
        return f"page {page}"

    return build


async def build_approval_view(session: AsyncSession, supervisor_id: int) -> str:
    """/persetujuan: the 10 oldest pending reports with names, and how many there are."""
    params = {"the_supervisor": supervisor_id}
    page = (await session.exec(PENDING_PAGE, params=params)).all()
    total = (await session.exec(PENDING_COUNT, params=params)).one()
    assert len(page) <= total
    return f"{total} pending"


async def build_progress_view(session: AsyncSession, employee_id: int) -> str:
    """/progres: indicator sums for the quarter and year, days reported this month."""
    items = await indicator_progress(session, employee_id, TODAY.year, quarter_of(TODAY))
    month_start, _end = month_bounds(TODAY)
    await reported_days(session, employee_id, month_start, TODAY + timedelta(days=1))
    return f"{len(items)} indicators"


async def measure(
    sessionmaker: SessionMaker, view: View, who: int, runs: int
) -> tuple[str, list[float]]:
    """Run the view `runs` times, one session each as the bot does; (its size, ms per run)."""
    async with sessionmaker() as session:
        size = await view(session, who)  # warm the statement cache
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        async with sessionmaker() as session:
            await view(session, who)
        timings.append((time.perf_counter() - started) * 1000)
    return size, timings


async def main(runs: int, database_url: str | None, jit_off: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        settings = {"connect_args": {"server_settings": {"jit": "off"}}} if jit_off else {}
        engine = make_engine(url, **settings)
        started = time.perf_counter()
        org, counts = await seed(engine, url)
        seeded = time.perf_counter() - started
        sessionmaker = make_sessionmaker(engine)
        cases: list[tuple[str, View, int]] = [
            ("/tim section head", team_view_at(1), org.section_head),
            ("/tim section head", team_view_at(8), org.section_head),
            ("/tim division head", team_view_at(1), org.division_head),
            ("/tim division head", team_view_at(20), org.division_head),
            ("/tim head of unit", team_view_at(1), org.head),
            ("/tim head of unit", team_view_at(400), org.head),
            ("/persetujuan section head", build_approval_view, org.section_head),
            ("/progres staff", build_progress_view, org.staff),
        ]
        print(f"database   {url.split('://')[0]}{' (jit off)' if jit_off else ''}")
        print(", ".join(f"{count} {name}" for name, count in counts.items()), end="")
        print(f" (seeded in {seeded:.1f} s); today {TODAY}, {runs} runs each")
        print(f"/tim pages of {PAGE_SIZE} members")
        print(f"{'view':28} {'size':>16} {'p50 ms':>8} {'p95 ms':>8}")
        with build_i18n("id").context():
            for label, view, who in cases:
                size, timings = await measure(sessionmaker, view, who, runs)
                p50 = statistics.median(timings)
                p95 = statistics.quantiles(timings, n=20)[-1]
                print(f"{label:28} {size:>16} {p50:8.1f} {p95:8.1f}")
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--jit-off", action="store_true", help="PostgreSQL: connect with jit=off")
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.database_url, args.jit_off))
