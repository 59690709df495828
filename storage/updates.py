"""Processed Telegram updates: each update id is handled once, records pruned after a while."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ProcessedUpdate
from storage.sql import insert_or_ignore


async def claim_update(session: AsyncSession, update_id: int, now: datetime) -> bool:
    """Record `update_id` in the current transaction; False when it was already handled."""
    return (
        await insert_or_ignore(session, ProcessedUpdate, update_id=update_id, processed_at=now) == 1
    )


async def prune_processed_updates(session: AsyncSession, before: datetime) -> int:
    """Forget updates handled before `before` (Telegram re-delivers for at most a day)."""
    result = await session.exec(
        delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < before)
    )
    return result.rowcount
