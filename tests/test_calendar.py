"""The working-day calendar: 2026 Indonesian holidays, admin overrides, working-day arithmetic."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.calendar import (
    Calendar,
    DayOffChange,
    add_override,
    list_days_off,
    load_calendar,
    national_days_off,
    remove_day_off,
)
from storage.db import SessionMaker
from storage.models import HolidayOverride
from tests.harness import Fetch

INDEPENDENCE_DAY = date(2026, 8, 17)
CUTI_BERSAMA_IDUL_FITRI = date(2026, 3, 20)
HARI_GURU = date(2026, 11, 25)  # a Wednesday, not a day off
SATURDAY = date(2026, 11, 28)
SUNDAY = date(2026, 11, 29)
EXTRA_DAY_OFF = date(2026, 11, 27)  # a Friday


@pytest.fixture
async def calendar(session: AsyncSession) -> Calendar:
    return await load_calendar(session, [2026])


async def test_national_holidays_and_cuti_bersama(calendar: Calendar) -> None:
    assert not calendar.is_working_day(INDEPENDENCE_DAY)
    assert calendar.days_off[INDEPENDENCE_DAY] == "Hari Kemerdekaan Republik Indonesia"
    assert not calendar.is_working_day(CUTI_BERSAMA_IDUL_FITRI)
    assert calendar.days_off[CUTI_BERSAMA_IDUL_FITRI] == "Cuti Bersama Hari Raya Idul Fitri"
    assert not calendar.is_working_day(date(2026, 12, 25))
    assert calendar.is_working_day(HARI_GURU)
    assert calendar.is_working_day(date(2026, 8, 18))


async def test_weekends_are_never_working_days(calendar: Calendar) -> None:
    day = date(2026, 1, 1)
    while day.year == 2026:
        if day.weekday() >= 5:
            assert not calendar.is_working_day(day), day
            assert day not in calendar.days_off, day
        day += timedelta(days=1)
    # Idul Fitri 2026 falls on a weekend: off, but not listed as a weekday day off.
    assert date(2026, 3, 21) in national_days_off(2026)
    assert date(2026, 3, 21) not in calendar.days_off


async def test_unloaded_year_is_refused(session: AsyncSession, calendar: Calendar) -> None:
    with pytest.raises(ValueError, match="2027"):
        calendar.is_working_day(date(2027, 1, 4))
    with pytest.raises(ValueError, match="2027"):
        calendar.add_working_days(date(2026, 12, 31), 1)
    with pytest.raises(ValueError, match="2025"):
        calendar.working_days(date(2025, 12, 1), date(2026, 1, 31))
    with pytest.raises(ValueError, match="no year"):
        await load_calendar(session, [])


async def test_working_days(calendar: Calendar) -> None:
    # August 2026: 21 weekdays minus Aug 17 and Aug 25 (Maulid Nabi).
    assert calendar.working_days(date(2026, 8, 1), date(2026, 8, 31)) == 19
    # March 2026: 22 weekdays minus Nyepi, its cuti bersama and three Idul Fitri cuti bersama.
    assert calendar.working_days(date(2026, 3, 1), date(2026, 3, 31)) == 17
    # One week over a weekend, inclusive at both ends.
    assert calendar.working_days(date(2026, 11, 23), date(2026, 11, 30)) == 6
    assert calendar.working_days(SATURDAY, SUNDAY) == 0
    assert calendar.working_days(HARI_GURU, HARI_GURU) == 1
    assert calendar.working_days(date(2026, 8, 31), date(2026, 8, 1)) == 0


async def test_add_working_days(calendar: Calendar) -> None:
    # 5 working days before Friday Aug 21 skips the weekend and Monday Aug 17.
    assert calendar.working_days_before(date(2026, 8, 21), 5) == date(2026, 8, 13)
    assert calendar.add_working_days(date(2026, 8, 21), -5) == date(2026, 8, 13)
    assert calendar.add_working_days(date(2026, 8, 13), 5) == date(2026, 8, 21)
    # Over a weekend: Friday + 1 is Monday, Monday - 1 is Friday.
    assert calendar.add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)
    assert calendar.add_working_days(date(2026, 11, 30), -1) == date(2026, 11, 27)
    # From a weekend day.
    assert calendar.add_working_days(SATURDAY, 1) == date(2026, 11, 30)
    assert calendar.add_working_days(SUNDAY, -1) == date(2026, 11, 27)
    # Over the Idul Fitri block (Mar 18-24) both ways.
    assert calendar.add_working_days(date(2026, 3, 17), 1) == date(2026, 3, 25)
    assert calendar.add_working_days(date(2026, 3, 25), -1) == date(2026, 3, 17)
    assert calendar.add_working_days(HARI_GURU, 0) == HARI_GURU


async def test_add_working_days_across_years(session: AsyncSession) -> None:
    calendar = await load_calendar(session, [2026, 2027])
    # Jan 1 2027 (New Year) and Jan 5 (Isra Mikraj) are days off.
    assert calendar.add_working_days(date(2026, 12, 31), 5) == date(2027, 1, 11)
    assert calendar.add_working_days(date(2027, 1, 4), -1) == date(2026, 12, 31)
    # Dec 24 (cuti bersama) and Dec 25 2026 are days off.
    assert calendar.add_working_days(date(2026, 12, 28), -1) == date(2026, 12, 23)


async def test_add_and_remove_an_override(session: AsyncSession) -> None:
    await add_override(session, EXTRA_DAY_OFF, "Hari Jadi Provinsi")
    calendar = await load_calendar(session, [2026])
    assert not calendar.is_working_day(EXTRA_DAY_OFF)
    assert calendar.days_off[EXTRA_DAY_OFF] == "Hari Jadi Provinsi"
    assert calendar.add_working_days(date(2026, 11, 26), 1) == date(2026, 11, 30)

    await add_override(session, EXTRA_DAY_OFF, "HUT Provinsi")  # an upsert renames it
    calendar = await load_calendar(session, [2026])
    assert calendar.days_off[EXTRA_DAY_OFF] == "HUT Provinsi"

    assert await remove_day_off(session, EXTRA_DAY_OFF) == DayOffChange.REMOVED
    assert await remove_day_off(session, EXTRA_DAY_OFF) == DayOffChange.NOT_A_DAY_OFF
    assert await remove_day_off(session, HARI_GURU) == "not a day off"
    calendar = await load_calendar(session, [2026])
    assert calendar.is_working_day(EXTRA_DAY_OFF)
    assert (await session.exec(select(HolidayOverride))).all() == []


async def test_national_holiday_made_a_working_day(
    sessionmaker: SessionMaker, fetch: Fetch
) -> None:
    async with sessionmaker() as session:
        assert await remove_day_off(session, CUTI_BERSAMA_IDUL_FITRI) == "made a working day"
        assert await remove_day_off(session, CUTI_BERSAMA_IDUL_FITRI) == "not a day off"
        await session.commit()
    [row] = await fetch(select(HolidayOverride))
    assert (row.day, row.is_holiday) == (CUTI_BERSAMA_IDUL_FITRI, False)

    async with sessionmaker() as session:
        calendar = await load_calendar(session, [2026])
    assert calendar.is_working_day(CUTI_BERSAMA_IDUL_FITRI)
    assert CUTI_BERSAMA_IDUL_FITRI not in calendar.days_off
    assert calendar.working_days(date(2026, 3, 1), date(2026, 3, 31)) == 18

    # Adding it back as a day off flips the same override.
    async with sessionmaker() as session:
        await add_override(session, CUTI_BERSAMA_IDUL_FITRI, "Cuti Bersama Idul Fitri")
        await session.commit()
    [row] = await fetch(select(HolidayOverride))
    assert row.is_holiday
    async with sessionmaker() as session:
        calendar = await load_calendar(session, [2026])
    assert not calendar.is_working_day(CUTI_BERSAMA_IDUL_FITRI)


async def test_overrides_of_other_years_are_not_loaded(session: AsyncSession) -> None:
    await add_override(session, date(2027, 11, 26), "Next year")
    await add_override(session, date(2025, 11, 26), "Last year")
    calendar = await load_calendar(session, [2026])
    assert calendar.is_working_day(date(2026, 11, 26))
    both = await load_calendar(session, [2025, 2027])
    assert not both.is_working_day(date(2027, 11, 26))
    assert not both.is_working_day(date(2025, 11, 26))
    assert date(2026, 11, 26) not in both.days_off


async def test_load_calendar_runs_one_query(session: AsyncSession, engine: AsyncEngine) -> None:
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        await load_calendar(session, [2025, 2026, 2027])
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert len([s for s in statements if "holiday_override" in s]) == 1


async def test_list_days_off(session: AsyncSession) -> None:
    await add_override(session, EXTRA_DAY_OFF, "Hari Jadi Provinsi")
    await add_override(session, INDEPENDENCE_DAY, "HUT RI ke-81")
    await add_override(session, SATURDAY, "Kerja bakti")  # a weekend: not listed
    await remove_day_off(session, CUTI_BERSAMA_IDUL_FITRI)

    days = await list_days_off(session, 2026)
    assert days == sorted(days)
    listed = {day: (name, source) for day, name, source in days}
    assert listed[EXTRA_DAY_OFF] == ("Hari Jadi Provinsi", "override")
    assert listed[INDEPENDENCE_DAY] == ("HUT RI ke-81", "override")
    assert listed[date(2026, 1, 1)] == ("Tahun Baru Masehi", "national")
    assert listed[date(2026, 3, 19)] == ("Hari Suci Nyepi", "national")
    assert CUTI_BERSAMA_IDUL_FITRI not in listed
    assert SATURDAY not in listed
    assert date(2026, 3, 21) not in listed  # Idul Fitri on a Saturday
    assert all(day.weekday() < 5 and day.year == 2026 for day in listed)
    # 21 weekday national days, one made a working day, one added.
    assert len(days) == 21


def test_calendar_built_by_hand_covers_every_year() -> None:
    calendar = Calendar(days_off={date(2030, 1, 1): "Tahun Baru"})
    assert not calendar.is_working_day(date(2030, 1, 1))
    assert calendar.add_working_days(date(2029, 12, 31), 1) == date(2030, 1, 2)
