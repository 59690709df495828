"""The team chart renders to a readable, deterministic portrait PNG."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import numpy as np
from matplotlib.image import imread

from bot.charts import DPI, MAX_MEMBERS, ChartLabels, chart_height_in, team_chart_png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WIDTH_PX = 900  # 6 in at 150 dpi
LABELS = ChartLabels(
    title_achievement="Capaian triwulan ini (%)",
    title_daily="Laporan per hari kerja, 4 minggu terakhir",
    no_data="Belum ada data",
    more="+{count} lainnya",
    date_format=lambda day: f"{day.day:02d}/{day.month:02d}",
)


def working_days(start: date, weeks: int = 4) -> list[date]:
    days = (start + timedelta(days=n) for n in range(7 * weeks))
    return [day for day in days if day.weekday() < 5]


DAILY = [(day, n % 7) for n, day in enumerate(working_days(date(2026, 11, 2)))]


def decode(png: bytes) -> np.ndarray:
    assert png.startswith(PNG_SIGNATURE)
    return imread(BytesIO(png), format="png")


def test_small_team_is_a_six_by_nine_inch_portrait() -> None:
    members = [("Siti Rahmawati", Decimal(85)), ("Budi Santoso", Decimal("120.5"))]
    image = decode(team_chart_png(members, DAILY, LABELS))
    assert image.shape[:2] == (1350, WIDTH_PX)


def test_no_members_and_no_days() -> None:
    image = decode(team_chart_png([], [], LABELS))
    assert image.shape[:2] == (1350, WIDTH_PX)
    assert image.min() < 0.5  # the titles and "no data" are drawn


def test_members_without_percentage() -> None:
    members = [("Siti", None), ("Budi", Decimal(0)), ("Andi", None), ("Dewi", Decimal(300))]
    image = decode(team_chart_png(members, DAILY[:3], LABELS))
    assert image.shape[:2] == (1350, WIDTH_PX)


def test_sixty_members_are_capped_at_thirty_rows() -> None:
    members = [(f"Pegawai {n:02d}", Decimal(n * 3)) for n in range(60)]
    png = team_chart_png(members, DAILY, LABELS)
    height = round(chart_height_in(60) * DPI)
    assert chart_height_in(60) == chart_height_in(MAX_MEMBERS) > chart_height_in(12)
    assert decode(png).shape[:2] == (height, WIDTH_PX)
    assert height > WIDTH_PX  # still portrait, grown for 30 rows


def test_the_chart_grows_with_the_team() -> None:
    heights = [chart_height_in(n) for n in (0, 10, 18, 20, 25, 30, 31, 200)]
    assert heights == sorted(heights)
    assert heights[0] == heights[1] == 9.0


def test_same_input_same_bytes() -> None:
    members = [(f"Pegawai {n:02d}", None if n % 5 == 0 else Decimal(n * 7)) for n in range(40)]
    assert team_chart_png(members, DAILY, LABELS) == team_chart_png(members, DAILY, LABELS)


def test_the_capped_members_are_the_lowest() -> None:
    """Dropping a member above the 30 lowest changes nothing drawn but the title's count."""
    low = [(f"Pegawai {n:02d}", Decimal(n)) for n in range(MAX_MEMBERS)]
    high = [("Tinggi A", Decimal(500)), ("Tinggi B", Decimal(400))]
    plain = ChartLabels("Capaian", "Harian", "Kosong", more="")
    with_high = team_chart_png(high + low, DAILY, plain)
    with_one_high = team_chart_png(high[:1] + low, DAILY, plain)
    assert with_high == with_one_high
    assert with_high != team_chart_png(low, DAILY, plain)
