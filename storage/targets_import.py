"""Import performance indicators (targets per employee and year) from a CSV or XLSX file.

The file is checked completely before anything is written: every problem is collected as
`file:line: column: message` and raised together in `OrgImportError`. A clean import upserts
indicators by (employee, year, code) in the caller's session; the caller commits. Indicators
the file does not mention are left alone.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from sqlalchemy import insert
from sqlalchemy.orm import aliased
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Employee, Indicator
from storage.org_import import (
    IN_CHUNK_SIZE,
    ImportProblems,
    OrgImportError,
    parse_nip,
    read_table,
)

__all__ = ["TargetImportReport", "import_targets", "parse_decimal"]

COLUMNS = ("nip", "year", "code", "title", "unit", "target")
QUARTERS = ("q1", "q2", "q3", "q4")
OPTIONAL_COLUMNS = (*QUARTERS, "parent_code")
NIP_COLUMNS = ("nip",)

CODE_MAX_LENGTH = 32  # Indicator.code
TITLE_MAX_LENGTH = 500  # Indicator.title
UNIT_MAX_LENGTH = 50  # Indicator.measure
YEAR_MIN = 2000
YEAR_MAX = 2100
MAX_DECIMALS = 2
MAX_NUMBER = Decimal("999999999999.99")  # Numeric(14, 2)
SUM_TOLERANCE = Decimal("0.01")

_NUMBER = re.compile(r"-?[0-9]+(?:[.,]([0-9]+))?")
_THOUSANDS = re.compile(r"-?[0-9]{1,3}\.[0-9]{3}")  # "1.000": one thousand or one?
_YEAR = re.compile(r"[0-9]{4}")

Key = tuple[int, int, str]  # employee id, year, indicator code
T = TypeVar("T")


@dataclass
class TargetImportReport:
    """What an import did; "updated" means at least one field really changed."""

    created: int
    updated: int
    unchanged: int

    def summary(self) -> str:
        """One line for operators."""
        return (
            f"indicators: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )


# Parsing values


def parse_decimal(text: str) -> Decimal:
    """A number with a decimal comma or point ("12,5", "12.5"), at most 2 decimals.

    "1.000" is refused as ambiguous, since Indonesian writes thousands with a dot.
    """
    value = text.strip()
    if _THOUSANDS.fullmatch(value):
        raise ValueError(f"ambiguous {value!r}: write it without thousands separators")
    match = _NUMBER.fullmatch(value)
    if not match:
        raise ValueError(f"expected a number like 12,5, got {value!r}")
    if len(match.group(1) or "") > MAX_DECIMALS:
        raise ValueError(f"more than {MAX_DECIMALS} decimals in {value!r}")
    number = Decimal(value.replace(",", "."))
    if abs(number) > MAX_NUMBER:
        raise ValueError(f"larger than {MAX_NUMBER}")
    return number


def _parse_year(text: str) -> int:
    if not _YEAR.fullmatch(text) or not YEAR_MIN <= int(text) <= YEAR_MAX:
        raise ValueError(f"expected a year from {YEAR_MIN} to {YEAR_MAX}, got {text!r}")
    return int(text)


# Checking rows


@dataclass(frozen=True)
class _Cells:
    """One table row, read field by field; bad fields are recorded and replaced by a fallback."""

    line: int
    values: Mapping[str, str]
    problems: ImportProblems

    def text(self, column: str, max_length: int) -> str:
        value = self.values[column]
        if not value:
            self.problem(column, "value is required")
        elif len(value) > max_length:
            self.problem(column, f"longer than {max_length} characters")
        return value

    def parsed(self, column: str, parse: Callable[[str], T], fallback: T) -> T:
        value = self.values[column]
        if not value:
            self.problem(column, "value is required")
            return fallback
        try:
            return parse(value)
        except ValueError as error:
            self.problem(column, str(error))
            return fallback

    def number(
        self, column: str, *, required: bool = False, positive: bool = False
    ) -> Decimal | None:
        """A number that is not negative (nor zero if `positive`); None if empty or bad."""
        value = self.values[column]
        if not value and not required:
            return None
        number = self.parsed(column, parse_decimal, None)
        if number is not None and (number < 0 or (positive and number == 0)):
            bound = "greater than 0" if positive else "at least 0"
            self.problem(column, f"must be {bound}, got {value!r}")
            return None
        return number

    def problem(self, column: str, message: str) -> None:
        self.problems.add(self.line, column, message)


@dataclass(frozen=True)
class _TargetRow:
    """A row as read; a field that failed its check is "" or None."""

    line: int
    nip: str
    year: int | None
    code: str
    title: str
    measure: str
    target: Decimal | None
    quarters: tuple[Decimal | None, ...]
    parent_code: str

    @property
    def key(self) -> tuple[str, int, str] | None:
        """(nip, year, code), or None when one of them is bad."""
        if self.nip and self.year and self.code:
            return self.nip, self.year, self.code
        return None


def _target_rows(
    table: list[tuple[int, dict[str, str]]], problems: ImportProblems
) -> list[_TargetRow]:
    """Rows with their fields checked, quarters summed and repeated keys reported."""
    rows: list[_TargetRow] = []
    for line, values in table:
        cells = _Cells(line, values, problems)
        row = _TargetRow(
            line=line,
            nip=cells.parsed("nip", parse_nip, ""),
            year=cells.parsed("year", _parse_year, None),
            code=cells.text("code", CODE_MAX_LENGTH),
            title=cells.text("title", TITLE_MAX_LENGTH),
            measure=cells.text("unit", UNIT_MAX_LENGTH),
            target=cells.number("target", required=True, positive=True),
            quarters=tuple(cells.number(quarter) for quarter in QUARTERS),
            parent_code=values["parent_code"],
        )
        _check_quarters(row, problems)
        rows.append(row)
    _report_duplicates(rows, problems)
    return rows


def _check_quarters(row: _TargetRow, problems: ImportProblems) -> None:
    """When all four quarters are given, they add up to the target."""
    if row.target is None or None in row.quarters:
        return
    total = sum(row.quarters, Decimal(0))
    if abs(total - row.target) > SUM_TOLERANCE:
        problems.add(row.line, "target", f"q1..q4 add up to {total}, not {row.target}")


def _report_duplicates(rows: list[_TargetRow], problems: ImportProblems) -> None:
    """Every row repeating the (nip, year, code) of an earlier row, naming the earlier line."""
    first: dict[tuple[str, int, str], _TargetRow] = {}
    for row in rows:
        if row.key is None:
            continue
        earlier = first.setdefault(row.key, row)
        if earlier is not row:
            problems.add(
                row.line,
                "code",
                f"duplicate {row.code} for {row.nip} in {row.year} (also on line {earlier.line})",
            )


@dataclass(frozen=True)
class _Person:
    """An employee named in the file, with their direct supervisor."""

    id: int
    supervisor_id: int | None
    supervisor_nip: str | None


def _check_references(
    rows: list[_TargetRow],
    people: Mapping[str, _Person],
    stored: Collection[Key],
    problems: ImportProblems,
) -> None:
    """NIPs name employees; a parent_code names an indicator of the supervisor that year."""
    indicators = set(stored) | {
        (people[row.nip].id, row.year, row.code)
        for row in rows
        if row.key is not None and row.nip in people
    }
    for row in rows:
        person = people.get(row.nip)
        if person is None and row.nip:
            problems.add(row.line, "nip", f"unknown employee {row.nip}")
        elif person is not None and (message := _parent_problem(row, person, indicators)):
            problems.add(row.line, "parent_code", message)


def _parent_problem(row: _TargetRow, person: _Person, indicators: Collection[Key]) -> str | None:
    """What is wrong with the row's parent_code, if anything."""
    if not row.parent_code:
        return None
    if person.supervisor_id is None:
        return f"{row.nip} has no supervisor"
    if row.year and (person.supervisor_id, row.year, row.parent_code) not in indicators:
        return (
            f"supervisor {person.supervisor_nip} has no indicator {row.parent_code} in {row.year}"
        )
    return None


