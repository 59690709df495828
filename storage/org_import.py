"""Import the organisation (units and employees) from CSV or XLSX files.

Both files are checked completely before anything is written: every problem is collected as
`file:line: message` and raised together in `OrgImportError`. A clean import upserts units by
code and employees by NIP in the caller's session; the caller commits. Rows of the database
that the files do not mention are left alone, and `telegram_id` / `language` are never touched.
"""

from __future__ import annotations

import asyncio
import csv
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar
from zipfile import BadZipFile

from openpyxl import load_workbook
from sqlalchemy import insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import is_time_zone
from storage.models import NIP_LENGTH, Employee, Unit

__all__ = [
    "IN_CHUNK_SIZE",
    "ImportProblems",
    "ImportReport",
    "OrgImportError",
    "import_org",
    "parse_bool",
    "parse_nip",
    "parse_timezone",
    "read_table",
]

UNIT_COLUMNS = ("code", "name", "parent_code", "timezone")
EMPLOYEE_COLUMNS = ("nip", "name", "position", "unit_code", "supervisor_nip", "admin")
EMPLOYEE_OPTIONAL_COLUMNS = ("active",)
NIP_COLUMNS = ("nip", "supervisor_nip")

UNIT_CODE_MAX_LENGTH = 32  # Unit.code
NAME_MAX_LENGTH = 200  # Unit.name, Employee.name, Employee.position
IN_CHUNK_SIZE = 500  # values per `IN (...)`, far below SQLite's and asyncpg's parameter limits

DELIMITERS = (",", ";", "\t")
TIMEZONE_ALIASES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
TRUE_WORDS = frozenset({"yes", "ya", "y", "true", "1"})
FALSE_WORDS = frozenset({"no", "tidak", "n", "false", "0"})
_NIP_PATTERN = re.compile(f"[0-9]{{{NIP_LENGTH}}}")

Row = tuple[int, dict[str, str]]
ModelT = TypeVar("ModelT", Unit, Employee)
RecordT = TypeVar("RecordT")
T = TypeVar("T")


class OrgImportError(Exception):
    """The files were rejected; `errors` holds one `file:line: message` per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportReport:
    """What an import did; "updated" means at least one field really changed."""

    units_created: int
    units_updated: int
    units_unchanged: int
    employees_created: int
    employees_updated: int
    employees_unchanged: int

    def summary(self) -> str:
        """One line for operators."""
        return (
            f"units: {self.units_created} created, {self.units_updated} updated, "
            f"{self.units_unchanged} unchanged; "
            f"employees: {self.employees_created} created, {self.employees_updated} updated, "
            f"{self.employees_unchanged} unchanged"
        )


# Reading tables


def read_table(
    path: Path,
    required: Sequence[str],
    optional: Sequence[str] = (),
    *,
    text_columns: Collection[str] = (),
) -> list[Row]:
    """The data rows of a `.csv` or `.xlsx` table as (line number, {column: stripped text}).

    Column names are given in lower case; headers match them case-insensitively, other
    columns are ignored and an absent optional column reads as "". Completely empty rows are
    skipped. Raises `OrgImportError` for an unsupported or unreadable file, a missing or
    repeated column, or an XLSX number cell in one of `text_columns` (Excel keeps only 15
    significant digits, so long identifiers stored as numbers are already damaged).
    """
    records = _read_records(path)
    header = records[0][1] if records else ()
    columns = _locate_columns(path.name, header, (*required, *optional), required)
    rows: list[Row] = []
    errors: list[str] = []
    for line, cells in records[1:]:
        if all(_cell_text(cell) == "" for cell in cells):
            continue
        values: dict[str, str] = {}
        for column in (*required, *optional):
            index = columns.get(column)
            cell = cells[index] if index is not None and index < len(cells) else None
            if column in text_columns and _is_number(cell):
                errors.append(
                    f"{path.name}:{line}: {column}: stored as a number; format the column as "
                    "Text and type the values again (Excel keeps only 15 digits)"
                )
            values[column] = _cell_text(cell)
        rows.append((line, values))
    if errors:
        raise OrgImportError(errors)
    return rows


def _read_records(path: Path) -> list[tuple[int, Sequence[object]]]:
    """Every record of the file, header included, with the line it starts on."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_records(path)
    if suffix == ".xlsx":
        return _xlsx_records(path)
    raise OrgImportError([f"{path.name}: unsupported file type; use .csv or .xlsx"])


