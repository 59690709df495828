"""Team aggregates: the subordinate tree, weekly activity, achievement and chart counts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Activity, DailyReport, Employee, Indicator, ReportStatus
from storage.team import (
    MemberAchievement,
    MemberActivity,
    TeamMember,
    TeamPage,
    TeamTotals,
    daily_report_counts,
    member_achievement,
    monday_of,
    team_page,
    team_tree,
)
from tests.factories import STAFF_NIP, seed_org

D = Decimal
YEAR = 2026
TODAY = date(YEAR, 5, 14)  # a Thursday
WEEK_START = date(YEAR, 5, 11)
A, S, R, X = (
    ReportStatus.APPROVED,
    ReportStatus.SUBMITTED,
    ReportStatus.RETURNED,
    ReportStatus.DRAFT,
)

# Who reports to whom, in insertion order (ids do not follow names, so sorting is tested).
# "Siti" (the head) and "Budi <Santoso>" (her staff) come from seed_org; "Andi" is its admin.
PEOPLE: list[tuple[str, str, bool]] = [  # (name, supervisor's name, active)
    ("Hendra Wijaya", "Siti", True),
    ("Dewi Lestari", "Siti", True),
    ("Gita Permata", "Dewi Lestari", True),
    ("Fajar Nugroho", "Dewi Lestari", True),
    ("Eko Prasetyo", "Dewi Lestari", True),
    ("Mira Anggraini", "Fajar Nugroho", True),
    ("Kartika Dewi", "Hendra Wijaya", True),
    ("Joko Susilo", "Hendra Wijaya", False),  # inactive: never shown, never counted
    ("Indah Sari", "Hendra Wijaya", True),
    ("Nanda Putri", "Andi", True),  # outside Siti's tree
]
LINKED = {"Dewi Lestari", "Eko Prasetyo"}

# (indicator code or None, quantity or None, description)
Line = tuple[str | None, str | None, str]
REPORTS: dict[str, list[tuple[date, ReportStatus, list[Line]]]] = {
    "Budi": [
        (date(YEAR, 3, 31), A, [("IKU-01", "5", "Verifikasi berkas Maret")]),  # Q1
        (date(YEAR, 5, 7), S, [("IKU-01", "1.5", "Rapat koordinasi")]),
        (
            date(YEAR, 5, 11),
            A,
            [("IKU-01", "2", "Verifikasi berkas mutasi"), (None, "1", "Apel pagi")],
        ),
        (
            date(YEAR, 5, 12),
            A,
            [("IKU-01", "3", "Rapat koordinasi"), ("IKU-02", "1", "Konsultasi")],  # copy
        ),
        (date(YEAR, 5, 13), R, [("IKU-01", "1", "Verifikasi berkas mutasi")]),  # copy
        (date(YEAR, 5, 14), S, [("IKU-02", "2.25", "Menyusun laporan")]),
    ],
    "Dewi Lestari": [
        (date(YEAR, 5, 8), X, [("IKU-01", None, "")]),
        (date(YEAR, 5, 11), A, [("IKU-01", "1", "Supervisi seksi")]),
        (date(YEAR, 5, 12), S, [("IKU-01", "0.5", "Input data SIASN")]),  # Eko's text
        # Activities still being entered ("") match nothing, not even each other.
        (date(YEAR, 5, 13), X, [("IKU-01", None, "")]),
        (date(YEAR, 5, 14), X, [("IKU-01", "2", "Supervisi seksi")]),  # a draft copying 05-11
    ],
    "Eko Prasetyo": [
        (
            date(YEAR, 5, 4),
            A,
            [("IKU-01", "4", "Input data SIASN"), (None, "1", "Arsip digital")],
        ),
        (date(YEAR, 5, 11), A, [("IKU-01", "3", "Input data SIASN")]),  # copy
        (
            date(YEAR, 5, 14),
            A,
            [("IKU-01", "2", "Arsip digital"), ("IKU-01", "1", "Input data SIASN")],  # copy
        ),
    ],
    "Fajar Nugroho": [
        (date(YEAR, 4, 30), R, [(None, "1", "Koreksi data")]),
        # The same text twice in one report is not a copy of an EARLIER report.
        (date(YEAR, 5, 12), S, [(None, "1", "Pelayanan tamu"), (None, "2", "Pelayanan tamu")]),
        (date(YEAR, 5, 15), S, [(None, "1", "Pelayanan tamu")]),  # after today
    ],
    "Gita Permata": [
        (date(YEAR, 5, 13), R, [(None, "1", "Telaah staf")]),
        (date(YEAR, 5, 14), R, [(None, "1", "Telaah staf revisi")]),
    ],
    "Hendra Wijaya": [
        (date(YEAR, 5, 8), A, [(None, "1", "Rapat koordinasi")]),
        (date(YEAR, 5, 11), A, [(None, "1", "rapat koordinasi")]),  # not word for word
    ],
    "Indah Sari": [
        (date(YEAR, 5, 14), A, [(None, "1", "Rapat koordinasi")]),  # others' text only
    ],
    "Kartika Dewi": [
        (date(YEAR, 5, 11), S, [("IKU-01", "1", "Rekap cuti")]),
        (date(YEAR, 5, 12), S, [("IKU-01", "1", "Rekap izin")]),
        (date(YEAR, 5, 13), S, [("IKU-01", "1", "Rekap lembur")]),
        (date(YEAR, 7, 1), A, [("IKU-01", "5", "Rekap cuti")]),  # Q3
    ],
    "Joko Susilo": [(date(YEAR, 5, 14), A, [("IKU-01", "9", "Rekap cuti")])],
    "Nanda Putri": [(date(YEAR, 5, 14), A, [(None, "1", "Apel pagi")])],
}
# (owner, code, target, year, explicit quarter targets)
INDICATORS: list[tuple[str, str, str, int, dict[str, str]]] = [
    ("Budi", "IKU-02", "12", YEAR, {"q2": "5"}),
    ("Budi", "IKU-01", "100", YEAR, {}),
    ("Budi", "IKU-01", "80", YEAR - 1, {}),
    ("Dewi Lestari", "IKU-01", "7", YEAR, {}),
    ("Eko Prasetyo", "IKU-01", "40", YEAR, {"q1": "8", "q2": "12"}),
    ("Kartika Dewi", "IKU-01", "10", YEAR, {}),
    ("Joko Susilo", "IKU-01", "10", YEAR, {}),
]


EXTRA_DAYS = (date(YEAR, 5, 11), date(YEAR, 5, 12), TODAY)


def first_name(name: str) -> str:
    return name.split()[0]


async def add_people(session: AsyncSession, people: dict[str, Employee], unit_id: int) -> None:
    """PEOPLE under seed_org's employees; ids are not in name order."""
    for number, (name, boss, active) in enumerate(PEOPLE):
        person = Employee(
            nip=f"19900101202001{number:04d}",
            name=name,
            position="Kepala Seksi" if boss == "Siti" else "Staf",
            unit_id=unit_id,
            supervisor_id=people[first_name(boss)].id,
            is_active=active,
            telegram_id=7_000 + number if name in LINKED else None,
        )
        session.add(person)
        await session.flush()
        people[first_name(name)] = person


