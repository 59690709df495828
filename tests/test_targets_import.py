"""Indicator (target) import: cascading parents, decimal commas, every error at once, upserts."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import aliased
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Employee, Indicator
from storage.org_import import OrgImportError
from storage.targets_import import TargetImportReport, import_targets, parse_decimal
from tests.factories import ADMIN_NIP, HEAD_NIP, STAFF_NIP, seed_org
from tests.harness import Fetch

HEADER = "nip;year;code;title;unit;target;q1;q2;q3;q4;parent_code"

# Semicolons and decimal commas, as Excel writes CSV in an Indonesian locale. The staff's
# indicators come first and cascade from the head's, which the file defines later.
GOOD_CSV = f"""\
{HEADER}
{STAFF_NIP};2025;STF-1;Verifikasi usul mutasi;dokumen;120,5;30;30;30;30,5;BID-1
{STAFF_NIP};2025;STF-2;Konsultasi kepegawaian;orang;48;;;;;BID-2
{HEAD_NIP};2025;BID-1;Usul mutasi selesai tepat waktu;%;92,5;;;;;
{HEAD_NIP};2025;BID-2;ASN yang terlayani;orang;200;50;50.5;49,5;50;
{ADMIN_NIP};2025;ADM-1;Ketersediaan sistem informasi;%;99.75;;;;;
"""


def expect(
    title: str, unit: str, target: str, quarters: str = "", parent: str | None = None
) -> tuple[Any, ...]:
    """An indicator's stored values as `stored` shows them; `quarters` as "q1 q2 q3 q4"."""
    values = [Decimal(value) for value in quarters.split()] or [None] * 4
    return (title, unit, Decimal(target), *values, parent)


