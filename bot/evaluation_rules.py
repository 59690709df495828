"""Evaluation rules (PermenPANRB 6/2022): predicates, BerAKHLAK behaviours, periods, deadlines.

Plain functions with no aiogram import, reused by handlers, the scheduler and exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.domain import QUARTERS, month_bounds, quarter_bounds, quarter_of, year_bounds
from storage.calendar import Calendar

MONTHS = 12
ONE_DAY = timedelta(days=1)


class Rating(StrEnum):
    """A rating of work results or of behaviour against expectation."""

    BELOW = "below"
    AS = "as"
    ABOVE = "above"


class Predicate(StrEnum):
    """The performance predicate of PermenPANRB 6/2022."""

    SANGAT_BAIK = "sangat_baik"
    BAIK = "baik"
    BUTUH_PERBAIKAN = "butuh_perbaikan"
    KURANG = "kurang"  # also "misconduct": results met or exceeded, behaviour below
    SANGAT_KURANG = "sangat_kurang"


# (results, behaviour) -> predicate.
_MATRIX: dict[tuple[Rating, Rating], Predicate] = {
    (Rating.ABOVE, Rating.BELOW): Predicate.KURANG,
    (Rating.ABOVE, Rating.AS): Predicate.BAIK,
    (Rating.ABOVE, Rating.ABOVE): Predicate.SANGAT_BAIK,
    (Rating.AS, Rating.BELOW): Predicate.KURANG,
    (Rating.AS, Rating.AS): Predicate.BAIK,
    (Rating.AS, Rating.ABOVE): Predicate.BAIK,
    (Rating.BELOW, Rating.BELOW): Predicate.SANGAT_KURANG,
    (Rating.BELOW, Rating.AS): Predicate.BUTUH_PERBAIKAN,
    (Rating.BELOW, Rating.ABOVE): Predicate.BUTUH_PERBAIKAN,
}


def predicate(results: Rating, behaviour: Rating) -> Predicate:
    """The predicate for a results rating and a behaviour rating (plain strings accepted)."""
    return _MATRIX[Rating(results), Rating(behaviour)]


# The seven BerAKHLAK core values, in order: (code, Indonesian name).
BEHAVIOURS: tuple[tuple[str, str], ...] = (
    ("berorientasi_pelayanan", "Berorientasi Pelayanan"),
    ("akuntabel", "Akuntabel"),
    ("kompeten", "Kompeten"),
    ("harmonis", "Harmonis"),
    ("loyal", "Loyal"),
    ("adaptif", "Adaptif"),
    ("kolaboratif", "Kolaboratif"),
)


class PeriodKind(StrEnum):
    """How often a unit evaluates."""

    QUARTERLY = "quarterly"
    MONTHLY = "monthly"
    ANNUAL = "annual"


@dataclass(frozen=True)
class Period:
    """An evaluation period: key "2026-Q4", "2026-11" or "2026"; `end` is inclusive."""

    key: str
    kind: PeriodKind
    start: date
    end: date


def _period(kind: PeriodKind, key: str, bounds: tuple[date, date]) -> Period:
    start, next_start = bounds
    return Period(key=key, kind=kind, start=start, end=next_start - ONE_DAY)


def period_of(kind: PeriodKind, day: date) -> Period:
    """The period of the given kind that contains `day`."""
    kind = PeriodKind(kind)
    if kind is PeriodKind.QUARTERLY:
        quarter = quarter_of(day)
        return _period(kind, f"{day.year}-Q{quarter}", quarter_bounds(day.year, quarter))
    if kind is PeriodKind.MONTHLY:
        return _period(kind, f"{day.year}-{day.month:02d}", month_bounds(day))
    return _period(kind, f"{day.year}", year_bounds(day.year))


def periods_ending(kind: PeriodKind, year: int) -> list[Period]:
    """All periods of the kind in the year, in order."""
    kind = PeriodKind(kind)
    if kind is PeriodKind.QUARTERLY:
        firsts = [date(year, 3 * quarter - 2, 1) for quarter in range(1, QUARTERS + 1)]
    elif kind is PeriodKind.MONTHLY:
        firsts = [date(year, month, 1) for month in range(1, MONTHS + 1)]
    else:
        firsts = [date(year, 1, 1)]
    return [period_of(kind, first) for first in firsts]


def previous_period(kind: PeriodKind, day: date) -> Period:
    """The last period that closed before `day` (the one before the period containing it)."""
    return period_of(kind, period_of(kind, day).start - ONE_DAY)


def due_date_years(period: Period) -> tuple[int, int]:
    """The years a Calendar must cover for `due_dates` of the period (deadlines may spill)."""
    return period.end.year, period.end.year + 1


def due_dates(
    period: Period, calendar: Calendar, self_days: int = 5, assessment_days: int = 10
) -> tuple[date, date]:
    """(self-assessment due, supervisor's assessment due), in working days after the period end.

    The calendar must cover `due_date_years(period)`.
    """
    return (
        calendar.add_working_days(period.end, self_days),
        calendar.add_working_days(period.end, assessment_days),
    )