async def add_indicators(
    session: AsyncSession, people: dict[str, Employee]
) -> dict[tuple[str, str], int]:
    """INDICATORS; the ids of this year's by (first name, code)."""
    ids = {}
    for owner, code, target, year, quarters in INDICATORS:
        indicator = Indicator(
            employee_id=people[first_name(owner)].id,
            year=year,
            code=code,
            title=f"Indikator {code}",
            measure="dokumen",
            target=D(target),
            **{key: D(value) for key, value in quarters.items()},
        )
        session.add(indicator)
        await session.flush()
        if year == YEAR:
            assert indicator.id is not None
            ids[first_name(owner), code] = indicator.id
    return ids


async def add_report(
    session: AsyncSession,
    employee_id: int,
    day: date,
    status: ReportStatus,
    activities: list[tuple[int | None, str | None, str]],
) -> None:
    """A report with (indicator id, quantity, description) activities."""
    report = DailyReport(employee_id=employee_id, work_date=day, status=status)
    session.add(report)
    await session.flush()
    session.add_all(
        Activity(
            report_id=report.id,
            employee_id=employee_id,
            indicator_id=indicator_id,
            description=description,
            quantity=None if quantity is None else D(quantity),
        )
        for indicator_id, quantity, description in activities
    )


async def add_extra_staff(
    session: AsyncSession, supervisor_id: int, unit_id: int, count: int
) -> None:
    """`count` more staff under one supervisor, each with an indicator and three reports."""
    for number in range(count):
        person = Employee(
            nip=f"19950505202001{number:04d}",
            name=f"Staf Tambahan {number:03d}",
            unit_id=unit_id,
            supervisor_id=supervisor_id,
        )
        session.add(person)
        await session.flush()
        assert person.id is not None
        indicator = Indicator(
            employee_id=person.id,
            year=YEAR,
            code="IKU-01",
            title="Tambahan",
            measure="dokumen",
            target=D(4),
        )
        session.add(indicator)
        await session.flush()
        for day, status in zip(EXTRA_DAYS, (A, S, A), strict=True):
            await add_report(session, person.id, day, status, [(indicator.id, "1", "Sama")])