def _csv_records(path: Path) -> list[tuple[int, Sequence[object]]]:
    """CSV records in UTF-8 (BOM allowed), delimited by `,`, `;` or tab as the header shows."""
    records: list[tuple[int, Sequence[object]]] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = handle.readline()
            reader = csv.reader(chain([header], handle), delimiter=_detect_delimiter(header))
            start = 1
            for record in reader:
                records.append((start, record))
                start = reader.line_num + 1  # a quoted field may span several lines
    except UnicodeDecodeError:
        raise OrgImportError([f"{path.name}: not UTF-8 text; save it as CSV UTF-8"]) from None
    return records


def _detect_delimiter(header: str) -> str:
    """The delimiter used most in the header line (`,` when there is none)."""
    return max(DELIMITERS, key=header.count)


def _xlsx_records(path: Path) -> list[tuple[int, Sequence[object]]]:
    """The rows of the first worksheet, numbered as Excel shows them."""
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except BadZipFile:
        raise OrgImportError([f"{path.name}: not a valid XLSX file"]) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers store a wrong sheet size; read what is there
        return list(enumerate(sheet.iter_rows(values_only=True), start=1))
    finally:
        workbook.close()


def _locate_columns(
    file: str, header: Sequence[object], wanted: Sequence[str], required: Sequence[str]
) -> dict[str, int]:
    """Index of each wanted column in the header; missing or repeated columns are errors."""
    columns: dict[str, int] = {}
    errors: list[str] = []
    for index, cell in enumerate(header):
        name = _cell_text(cell).lower()
        if name in columns:
            errors.append(f"{file}:1: duplicate column {name!r}")
        elif name in wanted:
            columns[name] = index
    errors.extend(f"{file}:1: missing column {name!r}" for name in required if name not in columns)
    if errors:
        raise OrgImportError(errors)
    return columns


def _cell_text(cell: object) -> str:
    return "" if cell is None else str(cell).strip()


def _is_number(cell: object) -> bool:
    return isinstance(cell, int | float) and not isinstance(cell, bool)


# Parsing values


def parse_nip(value: str) -> str:
    """An 18-digit NIP, without the spaces it is often written with; ValueError otherwise."""
    nip = "".join(value.split())
    if not _NIP_PATTERN.fullmatch(nip):
        raise ValueError(f"expected {NIP_LENGTH} digits, got {value!r}")
    return nip


def parse_bool(value: str, *, default: bool) -> bool:
    """yes/no, ya/tidak, y/n, true/false or 1/0 in any case; empty gives `default`."""
    word = value.lower()
    if not word:
        return default
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"expected yes or no, got {value!r}")


def parse_timezone(value: str) -> str:
    """An IANA time zone name; WIB, WITA and WIT stand for the three Indonesian zones."""
    name = TIMEZONE_ALIASES.get(value.upper(), value)
    if not is_time_zone(name):
        raise ValueError(f"unknown time zone {value!r}")
    return name


# Checking rows


