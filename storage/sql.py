"""Statement helpers: the few statements whose form differs between SQLite and PostgreSQL.

Hot-path statements are built once with bind parameters: building and cache-keying a
statement on every call costs more than running it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert
from sqlmodel.ext.asyncio.session import AsyncSession


@cache
def _insert_ignoring(table: Any, columns: tuple[str, ...], dialect_name: str) -> Insert:
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    values = {name: bindparam(name, type_=table.__table__.c[name].type) for name in columns}
    return dialect.insert(table.__table__).values(values).on_conflict_do_nothing()


async def insert_or_ignore(session: AsyncSession, table: Any, **values: Any) -> int:
    """`INSERT ... ON CONFLICT DO NOTHING`; how many rows were inserted (0 or 1)."""
    statement = _insert_ignoring(table, tuple(sorted(values)), session.get_bind().dialect.name)
    result = await session.exec(statement, params=values)
    return result.rowcount