async def seed_team(session: AsyncSession, extra_staff: int = 0) -> dict[str, int]:
    """seed_org plus PEOPLE, INDICATORS and REPORTS; employee ids by first name."""
    org = await seed_org(session)
    people = {"Siti": org.head, "Budi": org.staff, "Andi": org.admin}
    await add_people(session, people, org.division.id or 0)
    indicators = await add_indicators(session, people)
    for owner, plan in REPORTS.items():
        name = first_name(owner)
        for day, status, lines in plan:
            activities = [
                (None if code is None else indicators[name, code], quantity, description)
                for code, quantity, description in lines
            ]
            await add_report(session, people[name].id or 0, day, status, activities)
    await add_extra_staff(session, people["Hendra"].id or 0, org.division.id or 0, extra_staff)
    await session.commit()
    return {name: person.id or 0 for name, person in people.items()}


@pytest.fixture
async def ids(session: AsyncSession) -> dict[str, int]:
    return await seed_team(session)


def test_monday_of() -> None:
    assert monday_of(TODAY) == WEEK_START
    assert monday_of(WEEK_START) == WEEK_START
    assert monday_of(date(YEAR, 5, 17)) == WEEK_START  # Sunday
    assert monday_of(date(YEAR, 1, 1)) == date(YEAR - 1, 12, 29)


async def test_team_tree_is_depth_first_with_siblings_by_name(
    session: AsyncSession, ids: dict[str, int]
) -> None:
    tree = await team_tree(session, ids["Siti"])
    names = {id_: name for name, id_ in ids.items()}
    assert [
        (first_name(m.name), m.depth, names[m.supervisor_id], m.telegram_linked) for m in tree
    ] == [
        ("Budi", 1, "Siti", False),
        ("Dewi", 1, "Siti", True),
        ("Eko", 2, "Dewi", True),
        ("Fajar", 2, "Dewi", False),
        ("Mira", 3, "Fajar", False),
        ("Gita", 2, "Dewi", False),
        ("Hendra", 1, "Siti", False),
        ("Indah", 2, "Hendra", False),
        ("Kartika", 2, "Hendra", False),
    ]
    assert tree[0] == TeamMember(
        employee_id=ids["Budi"],
        nip=STAFF_NIP,
        name="Budi <Santoso>",
        position="Analis Kepegawaian",
        depth=1,
        supervisor_id=ids["Siti"],
        telegram_linked=False,
    )


async def test_team_tree_of_a_section_head_and_of_a_leaf(
    session: AsyncSession, ids: dict[str, int]
) -> None:
    tree = await team_tree(session, ids["Dewi"])
    assert [(first_name(m.name), m.depth) for m in tree] == [
        ("Eko", 1),
        ("Fajar", 1),
        ("Mira", 2),
        ("Gita", 1),
    ]
    assert await team_tree(session, ids["Mira"]) == []
    assert [m.name for m in await team_tree(session, ids["Andi"])] == ["Nanda Putri"]


async def test_a_supervisor_id_cycle_through_the_supervisor_ends(
    session: AsyncSession, ids: dict[str, int]
) -> None:
    siti = await session.get(Employee, ids["Siti"])
    assert siti is not None
    siti.supervisor_id = ids["Mira"]
    session.add(siti)
    await session.commit()
    tree = await team_tree(session, ids["Siti"])
    assert [first_name(member.name) for member in tree] == [
        "Budi",
        "Dewi",
        "Eko",
        "Fajar",
        "Mira",
        "Gita",
        "Hendra",
        "Indah",
        "Kartika",
    ]
    assert "Siti" in [first_name(member.name) for member in await team_tree(session, ids["Dewi"])]


