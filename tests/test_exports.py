"""Monthly export: rows and sums from SQL, and the workbook built from them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.spreadsheets import SheetLabels, month_bounds_of, month_workbook
from storage.exports import (
    ExportRow,
    SummaryRow,
    month_rows,
    month_summary,
    unit_employee_ids,
)
from storage.invites import UnknownUnitError
from storage.models import (
    Activity,
    DailyReport,
    Employee,
    Evidence,
    EvidenceKind,
    Indicator,
    ReportStatus,
    Unit,
)
from tests.factories import HEAD_NIP, STAFF_NIP, Org, add_indicator, add_report, seed_org

D = Decimal
A = ReportStatus.APPROVED
S = ReportStatus.SUBMITTED
R = ReportStatus.RETURNED
MARCH = (date(2026, 3, 1), date(2026, 4, 1))
SECTION_NIP = "199505052020122005"
INACTIVE_NIP = "198808082012121008"
OTHER_NIP = "199101012019032001"
BUDI = "Budi <Santoso>"
SITI = "Siti Rahmawati"
RINA = "Rina Marlina"
TONO = "Tono Sugiarto"
DEWI = "Dewi Lestari"


@dataclass(frozen=True)
class Seeded:
    org: Org
    inactive: Employee
    other: Employee


async def employee(
    session: AsyncSession, unit: Unit, nip: str, name: str, **extra: Any
) -> Employee:
    person = Employee(nip=nip, name=name, unit_id=unit.id, **extra)
    session.add(person)
    await session.commit()
    return person


async def unit(session: AsyncSession, code: str, parent: Unit | None) -> Unit:
    item = Unit(code=code, name=code, parent_id=parent.id if parent else None)
    session.add(item)
    await session.commit()
    return item


async def add_evidence(session: AsyncSession, report: DailyReport, count: int) -> None:
    """`count` photos on the report's first activity."""
    first = (
        await session.exec(
            select(Activity).where(Activity.report_id == report.id).order_by(Activity.id)
        )
    ).first()
    assert first is not None
    session.add_all(
        Evidence(
            activity_id=first.id,
            kind=EvidenceKind.PHOTO,
            file_id=f"file-{n}",
            file_unique_id=f"unique-{n}",
        )
        for n in range(count)
    )
    await session.commit()


@pytest.fixture
async def seeded(session: AsyncSession) -> Seeded:
    """BKD > BKD-MUT > BKD-MUT-1 and a separate DINKES; reports around March 2026."""
    org = await seed_org(session)
    section = await unit(session, "BKD-MUT-1", org.division)
    health = await unit(session, "DINKES", None)
    rina = await employee(session, section, SECTION_NIP, RINA)
    tono = await employee(session, org.division, INACTIVE_NIP, TONO, is_active=False)
    dewi = await employee(session, health, OTHER_NIP, DEWI)
    k1 = await add_indicator(session, org.staff, "K1", "Dokumen mutasi", "dokumen", "40")
    k2 = await add_indicator(session, org.staff, "K2", "Rapat koordinasi", "kegiatan", "12")
    h1 = await add_indicator(session, org.head, "H1", "Pembinaan staf", "kegiatan", "8")
    s1 = await add_indicator(session, rina, "S1", "Arsip", "berkas", "100")
    t1 = await add_indicator(session, tono, "T1", "Surat", "surat", "10")
    d1 = await add_indicator(session, dewi, "D1", "Layanan", "orang", "50")

    approved = await add_report(session, org.staff, date(2026, 3, 2), A, [(k1, "3"), (None, "1")])
    approved.decided_by_id = org.head.id
    session.add(approved)
    await session.commit()
    await add_evidence(session, approved, 2)
    await add_report(session, org.staff, date(2026, 3, 3), S, [(k1, "2.5")])
    await add_report(session, org.staff, date(2026, 3, 4), ReportStatus.DRAFT, [(k1, "9")])
    returned = await add_report(session, org.staff, date(2026, 3, 5), R, [(k2, "4")])
    session.add(
        Activity(
            report_id=returned.id,
            employee_id=org.staff.id,
            indicator_id=k2.id,
            description="Rapat",
        )
    )
    await session.commit()
    await add_report(session, org.staff, date(2026, 2, 27), A, [(k1, "100")])
    await add_report(session, org.staff, date(2026, 4, 1), A, [(k1, "100")])
    await add_report(session, org.head, date(2026, 3, 2), S, [(h1, "1")])
    await add_report(session, rina, date(2026, 3, 31), A, [(s1, "7")])
    await add_report(session, tono, date(2026, 3, 9), S, [(t1, "2")])
    await add_report(session, dewi, date(2026, 3, 2), A, [(d1, "5")])
    await add_report(session, dewi, date(2026, 4, 2), A, [(d1, "5")])
    return Seeded(org, tono, dewi)