class ImportProblems:
    """The problems found in one imported file, each on a line (shared by every importer)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[tuple[int, str]] = []

    def add(self, line: int, column: str, message: str) -> None:
        self.found.append((line, f"{column}: {message}"))

    def lines(self) -> list[str]:
        """`file:line: column: message`, in line order."""
        return [
            f"{self.file}:{line}: {text}" for line, text in sorted(self.found, key=itemgetter(0))
        ]


@dataclass(frozen=True)
class _Cells:
    """One table row, read field by field; bad fields are recorded and replaced by a fallback."""

    line: int
    values: dict[str, str]
    problems: ImportProblems

    def text(self, column: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.values[column]
        if required and not value:
            self.problem(column, "value is required")
        elif max_length is not None and len(value) > max_length:
            self.problem(column, f"longer than {max_length} characters")
        return value

    def parsed(self, column: str, parse: Callable[[str], T], fallback: T) -> T:
        try:
            return parse(self.values[column])
        except ValueError as error:
            self.problem(column, str(error))
            return fallback

    def nip(self, column: str, *, required: bool = False) -> str:
        return self.parsed(column, parse_nip, "") if self.text(column, required=required) else ""

    def problem(self, column: str, message: str) -> None:
        self.problems.add(self.line, column, message)


@dataclass(frozen=True)
class _UnitRow:
    line: int
    code: str
    name: str
    parent_code: str
    timezone: str


@dataclass(frozen=True)
class _EmployeeRow:
    line: int
    nip: str
    name: str
    position: str
    unit_code: str
    supervisor_nip: str
    is_admin: bool
    is_active: bool


def _unit_rows(table: list[Row], problems: ImportProblems, default_timezone: str) -> list[_UnitRow]:
    """Units with their fields checked and repeated codes reported."""
    rows: list[_UnitRow] = []
    for line, values in table:
        cells = _Cells(line, values, problems)
        rows.append(
            _UnitRow(
                line=line,
                code=cells.text("code", required=True, max_length=UNIT_CODE_MAX_LENGTH),
                name=cells.text("name", required=True, max_length=NAME_MAX_LENGTH),
                parent_code=values["parent_code"],
                timezone=cells.parsed(
                    "timezone", lambda value: parse_timezone(value or default_timezone), ""
                ),
            )
        )
    _report_duplicates(rows, "code", problems)
    return rows


def _employee_rows(table: list[Row], problems: ImportProblems) -> list[_EmployeeRow]:
    """Employees with their fields checked and repeated NIPs reported."""
    rows: list[_EmployeeRow] = []
    for line, values in table:
        cells = _Cells(line, values, problems)
        rows.append(
            _EmployeeRow(
                line=line,
                nip=cells.nip("nip", required=True),
                name=cells.text("name", required=True, max_length=NAME_MAX_LENGTH),
                position=cells.text("position", max_length=NAME_MAX_LENGTH),
                unit_code=cells.text("unit_code", required=True),
                supervisor_nip=cells.nip("supervisor_nip"),
                is_admin=cells.parsed(
                    "admin", lambda value: parse_bool(value, default=False), False
                ),
                is_active=cells.parsed(
                    "active", lambda value: parse_bool(value, default=True), True
                ),
            )
        )
    _report_duplicates(rows, "nip", problems)
    return rows


def _first_by_key(rows: Sequence[RecordT], key: str) -> dict[str, RecordT]:
    """The first row for each non-empty key."""
    first: dict[str, RecordT] = {}
    for row in rows:
        if value := getattr(row, key):
            first.setdefault(value, row)
    return first


def _report_duplicates(
    rows: Sequence[_UnitRow | _EmployeeRow], key: str, problems: ImportProblems
) -> None:
    """Every row repeating the key of an earlier row, naming the earlier line."""
    first = _first_by_key(rows, key)
    for row in rows:
        value = getattr(row, key)
        if value and first[value] is not row:
            problems.add(row.line, key, f"duplicate {value} (also on line {first[value].line})")


def _check_units(
    rows: list[_UnitRow], stored: Mapping[int, Unit], problems: ImportProblems
) -> None:
    """Parents must exist in the file or the database and must not form a cycle."""
    parent_of: dict[str, str | None] = {
        unit.code: stored[unit.parent_id].code if unit.parent_id else None
        for unit in stored.values()
    }
    first = _first_by_key(rows, "code")
    parent_of.update({code: row.parent_code or None for code, row in first.items()})
    for row in rows:
        if row.parent_code and row.parent_code not in parent_of:
            problems.add(row.line, "parent_code", f"unknown unit {row.parent_code}")
    lines = {code: row.line for code, row in first.items()}
    _report_cycles(parent_of, lines, problems, column="parent_code", relation="parent")


def _check_employees(
    rows: list[_EmployeeRow],
    unit_codes: Collection[str],
    stored: Mapping[int, Employee],
    problems: ImportProblems,
) -> None:
    """Units and supervisors must exist; supervisors must not form a cycle.

    The file's rows are merged over the database: employees the file does not mention keep
    their current supervisor.
    """
    supervisor_of: dict[str, str | None] = {
        employee.nip: stored[employee.supervisor_id].nip if employee.supervisor_id else None
        for employee in stored.values()
    }
    first = _first_by_key(rows, "nip")
    supervisor_of.update({nip: row.supervisor_nip or None for nip, row in first.items()})
    for row in rows:
        if row.unit_code and row.unit_code not in unit_codes:
            problems.add(row.line, "unit_code", f"unknown unit {row.unit_code}")
        if row.supervisor_nip and row.supervisor_nip not in supervisor_of:
            problems.add(row.line, "supervisor_nip", f"unknown employee {row.supervisor_nip}")
    lines = {nip: row.line for nip, row in first.items()}
    _report_cycles(supervisor_of, lines, problems, column="supervisor_nip", relation="supervisor")


def _report_cycles(
    parent_of: Mapping[str, str | None],
    lines: Mapping[str, int],
    problems: ImportProblems,
    *,
    column: str,
    relation: str,
) -> None:
    """Each cycle through a row of the file once, on the line of its earliest member."""
    for members in _find_cycles(parent_of, lines):
        in_file = [member for member in members if member in lines]
        if not in_file:
            continue  # already in the database; this import neither makes nor mends it
        first = min(in_file, key=lines.__getitem__)
        start = members.index(first)
        loop = [*members[start:], *members[:start], first]
        if len(members) == 1:
            problems.add(lines[first], column, f"{first} is its own {relation}")
        else:
            problems.add(lines[first], column, f"{relation} cycle: {' -> '.join(loop)}")


def _find_cycles(parent_of: Mapping[str, str | None], starts: Collection[str]) -> list[list[str]]:
    """Every cycle reachable from `starts` in a graph where each node has at most one parent."""
    cycles: list[list[str]] = []
    done: set[str] = set()
    for start in starts:
        path: list[str] = []
        position: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in done:
            if node in position:
                cycles.append(path[position[node] :])
                break
            position[node] = len(path)
            path.append(node)
            node = parent_of.get(node)
        done.update(path)
    return cycles


# Database


async def _select_in(
    session: AsyncSession, model: type[ModelT], field: str, values: Collection[Any]
) -> list[ModelT]:
    """Rows of `model` whose `field` is in `values`, one SELECT per chunk of values."""
    column = getattr(model, field)
    ordered = sorted(values)
    found: list[ModelT] = []
    for start in range(0, len(ordered), IN_CHUNK_SIZE):
        chunk = ordered[start : start + IN_CHUNK_SIZE]
        found.extend((await session.exec(select(model).where(column.in_(chunk)))).all())
    return found


async def _load_with_ancestors(
    session: AsyncSession, model: type[ModelT], key: str, keys: Collection[str], parent: str
) -> dict[int, ModelT]:
    """Rows whose `key` is in `keys` plus every row above them along `parent`, by id.

    Ancestors are fetched one hierarchy level per query, so the query count follows the
    depth of the organisation, not its size.
    """
    found = {row.id: row for row in await _select_in(session, model, key, keys)}
    level = list(found.values())
    while missing := {getattr(row, parent) for row in level} - found.keys() - {None}:
        level = await _select_in(session, model, "id", missing)
        found.update((row.id, row) for row in level)
    return found


def _assign(record: Unit | Employee, values: Mapping[str, object]) -> bool:
    """Set the fields whose value differs; whether there were any."""
    changed = {name: value for name, value in values.items() if getattr(record, name) != value}
    for name, value in changed.items():
        setattr(record, name, value)
    return bool(changed)


async def _upsert(
    session: AsyncSession,
    model: type[ModelT],
    key: str,
    stored: dict[str, ModelT],
    rows: Mapping[str, RecordT],
    fields: Callable[[RecordT], dict[str, Any]],
    links: Callable[[RecordT], dict[str, Any]],
) -> tuple[int, int, int]:
    """Create or update one record per `key` value; returns (created, updated, unchanged).

    New records are inserted with one bulk INSERT (the ORM would insert them one by one on
    SQLite to learn their ids) and read back with a chunked SELECT. `links`, references that
    may point at records created here, are set last. `stored` gains the new records.
    """
    updated = {
        name for name, row in rows.items() if name in stored and _assign(stored[name], fields(row))
    }
    created = [name for name in rows if name not in stored]
    if created:
        await session.exec(insert(model), params=[fields(rows[name]) for name in created])
        stored.update(
            (getattr(record, key), record)
            for record in await _select_in(session, model, key, created)
        )
    for name, row in rows.items():
        if _assign(stored[name], links(row)) and name not in created:
            updated.add(name)
    return len(created), len(updated), len(rows) - len(created) - len(updated)


async def _apply(
    session: AsyncSession,
    units: list[_UnitRow],
    employees: list[_EmployeeRow],
    stored_units: Mapping[int, Unit],
    stored_employees: Mapping[int, Employee],
) -> ImportReport:
    """Write checked rows: units first (employees need their ids), then employees."""
    unit_by_code = {unit.code: unit for unit in stored_units.values()}
    employee_by_nip = {employee.nip: employee for employee in stored_employees.values()}
    unit_counts = await _upsert(
        session,
        Unit,
        "code",
        unit_by_code,
        _first_by_key(units, "code"),
        lambda row: {"code": row.code, "name": row.name, "timezone": row.timezone},
        lambda row: {"parent_id": unit_by_code[row.parent_code].id if row.parent_code else None},
    )
    employee_counts = await _upsert(
        session,
        Employee,
        "nip",
        employee_by_nip,
        _first_by_key(employees, "nip"),
        lambda row: {
            "nip": row.nip,
            "name": row.name,
            "position": row.position,
            "unit_id": unit_by_code[row.unit_code].id,
            "is_admin": row.is_admin,
            "is_active": row.is_active,
        },
        lambda row: {
            "supervisor_id": employee_by_nip[row.supervisor_nip].id if row.supervisor_nip else None
        },
    )
    await session.flush()
    return ImportReport(*unit_counts, *employee_counts)


# Entry point


def _read_files(units_path: Path, employees_path: Path) -> tuple[list[Row], list[Row]]:
    """Both tables, or `OrgImportError` with the file-level problems of both."""
    errors: list[str] = []
    tables: list[list[Row]] = []
    for path, required, optional, text_columns in (
        (units_path, UNIT_COLUMNS, (), ()),
        (employees_path, EMPLOYEE_COLUMNS, EMPLOYEE_OPTIONAL_COLUMNS, NIP_COLUMNS),
    ):
        try:
            tables.append(read_table(path, required, optional, text_columns=text_columns))
        except OrgImportError as error:
            errors.extend(error.errors)
    if errors:
        raise OrgImportError(errors)
    return tables[0], tables[1]


async def import_org(
    session: AsyncSession,
    units_path: Path,
    employees_path: Path,
    *,
    default_timezone: str = "Asia/Jakarta",
) -> ImportReport:
    """Check both files completely, then upsert units and employees without committing.

    Raises `OrgImportError` listing every problem, before writing anything, if there is one.
    File-level problems (type, columns, NIPs stored as numbers) are reported on their own,
    since row checks on such a file would only add noise.
    """
    units_table, employees_table = await asyncio.to_thread(_read_files, units_path, employees_path)
    unit_problems = ImportProblems(units_path.name)
    employee_problems = ImportProblems(employees_path.name)
    units = _unit_rows(units_table, unit_problems, default_timezone)
    employees = _employee_rows(employees_table, employee_problems)

    codes = {row.code for row in units} | {row.parent_code for row in units}
    codes |= {row.unit_code for row in employees}
    nips = {row.nip for row in employees} | {row.supervisor_nip for row in employees}
    stored_units = await _load_with_ancestors(session, Unit, "code", codes - {""}, "parent_id")
    stored_employees = await _load_with_ancestors(
        session, Employee, "nip", nips - {""}, "supervisor_id"
    )

    _check_units(units, stored_units, unit_problems)
    unit_codes = {unit.code for unit in stored_units.values()} | {row.code for row in units}
    _check_employees(employees, unit_codes, stored_employees, employee_problems)
    errors = unit_problems.lines() + employee_problems.lines()
    if errors:
        raise OrgImportError(errors)
    return await _apply(session, units, employees, stored_units, stored_employees)
