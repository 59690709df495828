"""The citizens' survey of a unit and period as an XLSX workbook, in the layout units report.

Sheet 1 lists every answered response, then the SKM processing of PermenPANRB 14/2017 under
it: per element the total score, the number of answers, the NRR and the weighted NRR, then
the IKM, the converted IKM and the service quality, the respondents and the sample the
population needs (Krejcie-Morgan). Sheet 2 has one row per counter. Figures are numbers
shown with two decimals (three for the weighted NRR and the IKM on the 1..4 scale); the
converted IKM is written as published, rounded to two decimals, so it always agrees with the
grade next to it.

No aiogram and no gettext here: every shown string comes in through `IkmLabels`. Who answered
is never in the workbook: the rows carry no respondent key. Handlers may run `ikm_workbook`
in a worker thread.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from io import BytesIO
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook

from bot.ikm import GRADES, IkmResult, krejcie_morgan, nrr, round2
from bot.skm import CODES, ELEMENTS
from bot.spreadsheets import BOLD, DATE_FORMAT, _cell, _sheet_title, _write_table
from storage.survey_stats import CounterScore, ResponseRow, ScoreTotals, combine

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

TWO_DECIMALS = "0.00"
THREE_DECIMALS = "0.000"
FIRST_ELEMENT_COLUMN = 3  # D: the data sheet's columns are No, date, counter, U1..U9, ...
# Sheet 2: code, counter, service, unit, respondents, NRR U1..U9, converted IKM, grade,
# quality, quick ratings, their mean.
_FIRST_NRR = 5
COUNTER_FORMATS: Mapping[int, str] = MappingProxyType(
    {
        **dict.fromkeys(range(_FIRST_NRR, _FIRST_NRR + len(CODES) + 1), TWO_DECIMALS),
        _FIRST_NRR + len(CODES) + 4: TWO_DECIMALS,
    }
)
PROFILE_COLUMNS = ("sex", "age_band", "education", "occupation")

DEFAULT_ELEMENTS: Mapping[str, str] = MappingProxyType(
    {item.code: item.name_en for item in ELEMENTS}
)
DEFAULT_QUALITIES: Mapping[str, str] = MappingProxyType(
    {grade.letter: grade.quality_en for grade in GRADES}
)


@dataclass(frozen=True)
class IkmLabels:
    """Every translated string of the workbook; the defaults are the English source strings."""

    data_sheet: str = "Data"
    counters_sheet: str = "Counters"
    number: str = "No"
    date: str = "Date"
    counter: str = "Counter"
    quick_answer: str = "Quick rating"
    comment: str = "Suggestion or complaint"
    sex: str = "Sex"
    age_band: str = "Age"
    education: str = "Highest education"
    occupation: str = "Main occupation"
    unit: str = "Unit"
    period: str = "Period"
    element: str = "Element"
    totals: str = "Total score per element"
    answers: str = "Answers per element"
    nrr: str = "Mean score per element (NRR)"
    weighted: str = "Weighted NRR (NRR × 1/9)"
    ikm: str = "IKM (sum of weighted NRR)"
    converted: str = "Converted IKM (IKM × 25)"
    quality: str = "Service quality"
    respondents: str = "Respondents"
    population: str = "Yearly visitors (population)"
    sample: str = "Sample needed (Krejcie-Morgan)"
    no_index: str = "Not every element has an answer yet"
    code: str = "Code"
    service: str = "Service"
    grade: str = "Grade"
    quick_respondents: str = "Quick ratings"
    quick_mean: str = "Mean quick rating (1-4)"
    all_counters: str = "All counters"
    elements: Mapping[str, str] = field(default_factory=lambda: DEFAULT_ELEMENTS)
    qualities: Mapping[str, str] = field(default_factory=lambda: DEFAULT_QUALITIES)
    # Answers of the profile questions by column (sex, age_band, ...) and stored code.
    profile: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def _profile(row: ResponseRow, labels: IkmLabels) -> list[str | None]:
    values = []
    for column in PROFILE_COLUMNS:
        code = getattr(row, column)
        values.append(labels.profile.get(column, {}).get(code, code) if code else None)
    return values


def _data_values(number: int, row: ResponseRow, labels: IkmLabels) -> list[Any]:
    """A response's row of sheet 1."""
    return [
        number,
        row.local_date,
        f"{row.counter_code} {row.counter_name}",
        *(row.answers[code] for code in CODES),
        row.overall,
        row.comment,
        *_profile(row, labels),
    ]