# Database


def _chunks(values: Collection[T]) -> Iterator[list[T]]:
    """The values, sorted, in lists short enough for one `IN (...)`."""
    ordered = sorted(values)
    for start in range(0, len(ordered), IN_CHUNK_SIZE):
        yield ordered[start : start + IN_CHUNK_SIZE]


async def _load_people(session: AsyncSession, nips: Collection[str]) -> dict[str, _Person]:
    """Employees by NIP with their supervisor's id and NIP, one SELECT per chunk of NIPs."""
    supervisor = aliased(Employee)
    people: dict[str, _Person] = {}
    for chunk in _chunks(nips):
        statement = (
            select(Employee.nip, Employee.id, Employee.supervisor_id, supervisor.nip)
            .outerjoin(supervisor, Employee.supervisor_id == supervisor.id)
            .where(Employee.nip.in_(chunk))
        )
        for nip, employee_id, supervisor_id, supervisor_nip in await session.exec(statement):
            people[nip] = _Person(employee_id, supervisor_id, supervisor_nip)
    return people


async def _load_indicators(
    session: AsyncSession, employee_ids: Collection[int], years: Collection[int]
) -> dict[Key, Indicator]:
    """The indicators of these employees in these years, one SELECT per chunk of employees."""
    found: dict[Key, Indicator] = {}
    if not years:
        return found
    for chunk in _chunks(employee_ids):
        statement = select(Indicator).where(
            Indicator.employee_id.in_(chunk),
            Indicator.year.in_(sorted(years)),
        )
        found.update(
            ((indicator.employee_id, indicator.year, indicator.code), indicator)
            for indicator in await session.exec(statement)
        )
    return found


