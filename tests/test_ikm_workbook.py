"""The survey workbook as a unit reports it: responses, SKM processing, one row per counter."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO
from typing import Any
from zipfile import ZipFile

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import build_i18n
from bot.ikm_workbook import IkmLabels, ikm_workbook
from bot.texts import ikm_labels
from storage.survey_stats import counter_scores, response_rows
from tests.skm_data import Q4_END, Q4_START, SECRET, seed_survey

LABELS = IkmLabels()
ELEMENT_COLUMNS = slice(3, 12)  # D..L


async def build(
    session: AsyncSession,
    labels: IkmLabels = LABELS,
    start: date = Q4_START,
    end: date = Q4_END,
) -> bytes:
    survey = await seed_survey(session)
    unit_id = survey.org.province.id
    assert unit_id is not None
    scores = await counter_scores(session, unit_id, start, end)
    rows = await response_rows(session, unit_id, start, end)
    return ikm_workbook(survey.org.province.name, start, end, rows, scores, 1000, labels)


def values(sheet: Worksheet) -> list[tuple[Any, ...]]:
    return list(sheet.iter_rows(values_only=True))


def block(sheet: Worksheet) -> dict[str, tuple[Any, ...]]:
    """The processing rows under the data, by their label in column A."""
    rows = values(sheet)
    blank = rows.index(next(row for row in rows if all(cell is None for cell in row)))
    return {row[0]: row for row in rows[blank + 1 :] if row and row[0] is not None}


def approx(*numbers: float) -> Any:
    return pytest.approx(numbers, abs=1e-12)


async def test_data_rows_then_the_processing_block(session: AsyncSession) -> None:
    workbook = load_workbook(BytesIO(await build(session)))
    data = workbook.worksheets[0]
    assert data.title == "Data"
    rows = values(data)
    assert rows[0][:5] == ("No", "Date", "Counter", "U1", "U2")
    assert rows[0][12:] == (
        "Quick rating",
        "Suggestion or complaint",
        "Sex",
        "Age",
        "Highest education",
        "Main occupation",
    )
    assert rows[1] == (
        1,
        datetime(2026, 10, 1),
        "ktp Loket ktp",
        4,
        3,
        4,
        4,
        3,
        3,
        4,
        2,
        4,
        None,
        "Antrean rapi",
        "f",
        "30s",
        None,
        None,
    )
    assert rows[2][:3] == (2, datetime(2026, 10, 5), "cepat Loket cepat")
    assert rows[2][3:13] == (None,) * 9 + (4,)  # a quick rating has no elements
    assert [row[0] for row in rows[1:8]] == [1, 2, 3, 4, 5, 6, 7]
    assert rows[8] == (None,) * 18  # one empty row before the processing

    figures = block(data)
    assert figures["Unit"][3] == "Badan Kepegawaian Daerah"
    assert figures["Period"][3:5] == (datetime(2026, 10, 1), datetime(2026, 12, 31))
    assert figures["Element"][3:5] == ("Requirements", "System, mechanism and procedure")
    # sums of the four full questionnaires (tests/test_survey_stats.py works them out)
    assert figures["Total score per element"][ELEMENT_COLUMNS] == (
        12,
        11,
        14,
        9,
        11,
        14,
        14,
        10,
        12,
    )
    assert figures["Answers per element"][ELEMENT_COLUMNS] == (4, 4, 4, 3, 4, 4, 4, 4, 4)
    nrrs = (3, 2.75, 3.5, 3, 2.75, 3.5, 3.5, 2.5, 3)  # total / answers; U4 = 9 / 3
    assert figures["Mean score per element (NRR)"][ELEMENT_COLUMNS] == approx(*nrrs)
    weighted = figures["Weighted NRR (NRR × 1/9)"][ELEMENT_COLUMNS]
    assert weighted == approx(*(value / 9 for value in nrrs))
    assert figures["IKM (sum of weighted NRR)"][3] == pytest.approx(27.5 / 9, abs=1e-12)
    assert figures["Converted IKM (IKM × 25)"][3] == 76.39  # 687.5 / 9 = 76.388... as shown
    assert figures["Service quality"][3:5] == ("C", "Fair")
    assert figures["Respondents"][3] == 4
    assert figures["Yearly visitors (population)"][3] == 1000
    assert figures["Sample needed (Krejcie-Morgan)"][3] == 278


async def test_figures_are_numbers_shown_with_two_decimals(session: AsyncSession) -> None:
    data = load_workbook(BytesIO(await build(session))).worksheets[0]
    cells = {row[0].value: row for row in data.iter_rows() if row[0].value is not None}
    nrr = cells["Mean score per element (NRR)"][3]
    assert nrr.data_type == "n" and nrr.number_format == "0.00"
    converted = cells["Converted IKM (IKM × 25)"][3]
    assert converted.data_type == "n" and converted.number_format == "0.00"
    assert cells["IKM (sum of weighted NRR)"][3].number_format == "0.000"


async def test_one_row_per_counter_and_the_unit(session: AsyncSession) -> None:
    sheet = load_workbook(BytesIO(await build(session))).worksheets[1]
    assert sheet.title == "Counters"
    rows = values(sheet)
    assert rows[0][:6] == ("Code", "Counter", "Service", "Unit", "Respondents", "U1")
    assert rows[0][14:] == (
        "Converted IKM (IKM × 25)",
        "Grade",
        "Service quality",
        "Quick ratings",
        "Mean quick rating (1-4)",
    )
    by_code = {row[0]: row for row in rows[1:-1]}
    assert list(by_code) == ["cepat", "mutasi", "idle", "ktp"]
    ktp = by_code["ktp"]
    assert ktp[1:5] == ("Loket ktp", "Layanan ktp", "Bidang Mutasi", 2)
    assert ktp[5:14] == approx(3.5, 3, 4, 4, 2.5, 3.5, 4, 2.5, 3.5)
    assert ktp[14:] == (84.72, "B", "Good", 0, None)  # 762.5 / 9 = 84.722...
    assert by_code["mutasi"][14:17] == (65.28, "C", "Fair")  # 587.5 / 9 = 65.277...
    assert by_code["cepat"][4:] == (0, *(None,) * 9, None, None, None, 3, 3)  # (4+3+2) / 3
    assert by_code["idle"][4:] == (0, *(None,) * 9, None, None, None, 0, None)
    total = rows[-1]
    assert total[:5] == (None, "All counters", None, "Badan Kepegawaian Daerah", 4)
    assert total[5:14] == approx(3, 2.75, 3.5, 3, 2.75, 3.5, 3.5, 2.5, 3)
    assert total[14:] == (76.39, "C", "Fair", 3, 3)


async def test_without_full_questionnaires_there_is_no_index(session: AsyncSession) -> None:
    content = await build(session, start=date(2026, 10, 5), end=date(2026, 10, 7))
    data = load_workbook(BytesIO(content)).worksheets[0]
    figures = block(data)
    assert figures["IKM (sum of weighted NRR)"][3] == "Not every element has an answer yet"
    assert "Service quality" not in figures and "Converted IKM (IKM × 25)" not in figures
    assert figures["Respondents"][3] == 0


async def test_no_respondent_key_anywhere(session: AsyncSession) -> None:
    content = await build(session)
    with ZipFile(BytesIO(content)) as archive:
        for name in archive.namelist():
            assert SECRET.encode() not in archive.read(name), name
    for sheet in load_workbook(BytesIO(content)).worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert not any(SECRET in str(value) for value in row)


@pytest.mark.parametrize(
    ("locale", "date_header", "element", "quality", "sex"),
    [
        ("id", "Tanggal", "Persyaratan", "Kurang Baik", None),
        ("en", "Date", "Requirements", "Fair", "Female"),
    ],
)
async def test_labels_in_the_users_language(
    session: AsyncSession,
    locale: str,
    date_header: str,
    element: str,
    quality: str,
    sex: str | None,
) -> None:
    with build_i18n(locale).context():
        labels = ikm_labels(locale)
    workbook = load_workbook(BytesIO(await build(session, labels)))
    data = workbook.worksheets[0]
    rows = values(data)
    assert rows[0][1] == date_header
    if sex is not None:
        assert rows[1][14] == sex  # the stored code "f", as the survey asked it
    grades = [row for row in rows if quality in row]
    assert len(grades) == 1 and grades[0][3] == "C"
    assert any(row[3] == element for row in rows)
