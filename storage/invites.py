"""Single-use invite codes that link a Telegram account to an employee."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.sql.selectable import CTE
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Employee, Invite, Unit
from storage.people import employee_by_telegram_id

INVITE_PREFIX = "i"
# Telegram deep-link payloads: A-Z, a-z, 0-9, _ and -, at most 64 characters.
DEEP_LINK_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def new_code() -> str:
    """A fresh invite code: 128 random bits, a valid deep-link payload of 23 characters."""
    return INVITE_PREFIX + secrets.token_urlsafe(16)


def hash_code(code: str) -> str:
    """What is stored of a code, so a database leak does not leak usable invites."""
    return hashlib.sha256(code.encode()).hexdigest()


def deep_link(bot_username: str, code: str) -> str:
    """The link that opens the bot with `/start <code>`."""
    return f"https://t.me/{bot_username}?start={code}"


class UnknownUnitError(LookupError):
    """No unit has the requested code."""


@dataclass(frozen=True)
class IssuedInvite:
    nip: str
    name: str
    code: str


async def find_unit(session: AsyncSession, code: str) -> Unit:
    """The unit with this code; UnknownUnitError when there is none."""
    unit = (await session.exec(select(Unit).where(Unit.code == code))).first()
    if unit is None:
        raise UnknownUnitError(code)
    return unit


def unit_subtree(unit_id: int) -> CTE:
    """Recursive CTE of the ids of a unit and all its sub-units."""
    tree = select(Unit.id).where(Unit.id == unit_id).cte("unit_tree", recursive=True)
    return tree.union_all(select(Unit.id).where(Unit.parent_id == tree.c.id))


async def issue_invites(
    session: AsyncSession, *, now: datetime, ttl: timedelta, unit_code: str | None = None
) -> list[IssuedInvite]:
    """New codes for every active, unlinked employee (of a unit and its sub-units).

    Older unused codes of those employees are revoked in the same transaction.
    """
    query = select(Employee.id, Employee.nip, Employee.name).where(
        Employee.is_active, col(Employee.telegram_id).is_(None)
    )
    if unit_code is not None:
        tree = unit_subtree((await find_unit(session, unit_code)).id or 0)
        query = query.where(col(Employee.unit_id).in_(select(tree.c.id)))
    employees = (await session.exec(query.order_by(Employee.unit_id, Employee.name))).all()
    if not employees:
        return []
    employee_ids = select(query.subquery().c.id)
    await session.exec(
        update(Invite)
        .where(
            col(Invite.employee_id).in_(employee_ids),
            col(Invite.used_at).is_(None),
            col(Invite.revoked_at).is_(None),
        )
        .values(revoked_at=now)
    )
    issued = [IssuedInvite(nip, name, new_code()) for _, nip, name in employees]
    session.add_all(
        Invite(
            employee_id=employee_id,
            code_hash=hash_code(item.code),
            created_at=now,
            expires_at=now + ttl,
        )
        for (employee_id, _, _), item in zip(employees, issued, strict=True)
    )
    await session.flush()
    return issued


class Redemption(StrEnum):
    """What became of an attempt to use an invite code."""

    LINKED = "linked"
    ALREADY_YOURS = "already_yours"
    UNKNOWN = "unknown"
    USED = "used"
    REVOKED = "revoked"
    EXPIRED = "expired"
    INACTIVE = "inactive"
    ACCOUNT_TAKEN = "account_taken"
    EMPLOYEE_TAKEN = "employee_taken"


async def redeem_invite(
    session: AsyncSession, code: str, telegram_id: int, now: datetime
) -> Redemption:
    """Link `telegram_id` to the invite's employee if the code is valid; single use."""
    if not DEEP_LINK_PAYLOAD.match(code):
        return Redemption.UNKNOWN
    row = (
        await session.exec(
            select(Invite, Employee)
            .join(Employee, col(Employee.id) == Invite.employee_id)
            .where(Invite.code_hash == hash_code(code))
        )
    ).first()
    if row is None:
        return Redemption.UNKNOWN
    invite, employee = row
    refusal = _refusal(invite, employee, telegram_id, now)
    if refusal is not None:
        return refusal
    linked = await employee_by_telegram_id(session, telegram_id)
    if linked is not None and linked.id != employee.id:
        return Redemption.ACCOUNT_TAKEN
    claimed = await session.exec(
        update(Invite)
        .where(
            col(Invite.id) == invite.id,
            col(Invite.used_at).is_(None),
            col(Invite.revoked_at).is_(None),
        )
        .values(used_at=now)
    )
    if claimed.rowcount != 1:
        return Redemption.USED
    employee.telegram_id = telegram_id
    session.add(employee)
    await session.flush()
    return Redemption.LINKED


def _refusal(
    invite: Invite, employee: Employee, telegram_id: int, now: datetime
) -> Redemption | None:
    """Why this invite cannot link this account, or None when it can."""
    if invite.used_at is not None:
        return Redemption.ALREADY_YOURS if employee.telegram_id == telegram_id else Redemption.USED
    if invite.revoked_at is not None:
        return Redemption.REVOKED
    if invite.expires_at <= now:
        return Redemption.EXPIRED
    if not employee.is_active:
        return Redemption.INACTIVE
    if employee.telegram_id is not None and employee.telegram_id != telegram_id:
        return Redemption.EMPLOYEE_TAKEN
    return None
