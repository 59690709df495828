"""The durable outbox: messages planned once, claimed under a lease, sent, and accounted for.

A message is planned once per dedupe key. A sender claims due rows (status `sending` with a
lease), commits the claim, sends, and records the outcome. A process that dies mid-send leaves
its rows `sending`; they are claimed again once the lease has run out. Nothing here commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, update
from sqlalchemy.sql.dml import Update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Employee, OutboxMessage, OutboxStatus
from storage.sql import insert_or_ignore
from storage.types import UTCDateTime, utcnow

BLOCKED = "blocked"

# Prebuilt statements (see storage.sql). Parameter names differ from column names, which
# UPDATE reserves: :the_message, :the_employee, :the_now, :the_lease_end, :the_retry_at,
# :the_error, :the_limit.
_NOW = bindparam("the_now", type_=UTCDateTime())
_THIS_MESSAGE = col(OutboxMessage.id) == bindparam("the_message")
_IS_SENDING = col(OutboxMessage.status) == OutboxStatus.SENDING
_CLAIMABLE = and_(
    col(OutboxMessage.due_at) <= _NOW,
    or_(
        col(OutboxMessage.status) == OutboxStatus.PENDING,
        and_(_IS_SENDING, col(OutboxMessage.lease_until) <= _NOW),
    ),
)
_CLAIM_VALUES: dict[str, Any] = {
    "status": OutboxStatus.SENDING,
    "lease_until": bindparam("the_lease_end", type_=UTCDateTime()),
    "attempts": col(OutboxMessage.attempts) + 1,
}
_MARK_SENT = (
    update(OutboxMessage)
    .where(_THIS_MESSAGE, _IS_SENDING)
    .values(status=OutboxStatus.SENT, sent_at=_NOW, lease_until=None)
)
_MARK_RETRY = (
    update(OutboxMessage)
    .where(_THIS_MESSAGE, _IS_SENDING)
    .values(
        status=OutboxStatus.PENDING,
        due_at=bindparam("the_retry_at", type_=UTCDateTime()),
        last_error=bindparam("the_error"),
        lease_until=None,
    )
)
_MARK_FAILED = (
    update(OutboxMessage)
    .where(
        _THIS_MESSAGE,
        col(OutboxMessage.status).in_((OutboxStatus.PENDING, OutboxStatus.SENDING)),
    )
    .values(status=OutboxStatus.FAILED, last_error=bindparam("the_error"), lease_until=None)
)
_RELEASE = (
    update(OutboxMessage)
    .where(_THIS_MESSAGE, _IS_SENDING)
    .values(
        status=OutboxStatus.PENDING,
        lease_until=None,
        attempts=col(OutboxMessage.attempts) - 1,
    )
)
_UNREACHABLE = (
    update(Employee).where(col(Employee.id) == bindparam("the_employee")).values(reachable=False)
)
_FAIL_PENDING_OF = (
    update(OutboxMessage)
    .where(
        col(OutboxMessage.employee_id) == bindparam("the_employee"),
        col(OutboxMessage.status) == OutboxStatus.PENDING,
    )
    .values(status=OutboxStatus.FAILED, last_error=BLOCKED)
)
_COUNT_BY_STATUS = select(OutboxMessage.status, func.count()).group_by(col(OutboxMessage.status))


@cache
def _claim_statement(dialect_name: str) -> Update:
    """`UPDATE ... RETURNING` of the oldest due rows; PostgreSQL skips rows others are claiming.

    On PostgreSQL the rows are picked with `FOR UPDATE SKIP LOCKED` in a CTE (always
    materialised, as it locks), so concurrent claimers in several processes get disjoint rows.
    SQLite has one writer at a time (`BEGIN IMMEDIATE`), so a plain subquery is enough.
    """
    due = (
        select(OutboxMessage.id)
        .where(_CLAIMABLE)
        .order_by(col(OutboxMessage.due_at), col(OutboxMessage.id))
        .limit(bindparam("the_limit"))
    )
    if dialect_name == "postgresql":
        locked = due.with_for_update(skip_locked=True).cte("due")
        claimed = col(OutboxMessage.id) == locked.c.id
    else:
        claimed = col(OutboxMessage.id).in_(due.scalar_subquery())
    return (
        update(OutboxMessage)
        .where(claimed)
        .values(_CLAIM_VALUES)
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False, populate_existing=True)
    )


async def plan(
    session: AsyncSession,
    *,
    kind: str,
    employee_id: int,
    chat_id: int,
    dedupe_key: str,
    due_at: datetime,
    payload: dict[str, Any],
    now: datetime | None = None,
) -> bool:
    """Plan a message unless one with `dedupe_key` exists; True if newly planned."""
    inserted = await insert_or_ignore(
        session,
        OutboxMessage,
        kind=kind,
        employee_id=employee_id,
        chat_id=chat_id,
        dedupe_key=dedupe_key,
        due_at=due_at,
        payload=payload,
        status=OutboxStatus.PENDING,
        attempts=0,
        created_at=now or utcnow(),
    )
    return inserted == 1


async def claim_due(
    session: AsyncSession, now: datetime, limit: int, lease: timedelta
) -> list[OutboxMessage]:
    """Claim up to `limit` due rows (pending, or `sending` with an expired lease), oldest first.

    Each becomes `sending` until `now + lease` with one more attempt. Commit before sending.
    """
    statement = _claim_statement(session.get_bind().dialect.name)
    params = {"the_now": now, "the_lease_end": now + lease, "the_limit": limit}
    rows = (await session.exec(statement, params=params)).scalars().all()
    return sorted(rows, key=lambda row: (row.due_at, row.id or 0))


async def mark_sent(session: AsyncSession, message_id: int, now: datetime) -> bool:
    """Record a delivered message; False if it was not being sent."""
    params = {"the_message": message_id, "the_now": now}
    return (await session.exec(_MARK_SENT, params=params)).rowcount == 1


async def mark_retry(
    session: AsyncSession, message_id: int, error: str, retry_at: datetime
) -> bool:
    """Put a message back to pending, due again at `retry_at`; False if it was not being sent."""
    params = {"the_message": message_id, "the_error": error, "the_retry_at": retry_at}
    return (await session.exec(_MARK_RETRY, params=params)).rowcount == 1


async def mark_failed(session: AsyncSession, message_id: int, error: str) -> bool:
    """Give up on a pending or claimed message; False if it was already sent or failed."""
    params = {"the_message": message_id, "the_error": error}
    return (await session.exec(_MARK_FAILED, params=params)).rowcount == 1


async def release(session: AsyncSession, message_id: int) -> bool:
    """Hand a claimed but unsent message back (pending, the attempt not counted)."""
    return (await session.exec(_RELEASE, params={"the_message": message_id})).rowcount == 1


async def mark_unreachable(session: AsyncSession, employee_id: int) -> int:
    """The employee blocked the bot: not reachable, pending messages failed; how many failed."""
    params = {"the_employee": employee_id}
    await session.exec(_UNREACHABLE, params=params)
    return (await session.exec(_FAIL_PENDING_OF, params=params)).rowcount


async def count_by_status(session: AsyncSession) -> dict[OutboxStatus, int]:
    """How many outbox rows are in each status (every status present, zero if none)."""
    counts = dict.fromkeys(OutboxStatus, 0)
    for status, count in (await session.exec(_COUNT_BY_STATUS)).all():
        counts[OutboxStatus(status)] = count
    return counts
