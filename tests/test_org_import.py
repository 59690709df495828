"""Organisation import: CSV/XLSX parsing, every validation error at once, idempotent upserts."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import event, func
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import SessionMaker
from storage.models import Employee, Unit
from storage.org_import import (
    ImportReport,
    OrgImportError,
    import_org,
    parse_bool,
    parse_nip,
    parse_timezone,
    read_table,
)


def nip(number: int) -> str:
    return f"1980010120050110{number:02d}"


# The child unit comes before its parent and subordinates before their supervisors,
# so references to rows later in the file are exercised.
UNITS_CSV = """\
code,name,parent_code,timezone
SEKSI-1,Seksi Pelayanan,BIDANG-A,WIT
DINAS,Dinas Kesehatan,,WIB
BIDANG-A,Bidang Pelayanan,DINAS,wita
"""

EMPLOYEES_CSV = f"""\
nip,name,position,unit_code,supervisor_nip,admin
19800101 200501 1 003,Citra,Kepala Seksi,SEKSI-1,{nip(2)},
{nip(1)},Andi,Kepala Dinas,DINAS,,ya
{nip(2)},Budi,Kepala Bidang,BIDANG-A,{nip(1)},no
{nip(4)},Dewi,Staf,SEKSI-1,{nip(3)},
{nip(5)},Eko,Staf,SEKSI-1,{nip(3)},
{nip(6)},Fitri,Staf,BIDANG-A,{nip(2)},tidak
"""

EXPECTED_UNITS = {
    "DINAS": ("Dinas Kesehatan", None, "Asia/Jakarta"),
    "BIDANG-A": ("Bidang Pelayanan", "DINAS", "Asia/Makassar"),
    "SEKSI-1": ("Seksi Pelayanan", "BIDANG-A", "Asia/Jayapura"),
}
EXPECTED_EMPLOYEES = {
    nip(1): ("Andi", "Kepala Dinas", "DINAS", None, True, True),
    nip(2): ("Budi", "Kepala Bidang", "BIDANG-A", nip(1), False, True),
    nip(3): ("Citra", "Kepala Seksi", "SEKSI-1", nip(2), False, True),
    nip(4): ("Dewi", "Staf", "SEKSI-1", nip(3), False, True),
    nip(5): ("Eko", "Staf", "SEKSI-1", nip(3), False, True),
    nip(6): ("Fitri", "Staf", "BIDANG-A", nip(2), False, True),
}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append([None if value == "" else value for value in row])
    workbook.save(path)
    return path


def csv_rows(text: str) -> list[list[Any]]:
    return list(csv.reader(io.StringIO(text)))


async def snapshot(session: AsyncSession) -> tuple[dict[str, tuple], dict[str, tuple]]:
    """Units and employees as plain values, references shown by code and NIP."""
    units = {unit.id: unit for unit in (await session.exec(select(Unit))).all()}
    employees = {person.id: person for person in (await session.exec(select(Employee))).all()}
    unit_view = {
        unit.code: (
            unit.name,
            units[unit.parent_id].code if unit.parent_id else None,
            unit.timezone,
        )
        for unit in units.values()
    }
    employee_view = {
        person.nip: (
            person.name,
            person.position,
            units[person.unit_id].code,
            employees[person.supervisor_id].nip if person.supervisor_id else None,
            person.is_admin,
            person.is_active,
        )
        for person in employees.values()
    }
    return unit_view, employee_view


async def stored(sessionmaker: SessionMaker) -> tuple[dict[str, tuple], dict[str, tuple]]:
    """What is committed, read in a session of its own."""
    async with sessionmaker() as fresh:
        return await snapshot(fresh)


async def counts(session: AsyncSession) -> tuple[int, int]:
    units = (await session.exec(select(func.count()).select_from(Unit))).one()
    employees = (await session.exec(select(func.count()).select_from(Employee))).one()
    return units, employees


async def import_good_org(session: AsyncSession, tmp_path: Path) -> ImportReport:
    report = await import_org(
        session,
        write(tmp_path / "units.csv", UNITS_CSV),
        write(tmp_path / "employees.csv", EMPLOYEES_CSV),
    )
    await session.commit()
    return report


async def rejected(session: AsyncSession, units_path: Path, employees_path: Path) -> list[str]:
    with pytest.raises(OrgImportError) as caught:
        await import_org(session, units_path, employees_path)
    assert str(caught.value) == "\n".join(caught.value.errors)
    return caught.value.errors


async def assert_nothing_written(
    session: AsyncSession, sessionmaker: SessionMaker, before: tuple[dict, dict]
) -> None:
    """Nothing is pending in the session and, even after a commit, nothing was stored."""
    assert not session.new
    assert not session.dirty
    assert await counts(session) == (len(before[0]), len(before[1]))  # autoflush would show it
    await session.commit()
    assert await stored(sessionmaker) == before


async def test_import_creates_units_and_employees_with_links(
    session: AsyncSession, sessionmaker: SessionMaker, tmp_path: Path
) -> None:
    report = await import_good_org(session, tmp_path)

    assert report == ImportReport(3, 0, 0, 6, 0, 0)
    assert await stored(sessionmaker) == (EXPECTED_UNITS, EXPECTED_EMPLOYEES)


async def test_reimport_changes_nothing_and_counts_real_changes(
    session: AsyncSession, sessionmaker: SessionMaker, tmp_path: Path
) -> None:
    await import_good_org(session, tmp_path)
    andi = (await session.exec(select(Employee).where(Employee.nip == nip(1)))).one()
    andi.telegram_id = 555_000_111
    andi.language = "en"
    await session.commit()

    again = await import_good_org(session, tmp_path)
    assert again == ImportReport(0, 0, 3, 0, 0, 6)
    assert again.summary() == (
        "units: 0 created, 0 updated, 3 unchanged; employees: 0 created, 0 updated, 6 unchanged"
    )

    renamed = EMPLOYEES_CSV.replace("Dewi,Staf", "Dewi Lestari,Staf")
    report = await import_org(
        session, tmp_path / "units.csv", write(tmp_path / "employees.csv", renamed)
    )
    await session.commit()
    assert report == ImportReport(0, 0, 3, 0, 1, 5)

    expected = dict(EXPECTED_EMPLOYEES)
    expected[nip(4)] = ("Dewi Lestari", *EXPECTED_EMPLOYEES[nip(4)][1:])
    assert await stored(sessionmaker) == (EXPECTED_UNITS, expected)
    async with sessionmaker() as fresh:
        andi = (await fresh.exec(select(Employee).where(Employee.nip == nip(1)))).one()
        assert (andi.telegram_id, andi.language) == (555_000_111, "en")


async def test_rows_missing_from_the_files_are_left_alone(
    session: AsyncSession, sessionmaker: SessionMaker, tmp_path: Path
) -> None:
    await import_good_org(session, tmp_path)
    units = write(
        tmp_path / "more-units.csv", "code,name,parent_code,timezone\nSEKSI-2,Seksi 2,DINAS,\n"
    )
    employees = write(
        tmp_path / "more-employees.csv",
        "nip,name,position,unit_code,supervisor_nip,admin\n"
        f"{nip(3)},Citra,Kepala Seksi,SEKSI-2,{nip(1)},\n"
        f"{nip(7)},Gita,Staf,SEKSI-2,{nip(3)},\n",
    )

    report = await import_org(session, units, employees)
    await session.commit()

    assert report.summary() == (
        "units: 1 created, 0 updated, 0 unchanged; employees: 1 created, 1 updated, 0 unchanged"
    )
    unit_view, employee_view = await stored(sessionmaker)
    assert unit_view == {**EXPECTED_UNITS, "SEKSI-2": ("Seksi 2", "DINAS", "Asia/Jakarta")}
    assert employee_view == {
        **EXPECTED_EMPLOYEES,
        nip(3): ("Citra", "Kepala Seksi", "SEKSI-2", nip(1), False, True),
        nip(7): ("Gita", "Staf", "SEKSI-2", nip(3), False, True),
    }


async def test_default_timezone_fills_empty_cells(
    session: AsyncSession, sessionmaker: SessionMaker, tmp_path: Path
) -> None:
    units = write(tmp_path / "units.csv", "code,name,parent_code,timezone\nPUSAT,Pusat,,\n")
    employees = write(
        tmp_path / "employees.csv", "nip,name,position,unit_code,supervisor_nip,admin\n"
    )

    await import_org(session, units, employees, default_timezone="WITA")
    await session.commit()

    assert await stored(sessionmaker) == ({"PUSAT": ("Pusat", None, "Asia/Makassar")}, {})


async def test_xlsx_import_works_like_csv(
    session: AsyncSession, sessionmaker: SessionMaker, tmp_path: Path
) -> None:
    units = write_xlsx(tmp_path / "units.xlsx", csv_rows(UNITS_CSV))
    employees = write_xlsx(tmp_path / "employees.xlsx", csv_rows(EMPLOYEES_CSV))

    report = await import_org(session, units, employees)
    await session.commit()

    assert report == ImportReport(3, 0, 0, 6, 0, 0)
    assert await stored(sessionmaker) == (EXPECTED_UNITS, EXPECTED_EMPLOYEES)
    assert await import_org(session, units, employees) == ImportReport(0, 0, 3, 0, 0, 6)


async def test_xlsx_nip_stored_as_number_is_rejected(
    session: AsyncSession, sessionmaker: SessionMaker, tmp_path: Path
) -> None:
    rows = csv_rows(EMPLOYEES_CSV)
    rows[2][0] = int(nip(1))  # what Excel keeps when the column is not formatted as text
    rows[3][4] = float(nip(1))
    units = write_xlsx(tmp_path / "units.xlsx", csv_rows(UNITS_CSV))
    employees = write_xlsx(tmp_path / "employees.xlsx", rows)
    before = await snapshot(session)

    assert await rejected(session, units, employees) == [
        "employees.xlsx:3: nip: stored as a number; format the column as Text and type the "
        "values again (Excel keeps only 15 digits)",
        "employees.xlsx:4: supervisor_nip: stored as a number; format the column as Text and "
        "type the values again (Excel keeps only 15 digits)",
    ]
    await assert_nothing_written(session, sessionmaker, before)


async def test_semicolon_csv_with_bom_and_loose_headers(
    session: AsyncSession, sessionmaker: SessionMaker, tmp_path: Path
) -> None:
    units = tmp_path / "unit.csv"
    units.write_bytes(
        "\ufeff Timezone ;CODE;Name;Parent_Code;Catatan\r\n"
        "WIT;SEKSI-1;Seksi Pelayanan;BIDANG-A;x\r\n"
        ";;;;\r\n"
        "WIB;DINAS;Dinas Kesehatan;;\r\n"
        "Asia/Makassar;BIDANG-A;Bidang Pelayanan;DINAS;\r\n".encode()
    )
    employees = tmp_path / "pegawai.csv"
    employees.write_bytes(
        "\ufeffNIP;Name;Unit_Code;Position;Supervisor_NIP;Admin;Active\r\n"
        f"{nip(1)};Andi;DINAS;Kepala Dinas;;YES;\r\n"
        f"{nip(2)};Budi;BIDANG-A;Kepala Bidang;{nip(1)};;y\r\n"
        "19800101 200501 1 003;Citra;SEKSI-1;Kepala Seksi;19800101 200501 1 002;N;1\r\n"
        f"{nip(4)};Dewi;SEKSI-1;Staf;{nip(3)};false;TRUE\r\n"
        f"{nip(5)};Eko;SEKSI-1;Staf;{nip(3)};0;Ya\r\n"
        f"{nip(6)};Fitri;BIDANG-A;Staf;{nip(2)};;tidak\r\n".encode()
    )

    report = await import_org(session, units, employees)
    await session.commit()

    assert report == ImportReport(3, 0, 0, 6, 0, 0)
    expected = dict(EXPECTED_EMPLOYEES)
    expected[nip(6)] = (*EXPECTED_EMPLOYEES[nip(6)][:5], False)
    assert await stored(sessionmaker) == (EXPECTED_UNITS, expected)


async def test_malformed_employees_report_every_problem_and_write_nothing(
    session: AsyncSession, sessionmaker: SessionMaker, tmp_path: Path
) -> None:
    await import_good_org(session, tmp_path)
    before = await snapshot(session)
    employees = write(
        tmp_path / "employees.csv",
        "nip,name,position,unit_code,supervisor_nip,admin\n"
        "12345,Gita,Staf,DINAS,,\n"
        f'{nip(7)},Hadi,"Staf\nPelaksana",DINAS,{nip(8)},maybe\n'
        f"{nip(8)},Indah,Staf,DINAS,{nip(7)},\n"
        f"{nip(7)},Joko,Staf,DINAS,,\n"
        f"{nip(9)},Kartika,Staf,GHOST,{nip(99)},\n"
        f"{nip(10)},Lina,Staf,DINAS,{nip(10)},\n"
        ",,,,,yes\n"
        "\n"
        f"{nip(11)},Mira,{'x' * 201},SEKSI-1,{nip(3)},\n"
        f"{nip(12)},Nur,Staf,SEKSI-1,{nip(3)[:-1]},\n",
    )

    assert await rejected(session, tmp_path / "units.csv", employees) == [
        "employees.csv:2: nip: expected 18 digits, got '12345'",
        "employees.csv:3: admin: expected yes or no, got 'maybe'",
        f"employees.csv:3: supervisor_nip: supervisor cycle: {nip(7)} -> {nip(8)} -> {nip(7)}",
        f"employees.csv:6: nip: duplicate {nip(7)} (also on line 3)",
        "employees.csv:7: unit_code: unknown unit GHOST",
        f"employees.csv:7: supervisor_nip: unknown employee {nip(99)}",
        f"employees.csv:8: supervisor_nip: {nip(10)} is its own supervisor",
        "employees.csv:9: nip: value is required",
        "employees.csv:9: name: value is required",
        "employees.csv:9: unit_code: value is required",
        "employees.csv:11: position: longer than 200 characters",
        f"employees.csv:12: supervisor_nip: expected 18 digits, got '{nip(3)[:-1]}'",
    ]
    await assert_nothing_written(session, sessionmaker, before)


async def test_malformed_units_report_every_problem_and_write_nothing(
    session: AsyncSession, sessionmaker: SessionMaker, tmp_path: Path
) -> None:
    long_code = "K" * 33
    units = write(
        tmp_path / "units.csv",
        "code,name,parent_code,timezone\n"
        "PUSAT,Pusat,,Mars/Olympus\n"
        "CABANG,Cabang,NOWHERE,WIB\n"
        "PUSAT,Pusat Lagi,,\n"
        f"{long_code},Terlalu Panjang,,\n"
        "LOOP-A,Loop A,LOOP-B,\n"
        "LOOP-B,Loop B,LOOP-A,\n"
        "SELF,Self,SELF,WITA\n"
        "KOSONG,,PUSAT,\n",
    )
    employees = write(
        tmp_path / "employees.csv",
        f"nip,name,position,unit_code,supervisor_nip,admin,active\n{nip(1)},Andi,,PUSAT,,,maybe\n",
    )

    assert await rejected(session, units, employees) == [
        "units.csv:2: timezone: unknown time zone 'Mars/Olympus'",
        "units.csv:3: parent_code: unknown unit NOWHERE",
        "units.csv:4: code: duplicate PUSAT (also on line 2)",
        "units.csv:5: code: longer than 32 characters",
        "units.csv:6: parent_code: parent cycle: LOOP-A -> LOOP-B -> LOOP-A",
        "units.csv:8: parent_code: SELF is its own parent",
        "units.csv:9: name: value is required",
        "employees.csv:2: active: expected yes or no, got 'maybe'",
    ]
    await assert_nothing_written(session, sessionmaker, ({}, {}))


async def test_cycles_through_rows_only_in_the_database_are_found(
    session: AsyncSession, sessionmaker: SessionMaker, tmp_path: Path
) -> None:
    await import_good_org(session, tmp_path)
    before = await snapshot(session)
    # DINAS and Andi are the tops of their trees; the files hang them below their own
    # descendants, which the files do not mention and which keep their stored links.
    units = write(
        tmp_path / "top-unit.csv", "code,name,parent_code,timezone\nDINAS,Dinas,SEKSI-1,\n"
    )
    employees = write(
        tmp_path / "top-employee.csv",
        f"nip,name,position,unit_code,supervisor_nip,admin\n{nip(1)},Andi,,DINAS,{nip(4)},\n",
    )

    assert await rejected(session, units, employees) == [
        "top-unit.csv:2: parent_code: parent cycle: DINAS -> SEKSI-1 -> BIDANG-A -> DINAS",
        "top-employee.csv:2: supervisor_nip: supervisor cycle: "
        f"{nip(1)} -> {nip(4)} -> {nip(3)} -> {nip(2)} -> {nip(1)}",
    ]
    await assert_nothing_written(session, sessionmaker, before)


async def test_missing_columns_and_unsupported_files_are_rejected(
    session: AsyncSession, sessionmaker: SessionMaker, tmp_path: Path
) -> None:
    units = write(tmp_path / "units.csv", "code,name,parent_code\nPUSAT,Pusat,\n")
    employees = write(
        tmp_path / "employees.csv",
        f"NIP, Name ,Position,Supervisor_NIP,Admin,nip\n{nip(1)},Andi,,,,\n",
    )
    assert await rejected(session, units, employees) == [
        "units.csv:1: missing column 'timezone'",
        "employees.csv:1: duplicate column 'nip'",
        "employees.csv:1: missing column 'unit_code'",
    ]

    text_file = write(tmp_path / "units.txt", UNITS_CSV)
    assert await rejected(session, text_file, tmp_path / "employees.csv") == [
        "units.txt: unsupported file type; use .csv or .xlsx",
        "employees.csv:1: duplicate column 'nip'",
        "employees.csv:1: missing column 'unit_code'",
    ]
    await assert_nothing_written(session, sessionmaker, ({}, {}))


async def test_queries_do_not_grow_with_the_number_of_rows(
    session: AsyncSession, engine: AsyncEngine, tmp_path: Path
) -> None:
    units = write(tmp_path / "units.csv", UNITS_CSV)
    lines = ["nip,name,position,unit_code,supervisor_nip,admin", f"{nip(1)},Andi,,DINAS,,"]
    lines += [f"19900101201501{n:04d},Staf {n},,SEKSI-1,{nip(1)}," for n in range(1200)]
    employees = write(tmp_path / "employees.csv", "\n".join(lines) + "\n")
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        first = await import_org(session, units, employees)
        await session.commit()
        statements_first = len(statements)
        again = await import_org(session, units, employees)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)

    assert (first.employees_created, again.employees_unchanged) == (1201, 1201)
    assert statements_first <= 15
    assert len(statements) - statements_first <= 5  # only the chunked SELECTs


def test_read_table_numbers_records_by_their_first_physical_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "table.csv",
        'B\tA\tignored\n1\t"two\nlines"\tx\n\n\t\t\n3\t\n',
    )

    assert read_table(path, ["a", "b"], ["c"]) == [
        (2, {"a": "two\nlines", "b": "1", "c": ""}),
        (6, {"a": "", "b": "3", "c": ""}),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ya", True),
        ("Y", True),
        ("TRUE", True),
        ("1", True),
        ("Tidak", False),
        ("n", False),
        ("no", False),
        ("0", False),
        ("False", False),
        ("", None),
    ],
)
def test_parse_bool(value: str, expected: bool | None) -> None:
    assert parse_bool(value, default=True) is (True if expected is None else expected)


def test_parse_bool_rejects_other_words() -> None:
    with pytest.raises(ValueError, match="expected yes or no, got 'mungkin'"):
        parse_bool("mungkin", default=False)


def test_parse_nip_removes_spaces_and_needs_18_digits() -> None:
    assert parse_nip("19800101 200501 1 001") == "198001012005011001"
    for bad in ("1980010120050110011", "19800101200501100x", "1.98001012005011E+17"):
        with pytest.raises(ValueError, match="expected 18 digits"):
            parse_nip(bad)


def test_parse_timezone_accepts_aliases_and_iana_names() -> None:
    assert [parse_timezone(name) for name in ("wib", "WITA", "Wit", "Asia/Pontianak")] == [
        "Asia/Jakarta",
        "Asia/Makassar",
        "Asia/Jayapura",
        "Asia/Pontianak",
    ]
    for bad in ("Asia", "GMT+7x", "../etc/passwd", "zone.tab"):
        with pytest.raises(ValueError, match="unknown time zone"):
            parse_timezone(bad)
