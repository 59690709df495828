"""Leave (cuti): days an employee gets no daily reminder."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Leave


async def add_leave(session: AsyncSession, employee_id: int, first: date, last: date) -> None:
    """Record a leave from `first` to `last` (inclusive)."""
    session.add(Leave(employee_id=employee_id, first_day=first, last_day=last))
    await session.flush()


async def upcoming_leave(session: AsyncSession, employee_id: int, today: date) -> list[Leave]:
    """Leaves that have not ended yet, soonest first."""
    rows = await session.exec(
        select(Leave)
        .where(Leave.employee_id == employee_id, Leave.last_day >= today)
        .order_by(col(Leave.first_day))
    )
    return list(rows.all())


async def cancel_upcoming_leave(session: AsyncSession, employee_id: int, today: date) -> int:
    """Forget leaves that have not started yet; how many."""
    result = await session.exec(
        delete(Leave).where(col(Leave.employee_id) == employee_id, col(Leave.first_day) > today)
    )
    return result.rowcount