def day(n: int) -> date:
    return date(2026, 3, n)


def activity(
    n: int,
    nip: str,
    indicator: str | None,
    quantity: str | None,
    status: ReportStatus,
    decided_by: str | None = None,
    evidence: int = 0,
    text: str | None = None,
) -> ExportRow:
    """The expected row of an activity on March `n`; name and measure follow from NIP and code."""
    measure = MEASURES[indicator.split()[0]] if indicator else None
    description = text if text is not None else f"Kegiatan {day(n).isoformat()}"
    amount = None if quantity is None else D(quantity)
    return ExportRow(
        day(n),
        nip,
        NAMES[nip],
        indicator,
        description,
        amount,
        measure,
        status,
        decided_by,
        evidence,
    )


NAMES = {STAFF_NIP: BUDI, HEAD_NIP: SITI, SECTION_NIP: RINA, INACTIVE_NIP: TONO, OTHER_NIP: DEWI}
MEASURES = {"K1": "dokumen", "K2": "kegiatan", "H1": "kegiatan", "S1": "berkas", "T1": "surat",
            "D1": "orang"}  # fmt: skip
K1 = "K1 Dokumen mutasi"
K2 = "K2 Rapat koordinasi"
DIVISION_ROWS = [
    activity(2, STAFF_NIP, K1, "3.00", A, decided_by=SITI, evidence=2),
    activity(2, STAFF_NIP, None, "1.00", A, decided_by=SITI),
    activity(2, HEAD_NIP, "H1 Pembinaan staf", "1.00", S),
    activity(3, STAFF_NIP, K1, "2.50", S),
    activity(5, STAFF_NIP, K2, "4.00", R),
    activity(5, STAFF_NIP, K2, None, R, text="Rapat"),
    activity(31, SECTION_NIP, "S1 Arsip", "7.00", A),
]
DIVISION_SUMMARY = [
    SummaryRow(STAFF_NIP, BUDI, "K1 Dokumen mutasi", "dokumen", D("3.00"), D("2.50"), 2),
    SummaryRow(STAFF_NIP, BUDI, "K2 Rapat koordinasi", "kegiatan", D("0.00"), D("0.00"), 2),
    SummaryRow(STAFF_NIP, BUDI, None, None, D("1.00"), D("0.00"), 1),
    SummaryRow(SECTION_NIP, RINA, "S1 Arsip", "berkas", D("7.00"), D("0.00"), 1),
    SummaryRow(HEAD_NIP, SITI, "H1 Pembinaan staf", "kegiatan", D("0.00"), D("1.00"), 1),
]


@contextmanager
def counted_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def test_unit_subtree_month_rows_and_summary(session: AsyncSession, seeded: Seeded) -> None:
    ids = await unit_employee_ids(session, "BKD-MUT")
    assert await month_rows(session, ids, *MARCH) == DIVISION_ROWS
    assert await month_summary(session, ids, *MARCH) == DIVISION_SUMMARY


