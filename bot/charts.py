"""The team chart: achievement per member and reports per working day, as PNG bytes.

No aiogram and no gettext here: every shown string comes in through `ChartLabels`. Each call
builds its own `Figure` on the Agg canvas (no pyplot state), so handlers may run it in a
worker thread with `asyncio.to_thread`; a lock keeps two renders from sharing matplotlib's
font and text caches at once (matplotlib does not promise thread safety).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO
from threading import Lock

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.domain import NO_PERCENT

DPI = 150
WIDTH_IN = 6.0
MIN_HEIGHT_IN = 9.0
BASE_HEIGHT_IN = 3.6  # titles, margins and the daily panel
ROW_HEIGHT_IN = 0.3  # one member's bar
DAILY_PANEL_IN = 2.6
MAX_MEMBERS = 30
MIN_ROWS = 8  # so that two or three members do not get giant bars
MIN_DAYS = 10  # likewise for a short daily series
NAME_CHARS = 24
AXIS_MIN_PERCENT = 120
AXIS_MAX_PERCENT = 200
TARGET_PERCENT = 100
LOW_PERCENT = 50
COLOR_LOW = "#d1495b"
COLOR_MID = "#edae49"
COLOR_DONE = "#00798c"
COLOR_DAILY = "#30638e"
COLOR_MUTED = "#6b6b6b"
TITLE_SIZE = 10
LABEL_SIZE = 8
TICK_SIZE = 7
_RENDER_LOCK = Lock()


def _plain_number(value: Decimal) -> str:
    """`85`, `85.5`: the Decimal as written, without exponent."""
    return f"{value.normalize():f}"


def _day_month(day: date) -> str:
    """`25/11`."""
    return f"{day.day}/{day.month}"


@dataclass(frozen=True)
class ChartLabels:
    """The translated strings and formats of the team chart."""

    title_achievement: str  # "Achievement this quarter (%)"
    title_daily: str  # "Reports per working day, last 4 weeks"
    no_data: str  # "No data yet"
    more: str = "+{count} more"  # added to the achievement title when members are left out
    date_format: Callable[[date], str] = _day_month  # tick label of a working day
    number_format: Callable[[Decimal], str] = _plain_number  # a percentage without the sign


def chart_height_in(members: int) -> float:
    """Figure height in inches: 9 in, or taller when many members are shown (30 at most)."""
    shown = min(members, MAX_MEMBERS)
    return max(MIN_HEIGHT_IN, BASE_HEIGHT_IN + ROW_HEIGHT_IN * shown)


def _lowest_first(
    achievement: Sequence[tuple[str, Decimal | None]],
) -> list[tuple[str, Decimal | None]]:
    """Members by achievement, lowest first; no percentage (no target) counts as lowest."""
    order = sorted(
        range(len(achievement)),
        key=lambda i: (achievement[i][1] is not None, achievement[i][1] or 0, achievement[i][0], i),
    )
    return [achievement[i] for i in order]


def _short_name(name: str) -> str:
    """The name cut to fit beside the bars."""
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1].rstrip() + "…"


def _bar_color(value: Decimal) -> str:
    if value >= TARGET_PERCENT:
        return COLOR_DONE
    return COLOR_MID if value >= LOW_PERCENT else COLOR_LOW


def _no_data(axes: Axes, text: str) -> None:
    """An empty panel saying there is nothing to show."""
    axes.set_axis_off()
    axes.text(0.5, 0.5, text, ha="center", va="center", fontsize=LABEL_SIZE, color=COLOR_MUTED)


def _achievement_title(labels: ChartLabels, hidden: int) -> str:
    if hidden <= 0:
        return labels.title_achievement
    return f"{labels.title_achievement} · {labels.more.format(count=hidden)}"


def _draw_achievement(
    axes: Axes, achievement: Sequence[tuple[str, Decimal | None]], labels: ChartLabels
) -> None:
    """Horizontal bars per member, lowest on top, values at the bar ends, a 100% line."""
    shown = _lowest_first(achievement)[:MAX_MEMBERS]
    axes.set_title(
        _achievement_title(labels, len(achievement) - len(shown)),
        fontsize=TITLE_SIZE,
        loc="left",
    )
    if not shown:
        _no_data(axes, labels.no_data)
        return
    values = [value for _, value in shown if value is not None]
    top = max([AXIS_MIN_PERCENT, *(min(value, AXIS_MAX_PERCENT) * 115 / 100 for value in values)])
    positions = range(len(shown))
    for position, (_, value) in zip(positions, shown, strict=True):
        if value is None:
            axes.text(1, position, NO_PERCENT, va="center", fontsize=TITLE_SIZE, color=COLOR_MUTED)
            continue
        length = float(min(max(value, Decimal(0)), Decimal(AXIS_MAX_PERCENT)))
        axes.barh(position, length, height=0.7, color=_bar_color(value))
        text = f"{labels.number_format(value)}%"
        axes.text(length + 1, position, text, va="center", fontsize=LABEL_SIZE)
    axes.axvline(TARGET_PERCENT, color=COLOR_MUTED, linestyle="--", linewidth=1)
    axes.set_xlim(0, float(top))
    axes.set_ylim(max(len(shown), MIN_ROWS) - 0.5, -0.5)
    axes.set_yticks(list(positions), [_short_name(name) for name, _ in shown], fontsize=LABEL_SIZE)
    axes.tick_params(axis="x", labelsize=TICK_SIZE)
    axes.spines[["top", "right"]].set_visible(False)


def _draw_daily(axes: Axes, daily: Sequence[tuple[date, int]], labels: ChartLabels) -> None:
    """Bars of reports per working day, counts on top, a thin line between weeks."""
    axes.set_title(labels.title_daily, fontsize=TITLE_SIZE, loc="left")
    if not daily:
        _no_data(axes, labels.no_data)
        return
    positions = list(range(len(daily)))
    counts = [count for _, count in daily]
    axes.bar(positions, counts, width=0.7, color=COLOR_DAILY)
    for position, count in zip(positions, counts, strict=True):
        axes.text(position, count, str(count), ha="center", va="bottom", fontsize=TICK_SIZE)
    for position in positions[1:]:
        if daily[position][0].isocalendar()[:2] != daily[position - 1][0].isocalendar()[:2]:
            axes.axvline(position - 0.5, color=COLOR_MUTED, linewidth=0.5, linestyle=":")
    axes.set_xlim(-0.6, max(len(daily), MIN_DAYS) - 0.4)
    axes.set_ylim(0, max(1, *counts) * 1.2)
    axes.set_xticks(positions, [labels.date_format(day) for day, _ in daily])
    axes.tick_params(axis="x", labelsize=TICK_SIZE, labelrotation=60)
    axes.tick_params(axis="y", labelsize=TICK_SIZE)
    for tick in axes.get_xticklabels():
        tick.set_horizontalalignment("right")
        tick.set_rotation_mode("anchor")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)


def team_chart_png(
    achievement: Sequence[tuple[str, Decimal | None]],
    daily: Sequence[tuple[date, int]],
    labels: ChartLabels,
) -> bytes:
    """The two-panel team chart as PNG bytes (6 in wide at 150 dpi, portrait).

    `achievement` is (name, percent or None) per member; the 30 lowest are drawn.
    `daily` is (working day, number of reports) for the last four weeks, oldest first.
    """
    height = chart_height_in(len(achievement))
    buffer = BytesIO()
    with _RENDER_LOCK:
        figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        member_panel = height - DAILY_PANEL_IN
        top, bottom = figure.subplots(2, 1, height_ratios=[member_panel, DAILY_PANEL_IN])
        _draw_achievement(top, achievement, labels)
        _draw_daily(bottom, daily, labels)
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
