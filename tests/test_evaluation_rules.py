"""Evaluation rules: the PermenPANRB 6/2022 matrix, BerAKHLAK, periods and deadlines."""

from __future__ import annotations

from datetime import date

import pytest

from bot.evaluation_rules import (
    BEHAVIOURS,
    Period,
    PeriodKind,
    Predicate,
    Rating,
    due_date_years,
    due_dates,
    period_of,
    periods_ending,
    predicate,
    previous_period,
)
from storage.calendar import Calendar, national_days_off

Q = PeriodKind.QUARTERLY
M = PeriodKind.MONTHLY
A = PeriodKind.ANNUAL


def national_calendar(*years: int) -> Calendar:
    """The national calendar of the years, without overrides."""
    days_off = {
        day: name
        for year in years
        for day, name in national_days_off(year).items()
        if day.weekday() < 5
    }
    return Calendar(days_off=days_off, years=frozenset(years))


@pytest.mark.parametrize(
    ("results", "behaviour", "expected"),
    [
        ("above", "below", "kurang"),
        ("above", "as", "baik"),
        ("above", "above", "sangat_baik"),
        ("as", "below", "kurang"),
        ("as", "as", "baik"),
        ("as", "above", "baik"),
        ("below", "below", "sangat_kurang"),
        ("below", "as", "butuh_perbaikan"),
        ("below", "above", "butuh_perbaikan"),
    ],
)
def test_predicate_matrix(results: str, behaviour: str, expected: str) -> None:
    assert predicate(Rating(results), Rating(behaviour)) == Predicate(expected)
    assert predicate(Rating(results), Rating(behaviour)).value == expected


def test_enum_values() -> None:
    assert [rating.value for rating in Rating] == ["below", "as", "above"]
    assert [p.value for p in Predicate] == [
        "sangat_baik",
        "baik",
        "butuh_perbaikan",
        "kurang",
        "sangat_kurang",
    ]
    with pytest.raises(ValueError):
        predicate("excellent", "as")  # type: ignore[arg-type]


def test_berakhlak_behaviours() -> None:
    assert BEHAVIOURS == (
        ("berorientasi_pelayanan", "Berorientasi Pelayanan"),
        ("akuntabel", "Akuntabel"),
        ("kompeten", "Kompeten"),
        ("harmonis", "Harmonis"),
        ("loyal", "Loyal"),
        ("adaptif", "Adaptif"),
        ("kolaboratif", "Kolaboratif"),
    )


def test_quarterly_periods() -> None:
    quarters = periods_ending(Q, 2026)
    assert [p.key for p in quarters] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert quarters[3] == Period("2026-Q4", Q, date(2026, 10, 1), date(2026, 12, 31))
    assert quarters[0] == Period("2026-Q1", Q, date(2026, 1, 1), date(2026, 3, 31))
    assert quarters[1].end == date(2026, 6, 30)
    assert period_of(Q, date(2026, 10, 1)) == quarters[3]
    assert period_of(Q, date(2026, 12, 31)) == quarters[3]
    assert period_of(Q, date(2026, 9, 30)) == quarters[2]


def test_monthly_periods() -> None:
    months = periods_ending(M, 2028)
    assert len(months) == 12
    assert months[1] == Period("2028-02", M, date(2028, 2, 1), date(2028, 2, 29))
    assert period_of(M, date(2028, 2, 29)) == months[1]
    assert period_of(M, date(2027, 2, 10)).end == date(2027, 2, 28)
    assert months[10] == Period("2028-11", M, date(2028, 11, 1), date(2028, 11, 30))
    assert months[11] == Period("2028-12", M, date(2028, 12, 1), date(2028, 12, 31))


def test_annual_periods() -> None:
    assert periods_ending(A, 2026) == [Period("2026", A, date(2026, 1, 1), date(2026, 12, 31))]
    assert period_of(A, date(2026, 12, 31)).key == "2026"
    assert period_of(A, date(2027, 1, 1)).key == "2027"
    assert period_of("annual", date(2026, 6, 1)).kind is PeriodKind.ANNUAL  # type: ignore[arg-type]


def test_previous_period() -> None:
    # On the first day of a quarter the quarter just ended is the previous one.
    assert previous_period(Q, date(2026, 10, 1)).key == "2026-Q3"
    assert previous_period(Q, date(2027, 1, 1)) == Period(
        "2026-Q4", Q, date(2026, 10, 1), date(2026, 12, 31)
    )
    # On the last day a period has not closed yet.
    assert previous_period(Q, date(2026, 12, 31)).key == "2026-Q3"
    assert previous_period(M, date(2028, 3, 1)).key == "2028-02"
    assert previous_period(M, date(2026, 1, 15)).key == "2025-12"
    assert previous_period(A, date(2027, 1, 1)).key == "2026"
    assert previous_period(A, date(2027, 12, 31)).key == "2026"


def test_due_dates_skip_weekends() -> None:
    q3 = period_of(Q, date(2026, 9, 30))  # ends Wednesday Sep 30; no holidays in October
    assert due_dates(q3, national_calendar(2026, 2027)) == (date(2026, 10, 7), date(2026, 10, 14))


def test_due_dates_skip_holidays() -> None:
    # Q1 2026 ends Tuesday Mar 31; Good Friday Apr 3 is off.
    q1 = period_of(Q, date(2026, 1, 1))
    assert due_dates(q1, national_calendar(2026)) == (date(2026, 4, 8), date(2026, 4, 15))
    # Q4 2026 ends Thursday Dec 31; Jan 1 and Jan 5 2027 (Isra Mikraj) are off.
    q4 = periods_ending(Q, 2026)[3]
    assert due_date_years(q4) == (2026, 2027)
    assert due_dates(q4, national_calendar(*due_date_years(q4))) == (
        date(2027, 1, 11),
        date(2027, 1, 18),
    )
    # August 2026 ends Monday Aug 31; with a provincial day off on Sep 3.
    august = period_of(M, date(2026, 8, 1))
    calendar = national_calendar(2026)
    extra = Calendar(days_off={**calendar.days_off, date(2026, 9, 3): "Hari Jadi"})
    assert due_dates(august, calendar, self_days=3, assessment_days=5) == (
        date(2026, 9, 3),
        date(2026, 9, 7),
    )
    assert due_dates(august, extra, self_days=3, assessment_days=5) == (
        date(2026, 9, 4),
        date(2026, 9, 8),
    )


def test_due_dates_need_the_next_year_loaded() -> None:
    with pytest.raises(ValueError, match="2027"):
        due_dates(periods_ending(A, 2026)[0], national_calendar(2026))