async def test_each_export_is_one_statement(
    session: AsyncSession, engine: AsyncEngine, seeded: Seeded
) -> None:
    ids = await unit_employee_ids(session, "BKD-MUT")
    await session.connection()  # begin first: SQLite's BEGIN IMMEDIATE is a statement too
    with counted_statements(engine) as statements:
        await month_rows(session, ids, *MARCH)
    assert len(statements) == 1, statements
    with counted_statements(engine) as statements:
        await month_summary(session, ids, *MARCH)
    assert len(statements) == 1, statements
    assert "GROUP BY" in statements[0]


async def test_root_unit_takes_every_sub_unit(session: AsyncSession, seeded: Seeded) -> None:
    ids = await unit_employee_ids(session, "BKD")
    rows = await month_rows(session, ids, *MARCH)
    assert rows == DIVISION_ROWS  # the admin in BKD itself has no reports
    section = await unit_employee_ids(session, "BKD-MUT-1")
    assert await month_rows(session, section, *MARCH) == [DIVISION_ROWS[-1]]


async def test_id_list_includes_exactly_those_employees(
    session: AsyncSession, seeded: Seeded
) -> None:
    ids = [seeded.other.id, seeded.inactive.id]
    assert await month_rows(session, ids, *MARCH) == [
        activity(2, OTHER_NIP, "D1 Layanan", "5.00", A),
        activity(9, INACTIVE_NIP, "T1 Surat", "2.00", S),
    ]
    assert await month_summary(session, ids, *MARCH) == [
        SummaryRow(OTHER_NIP, DEWI, "D1 Layanan", "orang", D("5.00"), D("0.00"), 1),
        SummaryRow(INACTIVE_NIP, TONO, "T1 Surat", "surat", D("0.00"), D("2.00"), 1),
    ]
    assert await month_rows(session, [], *MARCH) == []
    assert await month_summary(session, [], *MARCH) == []


async def test_other_month_is_its_own(session: AsyncSession, seeded: Seeded) -> None:
    ids = [seeded.org.staff.id, seeded.other.id]
    february = await month_rows(session, ids, *month_bounds_of("2026-02"))
    april = await month_summary(session, ids, *month_bounds_of("2026-04"))
    assert [(row.work_date, row.quantity) for row in february] == [(date(2026, 2, 27), D(100))]
    assert april == [
        SummaryRow(STAFF_NIP, BUDI, "K1 Dokumen mutasi", "dokumen", D(100), D(0), 1),
        SummaryRow(OTHER_NIP, DEWI, "D1 Layanan", "orang", D(5), D(0), 1),
    ]


async def test_unknown_unit_code(session: AsyncSession, seeded: Seeded) -> None:
    with pytest.raises(UnknownUnitError):
        await unit_employee_ids(session, "NOPE")


STATUSES = {S: "menunggu persetujuan", A: "disetujui", R: "dikembalikan"}
LABELS = SheetLabels(
    activities_sheet="Kegiatan",
    summary_sheet="Rekap",
    date="Tanggal",
    name="Nama",
    indicator="Indikator",
    activity="Uraian",
    quantity="Jumlah",
    measure="Satuan",
    decided_by="Diputuskan oleh",
    evidence="Bukti",
    approved="Disetujui",
    pending="Menunggu",
    activities="Kegiatan",
    additional_task="Tugas tambahan",
    statuses=STATUSES,
)


def midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def plain(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def test_workbook_reads_back() -> None:
    data = month_workbook(DIVISION_ROWS, DIVISION_SUMMARY, LABELS)
    workbook = load_workbook(BytesIO(data))
    assert workbook.sheetnames == ["Kegiatan", "Rekap"]
    sheet = workbook["Kegiatan"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == (
        "Tanggal", "NIP", "Nama", "Indikator", "Uraian", "Jumlah", "Satuan", "Status",
        "Diputuskan oleh", "Bukti",
    )  # fmt: skip
    assert values[1:] == [
        (
            midnight(row.work_date),
            row.nip,
            row.name,
            row.indicator or "Tugas tambahan",
            row.activity,
            plain(row.quantity),
            row.measure,
            STATUSES[row.status],
            row.decided_by,
            row.evidence_count,
        )
        for row in DIVISION_ROWS
    ]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:J8"
    assert all(cell.font.bold for cell in sheet[1])
    date_cell, nip_cell, quantity_cell = sheet["A2"], sheet["B2"], sheet["F5"]
    assert date_cell.is_date
    assert date_cell.number_format == "yyyy-mm-dd"
    assert nip_cell.data_type == "s"
    assert nip_cell.value == STAFF_NIP
    assert len(nip_cell.value) == 18
    assert quantity_cell.data_type == "n"
    assert quantity_cell.value == 2.5
    assert sheet["F7"].value is None
    assert sheet.column_dimensions["E"].width >= len("Kegiatan 2026-03-02")

    summary = workbook["Rekap"]
    assert list(summary.iter_rows(values_only=True)) == [
        ("NIP", "Nama", "Indikator", "Satuan", "Disetujui", "Menunggu", "Kegiatan"),
        (STAFF_NIP, BUDI, "K1 Dokumen mutasi", "dokumen", 3, 2.5, 2),
        (STAFF_NIP, BUDI, "K2 Rapat koordinasi", "kegiatan", 0, 0, 2),
        (STAFF_NIP, BUDI, "Tugas tambahan", None, 1, 0, 1),
        (SECTION_NIP, RINA, "S1 Arsip", "berkas", 7, 0, 1),
        (HEAD_NIP, SITI, "H1 Pembinaan staf", "kegiatan", 0, 1, 1),
    ]
    assert summary["E3"].data_type == "n"
    assert summary.auto_filter.ref == "A1:G6"


async def test_workbook_from_the_database(session: AsyncSession, seeded: Seeded) -> None:
    ids = await unit_employee_ids(session, "BKD-MUT")
    rows = await month_rows(session, ids, *MARCH)
    summary = await month_summary(session, ids, *MARCH)
    workbook = load_workbook(BytesIO(month_workbook(rows, summary, SheetLabels())))
    assert workbook.sheetnames == ["Activities", "Summary"]
    assert workbook["Activities"].max_row == len(DIVISION_ROWS) + 1
    assert workbook["Activities"]["H2"].value == "approved"


def test_empty_workbook_has_headers() -> None:
    workbook = load_workbook(BytesIO(month_workbook([], [], SheetLabels())))
    assert [cell.value for cell in workbook["Summary"][1]] == [
        "NIP", "Name", "Indicator", "Unit", "Approved", "Awaiting approval", "Activities",
    ]  # fmt: skip
    assert workbook["Activities"].max_row == 1


def test_sheet_titles_are_made_valid() -> None:
    labels = SheetLabels(activities_sheet="Kegiatan/Harian: Maret [2026] yang sangat panjang")
    workbook = load_workbook(BytesIO(month_workbook([], [], labels)))
    assert workbook.sheetnames[0] == "Kegiatan-Harian- Maret -2026- y"


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("2026-03", (date(2026, 3, 1), date(2026, 4, 1))),
        (" 2026-12 ", (date(2026, 12, 1), date(2027, 1, 1))),
    ],
)
def test_month_bounds_of(text: str, bounds: tuple[date, date]) -> None:
    assert month_bounds_of(text) == bounds


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-3", "03-2026", "2026/03", "", "x"])
def test_month_bounds_of_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        month_bounds_of(text)


async def test_indicator_rows_survive_a_deleted_indicator(
    session: AsyncSession, seeded: Seeded
) -> None:
    """An indicator removed later (activity.indicator_id SET NULL) reads as an additional task."""
    k2 = (await session.exec(select(Indicator).where(Indicator.code == "K2"))).one()
    await session.delete(k2)
    await session.commit()
    ids = await unit_employee_ids(session, "BKD-MUT")
    summary = await month_summary(session, ids, *MARCH)
    assert SummaryRow(STAFF_NIP, BUDI, None, None, D("1.00"), D("0.00"), 3) in summary
