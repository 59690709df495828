"""Counter import: codes fit the QR link, every problem at once, re-runs update in place."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.counters_import import (
    CounterImportReport,
    active_counters,
    counter_by_code,
    import_counters,
    parse_counter_code,
)
from storage.models import ServiceCounter
from storage.org_import import OrgImportError
from tests.factories import seed_org
from tests.harness import Fetch

GOOD_CSV = """\
code,unit_code,name,service,quick
ktp-01,BKD-MUT,Loket 1,Perekaman KTP-el,
kk_02,BKD-MUT,Loket 2,Kartu Keluarga,no
info,BKD,Meja Informasi,Informasi kepegawaian,ya
"""


def stored(rows: list[ServiceCounter]) -> dict[str, tuple[object, ...]]:
    return {
        row.code: (row.unit_id, row.name, row.service, row.quick, row.is_active) for row in rows
    }


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


async def test_good_file_creates_the_counters(
    session: AsyncSession, fetch: Fetch, tmp_path: Path
) -> None:
    org = await seed_org(session)
    report = await import_counters(session, write(tmp_path / "loket.csv", GOOD_CSV))
    await session.commit()

    assert report == CounterImportReport(created=3, updated=0, unchanged=0)
    assert report.summary() == "counters: 3 created, 0 updated, 0 unchanged"
    assert stored(await fetch(select(ServiceCounter))) == {
        "ktp-01": (org.division.id, "Loket 1", "Perekaman KTP-el", False, True),
        "kk_02": (org.division.id, "Loket 2", "Kartu Keluarga", False, True),
        "info": (org.province.id, "Meja Informasi", "Informasi kepegawaian", True, True),
    }


async def test_bad_file_is_rejected_whole_with_every_line_named(
    session: AsyncSession, fetch: Fetch, tmp_path: Path
) -> None:
    await seed_org(session)
    text = (
        "code;unit_code;name;service;quick;active\n"
        "ktp-01;BKD-MUT;Loket 1;Perekaman KTP-el;;\n"  # line 2: good
        "loket 1;BKD;Loket spasi;KTP;;\n"  # 3: a space in the code
        f"{'x' * 33};BKD;Loket panjang;KTP;;\n"  # 4: 33 characters
        "ktp-01;BKD;Loket ganda;KTP;;\n"  # 5: the code of line 2 again
        "kk;NOPE;Loket;KK;;\n"  # 6: unknown unit
        f"akta;BKD;;{'s' * 201};mungkin;nanti\n"  # 7: no name, long service, bad flags
        "lóket;BKD;Loket;KTP;;\n"  # 8: not ASCII
    )
    path = write(tmp_path / "loket.csv", text)

    with pytest.raises(OrgImportError) as caught:
        await import_counters(session, path)

    assert caught.value.errors == [
        "loket.csv:3: code: 'loket 1' may only use the letters A-Z a-z, digits 0-9, _ and - "
        "(it becomes part of the QR code's link)",
        "loket.csv:4: code: longer than 32 characters",
        "loket.csv:5: code: duplicate ktp-01 (also on line 2)",
        "loket.csv:6: unit_code: unknown unit NOPE",
        "loket.csv:7: name: value is required",
        "loket.csv:7: service: longer than 200 characters",
        "loket.csv:7: quick: expected yes or no, got 'mungkin'",
        "loket.csv:7: active: expected yes or no, got 'nanti'",
        "loket.csv:8: code: 'lóket' may only use the letters A-Z a-z, digits 0-9, _ and - "
        "(it becomes part of the QR code's link)",
    ]
    await session.rollback()
    assert await fetch(select(ServiceCounter.code)) == []


async def test_missing_column_is_reported(session: AsyncSession, tmp_path: Path) -> None:
    path = write(tmp_path / "loket.csv", "code,unit_code,name\nktp,BKD,Loket 1\n")
    with pytest.raises(OrgImportError) as caught:
        await import_counters(session, path)
    assert caught.value.errors == ["loket.csv:1: missing column 'service'"]


async def test_rerun_updates_in_place(session: AsyncSession, fetch: Fetch, tmp_path: Path) -> None:
    org = await seed_org(session)
    path = write(tmp_path / "loket.csv", GOOD_CSV)
    await import_counters(session, path)
    await session.commit()
    ids = dict(await fetch(select(ServiceCounter.code, ServiceCounter.id)))

    changed = GOOD_CSV.replace("Loket 2,Kartu Keluarga,no", "Loket 2,Kartu Keluarga,yes")
    changed = changed.replace("ktp-01,BKD-MUT,Loket 1", "ktp-01,BKD,Loket 1A")
    write(
        path,
        changed.replace("code,unit_code,name,service,quick", "Code,Unit_Code,Name,Service,Quick"),
    )
    report = await import_counters(session, path)
    await session.commit()

    assert report.summary() == "counters: 0 created, 2 updated, 1 unchanged"
    assert dict(await fetch(select(ServiceCounter.code, ServiceCounter.id))) == ids
    counters = stored(await fetch(select(ServiceCounter)))
    assert counters["ktp-01"] == (org.province.id, "Loket 1A", "Perekaman KTP-el", False, True)
    assert counters["kk_02"][3] is True  # now one quick question

    again = await import_counters(session, path)
    assert again.summary() == "counters: 0 created, 0 updated, 3 unchanged"


async def test_xlsx_and_retiring_a_counter(
    session: AsyncSession, fetch: Fetch, tmp_path: Path
) -> None:
    await seed_org(session)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["code", "unit_code", "name", "service", "quick", "active"])
    sheet.append(["ktp-01", "BKD-MUT", "Loket 1", "KTP", "tidak", "ya"])
    sheet.append(["lama", "BKD-MUT", "Loket lama", "Legalisir", None, "tidak"])
    path = tmp_path / "loket.xlsx"
    workbook.save(path)

    await import_counters(session, path)
    await session.commit()

    counters = stored(await fetch(select(ServiceCounter)))
    assert (counters["ktp-01"][4], counters["lama"][4]) == (True, False)
    assert [counter.code for counter in await active_counters(session)] == ["ktp-01"]
    retired = await counter_by_code(session, "lama")
    assert retired is not None and retired.name == "Loket lama"
    assert await counter_by_code(session, "nope") is None


def test_the_longest_code_fits_the_column_and_the_link() -> None:
    assert parse_counter_code("a" * 32) == "a" * 32
    with pytest.raises(ValueError, match="longer than 32"):
        parse_counter_code("a" * 33)
    with pytest.raises(ValueError, match="A-Z"):
        parse_counter_code("loket/1")
