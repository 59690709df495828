"""Import service counters (loket) of the citizens' survey from a CSV or XLSX file.

The file is checked completely before anything is written: every problem is collected as
`file:line: column: message` and raised together in `OrgImportError`. A clean import upserts
counters by code in the caller's session; the caller commits. Counters the file does not
mention are left alone (set `active` to `no` to retire one: its responses stay).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.qr import PAYLOAD_MAX, PAYLOAD_PREFIX, counter_link
from storage.models import ServiceCounter, Unit
from storage.org_import import (
    IN_CHUNK_SIZE,
    ImportProblems,
    OrgImportError,
    parse_bool,
    read_table,
)

__all__ = [
    "CounterImportReport",
    "active_counters",
    "counter_by_code",
    "import_counters",
    "parse_counter_code",
]

COLUMNS = ("code", "unit_code", "name", "service")
OPTIONAL_COLUMNS = ("quick", "active")
TEXT_COLUMNS = ("code", "unit_code")

CODE_MAX_LENGTH = min(32, PAYLOAD_MAX - len(PAYLOAD_PREFIX))  # ServiceCounter.code; c_<code>
NAME_MAX_LENGTH = 200  # ServiceCounter.name, ServiceCounter.service
_ANY_BOT = "kinerja_bot"  # the link's rule on the code does not depend on the bot


@dataclass
class CounterImportReport:
    """What an import did; "updated" means at least one field really changed."""

    created: int
    updated: int
    unchanged: int

    def summary(self) -> str:
        """One line for operators."""
        return (
            f"counters: {self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        )


def parse_counter_code(text: str) -> str:
    """A counter code fit for the QR code's link `?start=c_<code>`; ValueError otherwise."""
    if len(text) > CODE_MAX_LENGTH:
        raise ValueError(f"longer than {CODE_MAX_LENGTH} characters")
    try:
        counter_link(_ANY_BOT, text)
    except ValueError:
        raise ValueError(
            f"{text!r} may only use the letters A-Z a-z, digits 0-9, _ and - "
            "(it becomes part of the QR code's link)"
        ) from None
    return text


# Checking rows


@dataclass(frozen=True)
class _CounterRow:
    """A row as read; a field that failed its check is ""."""

    line: int
    code: str
    unit_code: str
    name: str
    service: str
    quick: bool
    active: bool


class _Cells:
    """One table row, read field by field; bad fields are recorded and replaced by ""."""

    def __init__(self, line: int, values: Mapping[str, str], problems: ImportProblems) -> None:
        self.line = line
        self.values = values
        self.problems = problems

    def text(self, column: str) -> str:
        value = self.values[column]
        if not value:
            self.problems.add(self.line, column, "value is required")
        elif len(value) > NAME_MAX_LENGTH:
            self.problems.add(self.line, column, f"longer than {NAME_MAX_LENGTH} characters")
            return ""
        return value

    def code(self) -> str:
        value = self.values["code"]
        if not value:
            self.problems.add(self.line, "code", "value is required")
            return ""
        try:
            return parse_counter_code(value)
        except ValueError as error:
            self.problems.add(self.line, "code", str(error))
            return ""

    def flag(self, column: str, default: bool) -> bool:
        try:
            return parse_bool(self.values[column], default=default)
        except ValueError as error:
            self.problems.add(self.line, column, str(error))
            return default


def _counter_rows(
    table: list[tuple[int, dict[str, str]]], problems: ImportProblems
) -> list[_CounterRow]:
    """Rows with their fields checked and repeated codes reported."""
    rows: list[_CounterRow] = []
    first: dict[str, int] = {}
    for line, values in table:
        cells = _Cells(line, values, problems)
        row = _CounterRow(
            line=line,
            code=cells.code(),
            unit_code=cells.text("unit_code"),
            name=cells.text("name"),
            service=cells.text("service"),
            quick=cells.flag("quick", default=False),
            active=cells.flag("active", default=True),
        )
        if row.code:
            earlier = first.setdefault(row.code, line)
            if earlier != line:
                problems.add(line, "code", f"duplicate {row.code} (also on line {earlier})")
        rows.append(row)
    return rows


# Database


def _chunks(values: Collection[str]) -> Iterator[list[str]]:
    """The values, sorted, in lists short enough for one `IN (...)`."""
    ordered = sorted(values)
    for start in range(0, len(ordered), IN_CHUNK_SIZE):
        yield ordered[start : start + IN_CHUNK_SIZE]


async def _unit_ids(session: AsyncSession, codes: Collection[str]) -> dict[str, int]:
    """Unit ids by code, one SELECT per chunk of codes."""
    found: dict[str, int] = {}
    for chunk in _chunks(codes):
        statement = select(Unit.code, Unit.id).where(col(Unit.code).in_(chunk))
        found.update((code, unit_id) for code, unit_id in await session.exec(statement))
    return found


async def _stored_counters(
    session: AsyncSession, codes: Collection[str]
) -> dict[str, ServiceCounter]:
    """The counters with these codes, one SELECT per chunk of codes."""
    found: dict[str, ServiceCounter] = {}
    for chunk in _chunks(codes):
        statement = select(ServiceCounter).where(col(ServiceCounter.code).in_(chunk))
        found.update((counter.code, counter) for counter in await session.exec(statement))
    return found


def _assign(counter: ServiceCounter, values: Mapping[str, object]) -> bool:
    """Set the fields whose value differs; whether there were any."""
    changed = {name: value for name, value in values.items() if getattr(counter, name) != value}
    for name, value in changed.items():
        setattr(counter, name, value)
    return bool(changed)


# Entry points


async def import_counters(session: AsyncSession, path: Path) -> CounterImportReport:
    """Check the file completely, then upsert its counters by code without committing.

    Columns: `code,unit_code,name,service`, optionally `quick` (yes/no: one overall question
    instead of the nine elements; default no) and `active` (default yes). Raises
    `OrgImportError` listing every problem, before writing anything, if there is one.
    """
    table = await asyncio.to_thread(
        read_table, path, COLUMNS, OPTIONAL_COLUMNS, text_columns=TEXT_COLUMNS
    )
    problems = ImportProblems(path.name)
    rows = _counter_rows(table, problems)
    units = await _unit_ids(session, {row.unit_code for row in rows if row.unit_code})
    for row in rows:
        if row.unit_code and row.unit_code not in units:
            problems.add(row.line, "unit_code", f"unknown unit {row.unit_code}")
    if errors := problems.lines():
        raise OrgImportError(errors)

    stored = await _stored_counters(session, {row.code for row in rows})
    created = updated = 0
    for row in rows:
        values = {
            "unit_id": units[row.unit_code],
            "name": row.name,
            "service": row.service,
            "quick": row.quick,
            "is_active": row.active,
        }
        counter = stored.get(row.code)
        if counter is None:
            session.add(ServiceCounter(code=row.code, **values))
            created += 1
        elif _assign(counter, values):
            session.add(counter)
            updated += 1
    await session.flush()
    return CounterImportReport(created, updated, len(rows) - created - updated)


async def counter_by_code(session: AsyncSession, code: str) -> ServiceCounter | None:
    """The counter with this code, active or not."""
    return (await session.exec(select(ServiceCounter).where(ServiceCounter.code == code))).first()


async def active_counters(session: AsyncSession) -> list[ServiceCounter]:
    """Every active counter, by code."""
    statement = (
        select(ServiceCounter).where(col(ServiceCounter.is_active)).order_by(ServiceCounter.code)
    )
    return list((await session.exec(statement)).all())