EXPECTED = {
    (STAFF_NIP, "STF-1"): expect(
        "Verifikasi usul mutasi", "dokumen", "120.5", "30 30 30 30.5", "BID-1"
    ),
    (STAFF_NIP, "STF-2"): expect("Konsultasi kepegawaian", "orang", "48", parent="BID-2"),
    (HEAD_NIP, "BID-1"): expect("Usul mutasi selesai tepat waktu", "%", "92.5"),
    (HEAD_NIP, "BID-2"): expect("ASN yang terlayani", "orang", "200", "50 50.5 49.5 50"),
    (ADMIN_NIP, "ADM-1"): expect("Ketersediaan sistem informasi", "%", "99.75"),
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


async def stored(fetch: Fetch, year: int = 2025) -> dict[tuple[str, str], tuple]:
    """The committed indicators of a year as plain values, parents shown by code."""
    parent = aliased(Indicator)
    rows = await fetch(
        select(Employee.nip, Indicator, parent.code)
        .join(Employee, Employee.id == Indicator.employee_id)
        .outerjoin(parent, parent.id == Indicator.parent_id)
        .where(Indicator.year == year)
    )
    return {
        (nip, indicator.code): (
            indicator.title,
            indicator.measure,
            indicator.target,
            indicator.q1,
            indicator.q2,
            indicator.q3,
            indicator.q4,
            parent_code,
        )
        for nip, indicator, parent_code in rows
    }


async def import_committed(session: AsyncSession, path: Path) -> TargetImportReport:
    report = await import_targets(session, path)
    await session.commit()
    return report


async def rejected(session: AsyncSession, path: Path) -> list[str]:
    with pytest.raises(OrgImportError) as caught:
        await import_targets(session, path)
    assert str(caught.value) == "\n".join(caught.value.errors)
    return caught.value.errors


async def test_import_creates_indicators_with_parents(
    session: AsyncSession, fetch: Fetch, tmp_path: Path
) -> None:
    org = await seed_org(session)
    report = await import_committed(session, write(tmp_path / "targets.csv", GOOD_CSV))

    assert report == TargetImportReport(5, 0, 0)
    assert await stored(fetch) == EXPECTED
    staff_parents = await fetch(
        select(Indicator.parent_id).where(Indicator.employee_id == org.staff.id)
    )
    head_ids = await fetch(select(Indicator.id).where(Indicator.employee_id == org.head.id))
    assert set(staff_parents) == set(head_ids)


async def test_reimport_changes_nothing_and_counts_real_changes(
    session: AsyncSession, fetch: Fetch, tmp_path: Path
) -> None:
    await seed_org(session)
    path = write(tmp_path / "targets.csv", GOOD_CSV)
    await import_committed(session, path)

    again = await import_committed(session, path)
    assert again == TargetImportReport(0, 0, 5)
    assert again.summary() == "indicators: 0 created, 0 updated, 5 unchanged"

    changed = GOOD_CSV.replace(
        "ASN yang terlayani;orang;200;50;50.5", "ASN yang terlayani;orang;210;60;50.5"
    )
    report = await import_committed(session, write(path, changed))
    assert report.summary() == "indicators: 0 created, 1 updated, 4 unchanged"
    expected = dict(EXPECTED)
    expected[HEAD_NIP, "BID-2"] = expect("ASN yang terlayani", "orang", "210", "60 50.5 49.5 50")
    assert await stored(fetch) == expected


async def test_parents_in_the_database_and_rows_missing_from_the_file(
    session: AsyncSession, fetch: Fetch, tmp_path: Path
) -> None:
    await seed_org(session)
    await import_committed(session, write(tmp_path / "targets.csv", GOOD_CSV))
    staff_only = write(
        tmp_path / "staff.csv",
        f"{HEADER}\n"
        f"{STAFF_NIP};2025;STF-2;Konsultasi kepegawaian;orang;48;;;;;BID-1\n"
        f"{STAFF_NIP};2025;STF-3;Rekap mutasi;laporan;4;1;1;1;1;BID-2\n"
        f"{STAFF_NIP};2026;STF-1;Verifikasi usul mutasi;dokumen;130;;;;;\n",
    )

    report = await import_committed(session, staff_only)

    assert report == TargetImportReport(2, 1, 0)
    assert await stored(fetch) == {
        **EXPECTED,
        (STAFF_NIP, "STF-2"): expect("Konsultasi kepegawaian", "orang", "48", parent="BID-1"),
        (STAFF_NIP, "STF-3"): expect("Rekap mutasi", "laporan", "4", "1 1 1 1", "BID-2"),
    }
    assert await stored(fetch, 2026) == {
        (STAFF_NIP, "STF-1"): expect("Verifikasi usul mutasi", "dokumen", "130")
    }


async def test_xlsx_import_works_like_csv(
    session: AsyncSession, fetch: Fetch, tmp_path: Path
) -> None:
    await seed_org(session)
    rows = list(csv.reader(io.StringIO(GOOD_CSV), delimiter=";"))
    for row in rows[1:]:
        row[1] = int(row[1])  # years and most numbers as Excel number cells
        row[5:10] = [
            float(value) if "." in value else int(value) if value.isdigit() else value
            for value in row[5:10]
        ]
    assert rows[1][5:10] == ["120,5", 30, 30, 30, "30,5"]  # text cells stay text
    assert rows[5][5] == 99.75
    path = write_xlsx(tmp_path / "targets.xlsx", rows)

    assert await import_committed(session, path) == TargetImportReport(5, 0, 0)
    assert await stored(fetch) == EXPECTED
    assert await import_targets(session, path) == TargetImportReport(0, 0, 5)


async def test_xlsx_nip_stored_as_number_is_rejected(session: AsyncSession, tmp_path: Path) -> None:
    await seed_org(session)
    rows = list(csv.reader(io.StringIO(GOOD_CSV), delimiter=";"))
    rows[3][0] = int(HEAD_NIP)

    assert await rejected(session, write_xlsx(tmp_path / "targets.xlsx", rows)) == [
        "targets.xlsx:4: nip: stored as a number; format the column as Text and type the "
        "values again (Excel keeps only 15 digits)"
    ]


async def test_malformed_file_reports_every_problem_and_writes_nothing(
    session: AsyncSession, fetch: Fetch, tmp_path: Path
) -> None:
    await seed_org(session)
    await import_committed(session, write(tmp_path / "targets.csv", GOOD_CSV))
    ghost = "199912312020121999"
    bad = write(
        tmp_path / "bad.csv",
        "nip,year,code,title,unit,target,q1,q2,q3,q4,parent_code\n"
        f"{STAFF_NIP},2025,STF-1,Judul baru,dokumen,999,,,,,BID-1\n"  # valid, would update
        "12345,2025,X-1,Judul,dokumen,10,,,,,\n"
        f"{ghost},2025,X-2,Judul,dokumen,10,,,,,\n"
        f"{STAFF_NIP},20x5,X-3,Judul,dokumen,10,,,,,\n"
        f"{STAFF_NIP},1999,X-3,Judul,dokumen,10,,,,,\n"
        f"{STAFF_NIP},2025,X-4,Judul,dokumen,-5,,,,,\n"
        f"{STAFF_NIP},2025,X-5,Judul,dokumen,1.000,,,,,\n"
        f"{STAFF_NIP},2025,X-6,Judul,dokumen,100,25,25,25,20,\n"
        f"{STAFF_NIP},2025,X-6,Judul lagi,dokumen,100,,,,,\n"
        f"{STAFF_NIP},2025,X-7,Judul,dokumen,10,,,,,NOPE\n"
        f"{STAFF_NIP},2025,X-8,Judul,dokumen,10,,,,,ADM-1\n"
        f"{STAFF_NIP},2026,X-9,Judul,dokumen,10,,,,,BID-1\n"
        f"{HEAD_NIP},2025,BID-9,Judul,%,10,,,,,BID-1\n"
        f'{STAFF_NIP},2025,,,,"12,345",-1,x,,\n'
        f"{STAFF_NIP},2025,{'K' * 33},{'t' * 501},{'u' * 51},9999999999999,,,,,\n"
        f"{STAFF_NIP},2025,X-10,Judul,dokumen,,,,,,\n"
        ",,,,,,,,,,\n",
    )

    assert await rejected(session, bad) == [
        "bad.csv:3: nip: expected 18 digits, got '12345'",
        f"bad.csv:4: nip: unknown employee {ghost}",
        "bad.csv:5: year: expected a year from 2000 to 2100, got '20x5'",
        "bad.csv:6: year: expected a year from 2000 to 2100, got '1999'",
        "bad.csv:7: target: must be greater than 0, got '-5'",
        "bad.csv:8: target: ambiguous '1.000': write it without thousands separators",
        "bad.csv:9: target: q1..q4 add up to 95, not 100",
        f"bad.csv:10: code: duplicate X-6 for {STAFF_NIP} in 2025 (also on line 9)",
        f"bad.csv:11: parent_code: supervisor {HEAD_NIP} has no indicator NOPE in 2025",
        f"bad.csv:12: parent_code: supervisor {HEAD_NIP} has no indicator ADM-1 in 2025",
        f"bad.csv:13: parent_code: supervisor {HEAD_NIP} has no indicator BID-1 in 2026",
        f"bad.csv:14: parent_code: {HEAD_NIP} has no supervisor",
        "bad.csv:15: code: value is required",
        "bad.csv:15: title: value is required",
        "bad.csv:15: unit: value is required",
        "bad.csv:15: target: more than 2 decimals in '12,345'",
        "bad.csv:15: q1: must be at least 0, got '-1'",
        "bad.csv:15: q2: expected a number like 12,5, got 'x'",
        "bad.csv:16: code: longer than 32 characters",
        "bad.csv:16: title: longer than 500 characters",
        "bad.csv:16: unit: longer than 50 characters",
        "bad.csv:16: target: larger than 999999999999.99",
        "bad.csv:17: target: value is required",
    ]
    assert not session.new
    assert not session.dirty
    await session.commit()
    assert await stored(fetch) == EXPECTED
    assert await stored(fetch, 2026) == {}


async def test_missing_columns_and_unsupported_files_are_rejected(
    session: AsyncSession, fetch: Fetch, tmp_path: Path
) -> None:
    await seed_org(session)
    no_unit = write(
        tmp_path / "targets.csv",
        f"nip,year,code,title,target,Q1,q1\n{STAFF_NIP},2025,A,Judul,10,,\n",
    )
    assert await rejected(session, no_unit) == [
        "targets.csv:1: duplicate column 'q1'",
        "targets.csv:1: missing column 'unit'",
    ]
    text_file = write(tmp_path / "targets.txt", GOOD_CSV)
    assert await rejected(session, text_file) == [
        "targets.txt: unsupported file type; use .csv or .xlsx"
    ]
    assert await fetch(select(Indicator)) == []


async def test_queries_do_not_grow_with_the_number_of_rows(
    session: AsyncSession, engine: AsyncEngine, tmp_path: Path
) -> None:
    await seed_org(session)
    lines = [HEADER]
    lines += [
        f"{STAFF_NIP};2025;S-{n};Kegiatan {n};dokumen;4;1;1;1;1;B-{n % 50}" for n in range(1200)
    ]
    lines += [f"{HEAD_NIP};2025;B-{n};Sasaran {n};%;100;;;;;" for n in range(50)]
    path = write(tmp_path / "targets.csv", "\n".join(lines) + "\n")
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        first = await import_committed(session, path)
        statements_first = len(statements)
        again = await import_targets(session, path)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)

    assert (first.created, again.unchanged) == (1250, 1250)
    assert statements_first <= 10
    assert len(statements) - statements_first <= 3  # only the SELECTs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,5", "12.5"),
        ("12.5", "12.5"),
        (" 0,05 ", "0.05"),
        ("1000", "1000"),
        ("1000.00", "1000.00"),
        ("12.50", "12.50"),
        ("-3", "-3"),
        ("999999999999.99", "999999999999.99"),
    ],
)
def test_parse_decimal(text: str, expected: str) -> None:
    assert parse_decimal(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1.000", "ambiguous '1.000': write it without thousands separators"),
        ("12.500", "ambiguous '12.500'"),
        ("1.000.000", "expected a number like 12,5, got '1.000.000'"),
        ("1.000,5", "expected a number like 12,5"),
        ("", "expected a number"),
        ("12,5%", "expected a number"),
        ("1e3", "expected a number"),
        (",5", "expected a number"),
        ("1234.567", "more than 2 decimals in '1234.567'"),
        ("1000000000000", "larger than 999999999999.99"),
    ],
)
def test_parse_decimal_rejects(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=re.escape(reason)):
        parse_decimal(text)
