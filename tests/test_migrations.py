"""The migrations build exactly the schema the models describe, and undo it."""

from __future__ import annotations

from datetime import date, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.migrate import downgrade, upgrade
from storage.models import description_digest, metadata


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


_SEED_0004 = (
    "INSERT INTO unit (id, code, name, timezone) VALUES (1, 'U', 'Unit', 'Asia/Makassar')",
    "INSERT INTO employee (id, nip, name, position, is_admin, is_active, unit_id)"
    " VALUES (7, '199001012020011001', 'Siti', '', false, true, 1)",
    "INSERT INTO daily_report (id, employee_id, work_date, status, created_at, updated_at)"
    " VALUES (3, 7, :day, 'submitted', :stamp, :stamp)",
    "INSERT INTO activity (id, report_id, description, created_at)"
    " VALUES (1, 3, 'Rapat', :stamp), (2, 3, '', :stamp)",
    "INSERT INTO evidence (id, activity_id, kind, file_id, file_unique_id)"
    " VALUES (1, 1, 'photo', 'f', 'u')",
)


async def test_0005_backfills_owner_and_digest_and_keeps_evidence(
    empty_engine: AsyncEngine,
) -> None:
    await upgrade(empty_engine, "0004")
    params = {"day": date(2026, 11, 2), "stamp": datetime(2026, 11, 2, 1, 0)}  # naive UTC
    async with empty_engine.begin() as connection:
        for statement in _SEED_0004:
            await connection.execute(text(statement), params)

    await upgrade(empty_engine)
    async with empty_engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT id, employee_id, description_hash FROM activity ORDER BY id")
        )
        assert rows.all() == [(1, 7, description_digest("Rapat")), (2, 7, None)]
        evidence = await connection.execute(text("SELECT count(*) FROM evidence"))
        assert evidence.scalar_one() == 1

    await downgrade(empty_engine, "0004")
    async with empty_engine.connect() as connection:
        evidence = await connection.execute(text("SELECT count(*) FROM evidence"))
        assert evidence.scalar_one() == 1
