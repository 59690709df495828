"""Domain rules: periods, quarter targets, percentages, bars, working days, local dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.domain import (
    local_today,
    month_bounds,
    percent,
    progress_bar,
    quarter_bounds,
    quarter_of,
    quarter_target,
    working_days,
    year_bounds,
)

D = Decimal


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (date(2026, 1, 1), 1),
        (date(2026, 3, 31), 1),
        (date(2026, 4, 1), 2),
        (date(2026, 6, 30), 2),
        (date(2026, 7, 1), 3),
        (date(2026, 9, 30), 3),
        (date(2026, 10, 1), 4),
        (date(2026, 12, 31), 4),
    ],
)
def test_quarter_of(day: date, quarter: int) -> None:
    assert quarter_of(day) == quarter


@pytest.mark.parametrize(
    ("quarter", "bounds"),
    [
        (1, (date(2026, 1, 1), date(2026, 4, 1))),
        (2, (date(2026, 4, 1), date(2026, 7, 1))),
        (3, (date(2026, 7, 1), date(2026, 10, 1))),
        (4, (date(2026, 10, 1), date(2027, 1, 1))),
    ],
)
def test_quarter_bounds(quarter: int, bounds: tuple[date, date]) -> None:
    assert quarter_bounds(2026, quarter) == bounds
    start, end = bounds
    assert quarter_of(start) == quarter
    assert quarter_of(end - timedelta(days=1)) == quarter


@pytest.mark.parametrize("quarter", [0, 5, -1])
def test_quarter_bounds_rejects_bad_quarters(quarter: int) -> None:
    with pytest.raises(ValueError, match="quarter"):
        quarter_bounds(2026, quarter)


def test_year_bounds() -> None:
    assert year_bounds(2026) == (date(2026, 1, 1), date(2027, 1, 1))


@pytest.mark.parametrize(
    ("day", "bounds"),
    [
        (date(2026, 1, 15), (date(2026, 1, 1), date(2026, 2, 1))),
        (date(2026, 2, 28), (date(2026, 2, 1), date(2026, 3, 1))),
        (date(2028, 2, 29), (date(2028, 2, 1), date(2028, 3, 1))),
        (date(2026, 12, 1), (date(2026, 12, 1), date(2027, 1, 1))),
        (date(2026, 12, 31), (date(2026, 12, 1), date(2027, 1, 1))),
    ],
)
def test_month_bounds(day: date, bounds: tuple[date, date]) -> None:
    assert month_bounds(day) == bounds


QUARTERS_GIVEN = [D("20"), D("30.50"), D("25"), D("24.50")]


@pytest.mark.parametrize(
    ("target", "quarters", "quarter", "expected"),
    [
        (D("100"), QUARTERS_GIVEN, 1, D("20")),
        (D("100"), QUARTERS_GIVEN, 2, D("30.50")),
        (D("100"), QUARTERS_GIVEN, 4, D("24.50")),
        (D("100"), [None, None, None, None], 3, D("25.00")),
        (D("50"), [None, None, None, None], 1, D("12.50")),
        (D("10"), [D("1"), None, D("0"), None], 2, D("2.50")),
        (D("10"), [D("1"), None, D("0"), None], 3, D("0")),  # an explicit zero is kept
        (D("9.99"), [None] * 4, 1, D("2.50")),  # 2.4975 rounds half-up
        (D("0.1"), [None] * 4, 1, D("0.03")),  # 0.025 rounds half-up, not to even
        (D("0.02"), [None] * 4, 1, D("0.01")),  # 0.005 rounds half-up
        (D("7"), [], 1, D("1.75")),
    ],
)
def test_quarter_target(
    target: Decimal, quarters: list[Decimal | None], quarter: int, expected: Decimal
) -> None:
    result = quarter_target(target, quarters, quarter)
    assert result == expected
    assert str(result) == str(expected)


def test_quarter_target_rejects_bad_quarters() -> None:
    with pytest.raises(ValueError, match="quarter"):
        quarter_target(D("100"), [None] * 4, 5)


@pytest.mark.parametrize(
    ("done", "target", "expected"),
    [
        (D("0"), D("100"), D("0")),
        (D("40"), D("100"), D("40")),
        (D("1"), D("3"), D("33")),
        (D("2"), D("3"), D("67")),
        (D("1"), D("8"), D("13")),  # 12.5 rounds half-up
        (D("5"), D("8"), D("63")),  # 62.5 rounds half-up, not to even
        (D("0.5"), D("200"), D("0")),  # 0.25
        (D("1"), D("200"), D("1")),  # 0.5 rounds half-up
        (D("130"), D("100"), D("130")),
        (D("12.5"), D("12.50"), D("100")),
        (D("5"), D("0"), None),
        (D("5"), D("-1"), None),
        (D("0"), D("0"), None),
    ],
)
def test_percent(done: Decimal, target: Decimal, expected: Decimal | None) -> None:
    assert percent(done, target) == expected


@pytest.mark.parametrize(
    ("pct", "width", "expected"),
    [
        (D("0"), 10, "░░░░░░░░░░ 0%"),
        (D("5"), 10, "░░░░░░░░░░ 5%"),
        (D("10"), 10, "▓░░░░░░░░░ 10%"),
        (D("40"), 10, "▓▓▓▓░░░░░░ 40%"),
        (D("99"), 10, "▓▓▓▓▓▓▓▓▓░ 99%"),
        (D("100"), 10, "▓▓▓▓▓▓▓▓▓▓ 100%"),
        (D("130"), 10, "▓▓▓▓▓▓▓▓▓▓ 130%"),
        (D("-5"), 10, "░░░░░░░░░░ -5%"),
        (None, 10, "░░░░░░░░░░ –"),
        (D("49"), 20, "▓▓▓▓▓▓▓▓▓░░░░░░░░░░░ 49%"),
        (D("50"), 20, "▓▓▓▓▓▓▓▓▓▓░░░░░░░░░░ 50%"),
        (D("60"), 5, "▓▓▓░░ 60%"),
        (None, 5, "░░░░░ –"),
    ],
)
def test_progress_bar(pct: Decimal | None, width: int, expected: str) -> None:
    assert progress_bar(pct, width) == expected


def test_progress_bar_defaults_to_ten_cells_and_shows_percent_of_a_ratio() -> None:
    assert progress_bar(percent(D("12"), D("30"))) == "▓▓▓▓░░░░░░ 40%"
    assert progress_bar(percent(D("1"), D("0"))) == "░░░░░░░░░░ –"


MON, TUE, WED, THU, FRI, SAT, SUN = (date(2026, 11, day) for day in range(23, 30))


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (MON, MON, 1),
        (MON, FRI, 5),
        (MON, SUN, 5),
        (SAT, SAT, 0),
        (SAT, SUN, 0),
        (SAT, SUN + timedelta(days=1), 1),  # weekend start
        (WED, SAT, 3),  # weekend end
        (FRI, MON + timedelta(days=7), 2),  # over a weekend
        (SUN, SAT + timedelta(days=7), 5),  # starts and ends on weekends
        (MON, SUN + timedelta(days=14), 15),
        (THU, WED + timedelta(days=14), 10),  # exactly two weeks
        (FRI, THU, 0),  # end before start
        (date(2026, 1, 1), date(2026, 12, 31), 261),
        (date(2026, 1, 1), date(2026, 3, 31), 64),
        (date(2026, 2, 1), date(2026, 2, 28), 20),
        (date(2028, 1, 1), date(2028, 12, 31), 260),  # leap year starting on a Saturday
        (date(2000, 1, 1), date(2099, 12, 31), 26089),
    ],
)
def test_working_days(start: date, end: date, expected: int) -> None:
    assert working_days(start, end) == expected
    assert working_days(start, end) == _weekdays_by_loop(start, end)


def _weekdays_by_loop(start: date, end: date) -> int:
    """The slow reference: look at every day."""
    days = (end - start).days + 1
    return sum((start + timedelta(days=n)).weekday() < 5 for n in range(max(days, 0)))


def test_working_days_match_a_loop_for_every_short_range() -> None:
    origin = date(2026, 2, 23)
    for offset in range(14):
        for length in range(-1, 30):
            start = origin + timedelta(days=offset)
            end = start + timedelta(days=length)
            assert working_days(start, end) == _weekdays_by_loop(start, end), (start, end)


def test_working_days_handles_extreme_dates() -> None:
    assert working_days(date.min, date.min + timedelta(days=6)) == 5  # 0001-01-01 is a Monday
    assert working_days(date.max - timedelta(days=6), date.max) == 5


HOLIDAYS_2026 = [
    date(2026, 1, 1),  # Thursday: New Year
    date(2026, 3, 20),  # Friday
    date(2026, 3, 21),  # Saturday: already off
    date(2026, 8, 17),  # Monday: Independence Day
    date(2026, 12, 25),  # Friday: Christmas
    date(2027, 1, 1),  # outside the range
    date(2025, 12, 25),  # outside the range
]


@pytest.mark.parametrize(
    ("start", "end", "holidays", "expected"),
    [
        (date(2026, 1, 1), date(2026, 12, 31), HOLIDAYS_2026, 257),
        (date(2026, 1, 1), date(2026, 12, 31), [*HOLIDAYS_2026, date(2026, 8, 17)], 257),
        (date(2026, 1, 1), date(2026, 12, 31), set(HOLIDAYS_2026), 257),
        (date(2026, 3, 16), date(2026, 3, 22), HOLIDAYS_2026, 4),
        (date(2026, 8, 17), date(2026, 8, 17), HOLIDAYS_2026, 0),
        (date(2026, 8, 18), date(2026, 8, 17), HOLIDAYS_2026, 0),
        (date(2026, 1, 2), date(2026, 1, 2), HOLIDAYS_2026, 1),
        (date(2026, 1, 1), date(2026, 12, 31), (), 261),
    ],
)
def test_working_days_with_holidays(
    start: date, end: date, holidays: list[date], expected: int
) -> None:
    assert working_days(start, end, holidays) == expected


@pytest.mark.parametrize(
    ("now", "timezone", "expected"),
    [
        # 2026-11-24T16:30Z is 23:30 WIB (+7), 00:30 WITA (+8), 01:30 WIT (+9)
        (datetime(2026, 11, 24, 16, 30, tzinfo=UTC), "Asia/Jakarta", date(2026, 11, 24)),
        (datetime(2026, 11, 24, 16, 30, tzinfo=UTC), "Asia/Makassar", date(2026, 11, 25)),
        (datetime(2026, 11, 24, 16, 30, tzinfo=UTC), "Asia/Jayapura", date(2026, 11, 25)),
        (datetime(2026, 11, 24, 15, 30, tzinfo=UTC), "Asia/Makassar", date(2026, 11, 24)),
        (datetime(2026, 11, 24, 15, 30, tzinfo=UTC), "Asia/Jayapura", date(2026, 11, 25)),
        (datetime(2026, 11, 24, 14, 59, tzinfo=UTC), "Asia/Jayapura", date(2026, 11, 24)),
        (datetime(2026, 11, 24, 15, 0, tzinfo=UTC), "Asia/Jayapura", date(2026, 11, 25)),
        (datetime(2026, 11, 24, 16, 59, tzinfo=UTC), "Asia/Jakarta", date(2026, 11, 24)),
        (datetime(2026, 11, 24, 17, 0, tzinfo=UTC), "Asia/Jakarta", date(2026, 11, 25)),
        (datetime(2026, 12, 31, 17, 0, tzinfo=UTC), "Asia/Jakarta", date(2027, 1, 1)),
        (datetime(2026, 12, 31, 16, 59, tzinfo=UTC), "Asia/Jakarta", date(2026, 12, 31)),
        (datetime(2026, 11, 24, 0, 30, tzinfo=UTC), "UTC", date(2026, 11, 24)),
    ],
)
def test_local_today(now: datetime, timezone: str, expected: date) -> None:
    assert local_today(now, timezone) == expected


def test_local_today_accepts_any_aware_datetime_and_rejects_naive_ones() -> None:
    wit = datetime(2026, 11, 24, 16, 30, tzinfo=UTC).astimezone(ZoneInfo("Asia/Jayapura"))
    assert wit.date() == date(2026, 11, 25)
    assert local_today(wit, "Asia/Jakarta") == date(2026, 11, 24)
    with pytest.raises(ValueError, match="naive"):
        local_today(datetime(2026, 11, 24, 16, 30), "Asia/Jakarta")