def activity_of(page: TeamPage) -> list[MemberActivity]:
    return [activity for _member, activity in page.members]


async def test_team_page_holding_the_whole_tree(session: AsyncSession, ids: dict[str, int]) -> None:
    page = await team_page(session, ids["Siti"], TODAY, 1, 20)
    assert page is not None
    expected = {
        "Budi": (S, 3, 1, 2, 2),
        "Dewi": (None, 2, 0, 1, 1),  # today only a draft; the draft copies 05-11
        "Eko": (A, 2, 0, 0, 2),
        "Fajar": (None, 1, 0, 2, 0),
        "Mira": (None, 0, 0, 0, 0),
        "Gita": (R, 0, 2, 0, 0),
        "Hendra": (None, 1, 0, 0, 0),
        "Indah": (A, 1, 0, 0, 0),
        "Kartika": (None, 3, 0, 3, 0),
    }
    assert activity_of(page) == [
        MemberActivity(ids[name], *values) for name, values in expected.items()
    ]
    assert [member for member, _activity in page.members] == await team_tree(session, ids["Siti"])
    assert (page.page, page.pages, page.first) == (1, 1, 0)
    assert page.totals == TeamTotals(members=9, reported_today=4, pending=8, returned_this_week=3)


async def test_team_page_of_an_earlier_week(session: AsyncSession, ids: dict[str, int]) -> None:
    page = await team_page(session, ids["Hendra"], date(YEAR, 5, 8), 1, 20)
    assert page is not None
    assert activity_of(page) == [
        MemberActivity(ids["Indah"], None, 0, 0, 0, 0),
        MemberActivity(ids["Kartika"], None, 0, 0, 3, 0),
    ]
    assert page.totals == TeamTotals(members=2, reported_today=0, pending=3, returned_this_week=0)
    assert await team_page(session, ids["Mira"], TODAY, 1, 20) is None


def extra_names(first: int, last: int) -> list[str]:
    return [f"Staf Tambahan {number:03d}" for number in range(first, last + 1)]


async def test_team_pages_follow_the_tree(session: AsyncSession) -> None:
    ids = await seed_team(session, extra_staff=40)  # 49 members: pages of 20, 20 and 9
    first_nine = ["Budi", "Dewi", "Eko", "Fajar", "Mira", "Gita", "Hendra", "Indah", "Kartika"]
    expected = {
        1: first_nine + extra_names(0, 10),
        2: extra_names(11, 30),
        3: extra_names(31, 39),
    }
    totals = TeamTotals(members=49, reported_today=44, pending=48, returned_this_week=3)
    tree = await team_tree(session, ids["Siti"])
    for number, names in expected.items():
        page = await team_page(session, ids["Siti"], TODAY, number, 20)
        assert page is not None
        first = (number - 1) * 20
        assert (page.page, page.pages, page.first, page.totals) == (number, 3, first, totals)
        shown = [member.name for member, _activity in page.members]
        assert [name if name.startswith("Staf") else first_name(name) for name in shown] == names
        assert [member for member, _activity in page.members] == tree[first : first + 20]
        for member, activity in page.members:
            if member.name.startswith("Staf"):  # Hendra's, each repeating "Sama" twice
                assert member.depth == 2
                assert activity == MemberActivity(member.employee_id, A, 3, 0, 1, 2)


@pytest.mark.parametrize(("asked", "shown"), [(0, 1), (-7, 1), (3, 3), (4, 3), (10**9, 3)])
async def test_a_page_out_of_range_is_clamped(
    session: AsyncSession, asked: int, shown: int
) -> None:
    ids = await seed_team(session, extra_staff=40)
    page = await team_page(session, ids["Siti"], TODAY, asked, 20)
    assert page is not None
    size = 20 if shown < 3 else 9
    assert (page.page, page.first, len(page.members)) == (shown, (shown - 1) * 20, size)


def achievement(
    employee_id: int, code: str, target: str, approved: str, pending: str
) -> MemberAchievement:
    return MemberAchievement(
        employee_id, code, f"Indikator {code}", "dokumen", D(target), D(approved), D(pending)
    )


async def team_ids(session: AsyncSession, supervisor_id: int) -> list[int]:
    return [member.employee_id for member in await team_tree(session, supervisor_id)]