def _fields(row: _TargetRow, person: _Person) -> dict[str, object]:
    """The columns a checked row sets, apart from parent_id."""
    return {
        "employee_id": person.id,
        "year": row.year,
        "code": row.code,
        "title": row.title,
        "measure": row.measure,
        "target": row.target,
        **dict(zip(QUARTERS, row.quarters, strict=True)),
    }


def _assign(indicator: Indicator, values: Mapping[str, object]) -> bool:
    """Set the fields whose value differs; whether there were any."""
    changed = {name: value for name, value in values.items() if getattr(indicator, name) != value}
    for name, value in changed.items():
        setattr(indicator, name, value)
    return bool(changed)


def _parent_id(
    row: _TargetRow, people: Mapping[str, _Person], stored: Mapping[Key, Indicator]
) -> int | None:
    """The id of the supervisor's indicator the row cascades from."""
    if not row.parent_code:
        return None
    return stored[people[row.nip].supervisor_id, row.year, row.parent_code].id


async def _apply(
    session: AsyncSession,
    rows: list[_TargetRow],
    people: Mapping[str, _Person],
    stored: dict[Key, Indicator],
) -> TargetImportReport:
    """Upsert checked rows, then link parents (which may be new rows of the file).

    New indicators are inserted with one bulk INSERT and read back with a chunked SELECT,
    as in `storage.org_import`. `stored` gains the new indicators.
    """
    by_key = {(people[row.nip].id, row.year, row.code): row for row in rows}
    updated = {
        key
        for key, row in by_key.items()
        if key in stored and _assign(stored[key], _fields(row, people[row.nip]))
    }
    created = [key for key in by_key if key not in stored]
    if created:
        params = [_fields(by_key[key], people[by_key[key].nip]) for key in created]
        await session.exec(insert(Indicator), params=params)
        stored.update(
            await _load_indicators(
                session, {key[0] for key in created}, {key[1] for key in created}
            )
        )
    for key, row in by_key.items():
        if _assign(stored[key], {"parent_id": _parent_id(row, people, stored)}):
            updated.add(key)
    await session.flush()
    updated -= set(created)
    return TargetImportReport(len(created), len(updated), len(by_key) - len(created) - len(updated))


# Entry point


async def import_targets(session: AsyncSession, path: Path) -> TargetImportReport:
    """Check the file completely, then upsert its indicators without committing.

    Raises `OrgImportError` listing every problem, before writing anything, if there is one.
    File-level problems (type, columns, NIPs stored as numbers) are reported on their own.
    """
    table = await asyncio.to_thread(
        read_table, path, COLUMNS, OPTIONAL_COLUMNS, text_columns=NIP_COLUMNS
    )
    problems = ImportProblems(path.name)
    rows = _target_rows(table, problems)
    people = await _load_people(session, {row.nip for row in rows} - {""})
    employee_ids = {person.id for person in people.values()}
    employee_ids |= {person.supervisor_id for person in people.values() if person.supervisor_id}
    years = {row.year for row in rows if row.year}
    stored = await _load_indicators(session, employee_ids, years)
    _check_references(rows, people, stored, problems)
    if problems.found:
        raise OrgImportError(problems.lines())
    return await _apply(session, rows, people, stored)