def _append(
    sheet: WriteOnlyWorksheet,
    label: str,
    values: Sequence[Any] = (),
    number_format: str | None = None,
) -> None:
    """A processing row: a bold label in column A, values from the first element's column."""
    heading = _cell(sheet, label)
    heading.font = BOLD
    padding = [None] * (FIRST_ELEMENT_COLUMN - 1)
    cells = [_cell(sheet, value, number_format) for value in values]
    sheet.append([heading, *padding, *cells])


def _element_nrrs(totals: ScoreTotals) -> dict[str, Decimal | None]:
    """Each element's NRR, or None while it has no answer."""
    return {
        code: nrr(totals.totals[code], totals.answered[code]) if totals.answered[code] else None
        for code in CODES
    }


def _processing(
    sheet: WriteOnlyWorksheet,
    unit_name: str,
    start: date,
    end: date,
    totals: ScoreTotals,
    population: int,
    labels: IkmLabels,
) -> None:
    """The SKM processing block under the data rows."""
    result = totals.ikm()
    sheet.append([])
    _append(sheet, labels.unit, [unit_name])
    _append(sheet, labels.period, [start, end], DATE_FORMAT)
    _append(sheet, labels.element, [labels.elements.get(code, code) for code in CODES])
    _append(sheet, labels.totals, [totals.totals[code] for code in CODES])
    _append(sheet, labels.answers, [totals.answered[code] for code in CODES])
    means = _element_nrrs(totals)
    _append(sheet, labels.nrr, [means[code] for code in CODES], TWO_DECIMALS)
    if result is None:
        _append(sheet, labels.ikm, [labels.no_index])
    else:
        weighted = [result.weighted[code] for code in CODES]
        _append(sheet, labels.weighted, weighted, THREE_DECIMALS)
        _append(sheet, labels.ikm, [result.ikm], THREE_DECIMALS)
        _append(sheet, labels.converted, [round2(result.converted)], TWO_DECIMALS)
        letter = result.grade.letter
        _append(sheet, labels.quality, [letter, labels.qualities.get(letter, letter)])
    _append(sheet, labels.respondents, [totals.respondents])
    _append(sheet, labels.population, [population])
    _append(sheet, labels.sample, [krejcie_morgan(population)])


def _counter_values(counter: CounterScore, score: ScoreTotals, labels: IkmLabels) -> list[Any]:
    """A counter's row of sheet 2: its names from `counter`, its figures from `score`."""
    result: IkmResult | None = score.ikm()
    means = _element_nrrs(score)
    letter = result.grade.letter if result is not None else None
    return [
        counter.code,
        counter.name,
        counter.service,
        counter.unit_name,
        score.respondents,
        *(means[code] for code in CODES),
        round2(result.converted) if result is not None else None,
        letter,
        labels.qualities.get(letter, letter) if letter else None,
        score.quick_respondents,
        score.quick_mean(),
    ]


def ikm_workbook(
    unit_name: str,
    start: date,
    end: date,
    rows: Sequence[ResponseRow],
    scores: Sequence[CounterScore],
    population: int,
    labels: IkmLabels,
) -> bytes:
    """The XLSX bytes: responses and the unit's processing, then one row per counter.

    `rows` and `scores` come from `storage.survey_stats` for the same unit and period (days
    `start` to `end`, both included); `population` is the unit's yearly visitors.
    """
    workbook = Workbook(write_only=True)
    data = workbook.create_sheet(_sheet_title(labels.data_sheet))
    _write_table(
        data,
        [
            labels.number,
            labels.date,
            labels.counter,
            *CODES,
            labels.quick_answer,
            labels.comment,
            labels.sex,
            labels.age_band,
            labels.education,
            labels.occupation,
        ],
        [_data_values(number, row, labels) for number, row in enumerate(rows, start=1)],
        {1: DATE_FORMAT},
    )
    unit = combine(scores)
    _processing(data, unit_name, start, end, unit, population, labels)

    counters = workbook.create_sheet(_sheet_title(labels.counters_sheet))
    _write_table(
        counters,
        [
            labels.code,
            labels.counter,
            labels.service,
            labels.unit,
            labels.respondents,
            *CODES,
            labels.converted,
            labels.grade,
            labels.quality,
            labels.quick_respondents,
            labels.quick_mean,
        ],
        [_counter_values(score, score, labels) for score in scores],
        COUNTER_FORMATS,
    )
    everything = CounterScore(name=labels.all_counters, unit_name=unit_name)
    total = []
    for index, value in enumerate(_counter_values(everything, unit, labels)):
        cell = _cell(counters, value, COUNTER_FORMATS.get(index))
        cell.font = BOLD
        total.append(cell)
    counters.append(total)

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