async def test_member_achievement(session: AsyncSession, ids: dict[str, int]) -> None:
    siti = await team_ids(session, ids["Siti"])
    assert await member_achievement(session, siti, YEAR, 2) == [
        achievement(ids["Budi"], "IKU-01", "25.00", "5.00", "1.50"),
        achievement(ids["Budi"], "IKU-02", "5.00", "1.00", "2.25"),
        achievement(ids["Dewi"], "IKU-01", "1.75", "1.00", "0.50"),
        achievement(ids["Eko"], "IKU-01", "12.00", "10.00", "0.00"),
        achievement(ids["Kartika"], "IKU-01", "2.50", "0.00", "3.00"),
    ]

    assert await member_achievement(session, [ids["Eko"], ids["Mira"]], YEAR, 2) == [
        achievement(ids["Eko"], "IKU-01", "12.00", "10.00", "0.00"),
    ]


async def test_member_achievement_other_quarters_and_years(
    session: AsyncSession, ids: dict[str, int]
) -> None:
    siti = await team_ids(session, ids["Siti"])
    assert await member_achievement(session, siti, YEAR, 1) == [
        achievement(ids["Budi"], "IKU-01", "25.00", "5.00", "0.00"),
        achievement(ids["Budi"], "IKU-02", "3.00", "0.00", "0.00"),
        achievement(ids["Dewi"], "IKU-01", "1.75", "0.00", "0.00"),
        achievement(ids["Eko"], "IKU-01", "8.00", "0.00", "0.00"),
        achievement(ids["Kartika"], "IKU-01", "2.50", "0.00", "0.00"),
    ]
    hendra = await team_ids(session, ids["Hendra"])
    assert await member_achievement(session, hendra, YEAR, 3) == [
        achievement(ids["Kartika"], "IKU-01", "2.50", "5.00", "0.00"),
    ]
    assert await member_achievement(session, siti, YEAR - 1, 2) == [
        achievement(ids["Budi"], "IKU-01", "20.00", "0.00", "0.00"),
    ]
    assert await member_achievement(session, [], YEAR, 2) == []


async def test_daily_report_counts(session: AsyncSession, ids: dict[str, int]) -> None:
    siti, dewi = await team_ids(session, ids["Siti"]), await team_ids(session, ids["Dewi"])
    assert await daily_report_counts(session, siti, date(YEAR, 5, 4), date(YEAR, 5, 15)) == [
        (date(YEAR, 5, 4), 1),
        (date(YEAR, 5, 7), 1),
        (date(YEAR, 5, 8), 1),
        (date(YEAR, 5, 11), 5),
        (date(YEAR, 5, 12), 4),
        (date(YEAR, 5, 13), 1),
        (date(YEAR, 5, 14), 3),
    ]
    assert await daily_report_counts(session, dewi, WEEK_START, date(YEAR, 5, 16)) == [
        (date(YEAR, 5, 11), 1),
        (date(YEAR, 5, 12), 1),
        (date(YEAR, 5, 14), 1),
        (date(YEAR, 5, 15), 1),
    ]
    assert await daily_report_counts(session, [], WEEK_START, TODAY) == []


Call = Callable[[AsyncSession, int, list[int]], Awaitable[Any]]
CALLS: dict[str, Call] = {
    "team_tree": lambda session, boss, _team: team_tree(session, boss),
    "team_page": lambda session, boss, _team: team_page(session, boss, TODAY, 2, 20),
    "member_achievement": lambda session, _boss, team: member_achievement(session, team, YEAR, 2),
    "daily_report_counts": lambda session, _boss, team: daily_report_counts(
        session, team, WEEK_START, TODAY
    ),
}


@pytest.mark.parametrize("extra_staff", [0, 40])
@pytest.mark.parametrize("call", list(CALLS))
async def test_one_statement_whatever_the_team_size(
    session: AsyncSession, engine: AsyncEngine, call: str, extra_staff: int
) -> None:
    ids = await seed_team(session, extra_staff)
    team = await team_ids(session, ids["Siti"])
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    await session.connection()  # begin first: SQLite's BEGIN IMMEDIATE is a statement too
    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        result = await CALLS[call](session, ids["Siti"], team)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert result
    assert len(statements) == 1, statements
    if call == "team_tree":
        assert len(result) == 9 + extra_staff
    if call == "team_page":  # page 2 of 20: the 21st to the 40th, else clamped to page 1
        shown = [member.employee_id for member, _activity in result.members]
        assert shown == (team[20:40] if extra_staff else team)
