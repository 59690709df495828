"""Domain rules as plain functions: periods, targets, progress, working days, local dates.

No aiogram import here: handlers, the scheduler and exports all reuse these.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

QUARTERS = 4
CENT = Decimal("0.01")
WHOLE = Decimal(1)
HUNDRED = Decimal(100)
BAR_FILLED = "▓"
BAR_EMPTY = "░"
NO_PERCENT = "–"
WEEKDAYS_PER_WEEK = 5
DAYS_PER_WEEK = 7


def _check_quarter(quarter: int) -> None:
    if not 1 <= quarter <= QUARTERS:
        raise ValueError(f"quarter must be 1..4, got {quarter}")


def quarter_of(day: date) -> int:
    """The quarter (1..4) a date falls in."""
    return (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The half-open range [first day, first day of the next quarter) of a quarter."""
    _check_quarter(quarter)
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == QUARTERS else date(year, 3 * quarter + 1, 1)
    return start, end


def year_bounds(year: int) -> tuple[date, date]:
    """The half-open range [Jan 1, next Jan 1) of a year."""
    return date(year, 1, 1), date(year + 1, 1, 1)


def month_bounds(day: date) -> tuple[date, date]:
    """The half-open range [first day, first day of the next month) of the month of `day`."""
    start = day.replace(day=1)
    if day.month == 12:
        return start, date(day.year + 1, 1, 1)
    return start, date(day.year, day.month + 1, 1)


def quarter_target(target: Decimal, quarters: Sequence[Decimal | None], quarter: int) -> Decimal:
    """The explicit target of the quarter, else a quarter of the annual target (2 decimals)."""
    _check_quarter(quarter)
    explicit = quarters[quarter - 1] if len(quarters) >= quarter else None
    if explicit is not None:
        return explicit
    return (Decimal(target) / QUARTERS).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(done: Decimal, target: Decimal) -> Decimal | None:
    """`done` as a whole percentage of `target` (half-up); None when there is no positive target."""
    if target <= 0:
        return None
    return (Decimal(done) * HUNDRED / Decimal(target)).quantize(WHOLE, rounding=ROUND_HALF_UP)


def progress_bar(pct: Decimal | None, width: int = 10) -> str:
    """A text bar such as `▓▓▓▓░░░░░░ 40%`; the bar is capped at full, the number is not."""
    if pct is None:
        return f"{BAR_EMPTY * width} {NO_PERCENT}"
    cells = int((Decimal(pct) * width / HUNDRED).to_integral_value(rounding=ROUND_FLOOR))
    filled = max(0, min(width, cells))
    return f"{BAR_FILLED * filled}{BAR_EMPTY * (width - filled)} {Decimal(pct):f}%"


def _weekdays_before(ordinal: int) -> int:
    """Mondays-Fridays among the days with proleptic ordinals 1..ordinal-1 (day 1 is a Monday)."""
    weeks, rest = divmod(ordinal - 1, DAYS_PER_WEEK)
    return weeks * WEEKDAYS_PER_WEEK + min(rest, WEEKDAYS_PER_WEEK)


def working_days(start: date, end: date, holidays: Collection[date] = ()) -> int:
    """Mondays-Fridays in [start, end] inclusive, minus the weekday holidays inside it."""
    if end < start:
        return 0
    weekdays = _weekdays_before(end.toordinal() + 1) - _weekdays_before(start.toordinal())
    off = {day for day in holidays if start <= day <= end and day.weekday() < WEEKDAYS_PER_WEEK}
    return weekdays - len(off)


def local_today(now: datetime, timezone: str) -> date:
    """The calendar date in the IANA zone `timezone` at the aware instant `now`."""
    if now.tzinfo is None:
        raise ValueError("naive datetime given; use timezone-aware datetimes")
    return now.astimezone(ZoneInfo(timezone)).date()


@cache
def _time_zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def is_time_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone known here (e.g. Asia/Makassar)."""
    return name in _time_zone_names()


def mean_percent(pairs: Iterable[tuple[Decimal, Decimal]]) -> Decimal | None:
    """The mean achievement over (done, target) pairs, each as a percent; None without targets.

    Indicators are measured in different units, so percentages are averaged, not quantities.
    """
    values = [value for done, target in pairs if (value := percent(done, target)) is not None]
    if not values:
        return None
    return (sum(values) / len(values)).quantize(WHOLE, rounding=ROUND_HALF_UP)
