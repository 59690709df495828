"""The migrations build exactly the schema the models describe, and undo it."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.migrate import downgrade, upgrade
from storage.models import metadata


def _diff(connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, metadata)


def _tables(connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_upgrade_matches_models_and_downgrade_empties(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine)
    async with empty_engine.connect() as connection:
        assert await connection.run_sync(_diff) == []
        assert {"unit", "employee", "invite"} <= await connection.run_sync(_tables)

    await downgrade(empty_engine, "base")
    async with empty_engine.connect() as connection:
        assert await connection.run_sync(_tables) == {"alembic_version"}
