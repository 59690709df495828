"""The working-day calendar: national holidays and cuti bersama, corrected by admin overrides.

National days off come from the `holidays` package (Indonesia, public and government
categories, Indonesian names); the `holiday_override` table adds days off (is_holiday=True)
or turns a national holiday into a working day (is_holiday=False). Weekends are never
working days, and only Monday-Friday days off are listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType

import holidays
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import WEEKDAYS_PER_WEEK, working_days
from storage.models import HolidayOverride

COUNTRY = "ID"
CATEGORIES = ("public", "government")  # national holidays, cuti bersama
LANGUAGE = "id"
ONE_DAY = timedelta(days=1)


class Source(StrEnum):
    """Where a day off comes from."""

    NATIONAL = "national"
    OVERRIDE = "override"


class DayOffChange(StrEnum):
    """What `remove_day_off` did (shown by the CLI)."""

    REMOVED = "removed"
    MADE_WORKING_DAY = "made a working day"
    NOT_A_DAY_OFF = "not a day off"


def is_weekend(day: date) -> bool:
    """Saturday or Sunday."""
    return day.weekday() >= WEEKDAYS_PER_WEEK


@lru_cache(maxsize=32)
def national_days_off(year: int) -> Mapping[date, str]:
    """National holidays and cuti bersama of a year (weekends included), by Indonesian name.

    Cached per year: building the `holidays` object is slow.
    """
    days = holidays.country_holidays(COUNTRY, years=year, categories=CATEGORIES, language=LANGUAGE)
    return MappingProxyType(dict(sorted(days.items())))


@dataclass(frozen=True)
class Calendar:
    """Working days: Monday-Friday minus national holidays and cuti bersama, with overrides.

    `years` are the loaded years; asking about a day outside them raises ValueError rather
    than silently ignoring that year's holidays. None means `days_off` covers every date.
    """

    days_off: Mapping[date, str]  # every non-weekend day off in the loaded years, with its name
    years: frozenset[int] | None = None

    def _check(self, day: date) -> None:
        if self.years is not None and day.year not in self.years:
            raise ValueError(f"the calendar of {day.year} is not loaded")

    def is_working_day(self, day: date) -> bool:
        """Monday-Friday and not a day off."""
        self._check(day)
        return not is_weekend(day) and day not in self.days_off

    def working_days(self, start: date, end: date) -> int:
        """Working days in [start, end] inclusive (0 when end < start)."""
        if end < start:
            return 0
        for year in range(start.year, end.year + 1):
            self._check(date(year, 1, 1))
        return working_days(start, end, self.days_off.keys())

    def add_working_days(self, day: date, count: int) -> date:
        """The working day `count` working days after `day` (before it when negative).

        `day` itself is not counted; `count == 0` returns `day` unchanged.
        """
        step = ONE_DAY if count > 0 else -ONE_DAY
        remaining = abs(count)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_before(self, due: date, count: int) -> date:
        """The day that is `count` working days before `due`."""
        return self.add_working_days(due, -count)


def _merge(
    years: Iterable[int], overrides: Iterable[HolidayOverride]
) -> dict[date, tuple[str, Source]]:
    """Monday-Friday days off of the years with their name and source, overrides applied."""
    merged: dict[date, tuple[str, Source]] = {}
    for year in years:
        for day, name in national_days_off(year).items():
            if not is_weekend(day):
                merged[day] = (name, Source.NATIONAL)
    for override in overrides:
        if is_weekend(override.day):
            continue
        if not override.is_holiday:
            merged.pop(override.day, None)
            continue
        national = merged.get(override.day)
        name = override.name or (national[0] if national else "")
        merged[override.day] = (name, Source.OVERRIDE)
    return dict(sorted(merged.items()))


async def _overrides(session: AsyncSession, years: frozenset[int]) -> list[HolidayOverride]:
    """The overrides of the given years, in one query."""
    statement = select(HolidayOverride).where(
        col(HolidayOverride.day) >= date(min(years), 1, 1),
        col(HolidayOverride.day) < date(max(years) + 1, 1, 1),
    )
    rows = (await session.exec(statement)).all()
    return [row for row in rows if row.day.year in years]


async def load_calendar(session: AsyncSession, years: Iterable[int]) -> Calendar:
    """The calendar of the given years (at least one), with the overrides stored for them."""
    wanted = frozenset(years)
    if not wanted:
        raise ValueError("no year given")
    merged = _merge(sorted(wanted), await _overrides(session, wanted))
    days_off = MappingProxyType({day: name for day, (name, _source) in merged.items()})
    return Calendar(days_off=days_off, years=wanted)


async def add_override(session: AsyncSession, day: date, name: str) -> None:
    """Make `day` a day off named `name` (insert or update its override; no commit)."""
    override = await session.get(HolidayOverride, day)
    if override is None:
        session.add(HolidayOverride(day=day, name=name, is_holiday=True))
    else:
        override.name = name
        override.is_holiday = True
        session.add(override)
    await session.flush()


async def remove_day_off(session: AsyncSession, day: date) -> DayOffChange:
    """Make `day` a working day again (no commit).

    An added day off loses its override; a national holiday (or cuti bersama) gets an
    is_holiday=False override. Weekends stay off.
    """
    override = await session.get(HolidayOverride, day)
    national = day in national_days_off(day.year) and not is_weekend(day)
    if national:
        if override is not None and not override.is_holiday:
            return DayOffChange.NOT_A_DAY_OFF
        if override is None:
            override = HolidayOverride(day=day)
        override.name = national_days_off(day.year)[day]
        override.is_holiday = False
        session.add(override)
        await session.flush()
        return DayOffChange.MADE_WORKING_DAY
    if override is not None and override.is_holiday:
        await session.delete(override)
        await session.flush()
        return DayOffChange.REMOVED
    return DayOffChange.NOT_A_DAY_OFF


async def list_days_off(session: AsyncSession, year: int) -> list[tuple[date, str, str]]:
    """The Monday-Friday days off of a year as (day, name, "national" | "override"), sorted.

    Weekend holidays are left out (weekends are off anyway), and so are national holidays
    turned into working days. An override on a national holiday is listed as "override".
    """
    merged = _merge([year], await _overrides(session, frozenset([year])))
    return [(day, name, source) for day, (name, source) in merged.items()]
