"""Who is talking to the bot: the linked employee (with unit and roles) or an unregistered user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, exists, literal
from sqlalchemy.orm import aliased
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import local_today
from storage.models import Employee, Unit, UserPreference


@dataclass(frozen=True)
class Actor:
    """The Telegram user behind an update, resolved once per update."""

    telegram_id: int
    user_key: str
    employee: Employee | None = None
    unit: Unit | None = None
    has_subordinates: bool = False
    language: str | None = None

    @property
    def is_employee(self) -> bool:
        return self.employee is not None

    @property
    def is_supervisor(self) -> bool:
        return self.has_subordinates

    @property
    def is_admin(self) -> bool:
        return self.employee is not None and self.employee.is_admin

    @property
    def member(self) -> Employee:
        """The linked employee, for handlers behind the IsEmployee filter."""
        assert self.employee is not None and self.employee.id is not None
        return self.employee

    @property
    def member_id(self) -> int:
        return self.member.id or 0

    def today(self, now: datetime) -> date:
        """The date on the wall clock of the employee's unit."""
        assert self.unit is not None
        return local_today(now, self.unit.timezone)


_SUBORDINATE = aliased(Employee)
_ACTOR = (
    select(
        Employee,
        Unit,
        exists()
        .where(_SUBORDINATE.supervisor_id == Employee.id, _SUBORDINATE.is_active)
        .label("has_subordinates"),
    )
    .join(Unit, Unit.id == Employee.unit_id)
    .where(Employee.telegram_id == bindparam("the_telegram_id"), Employee.is_active)
)


async def load_actor(session: AsyncSession, telegram_id: int, user_key: str) -> Actor:
    """The active employee linked to `telegram_id` in one query, else the user's saved language."""
    row = (await session.exec(_ACTOR, params={"the_telegram_id": telegram_id})).first()
    if row is not None:
        employee, unit, subordinates = row
        return Actor(telegram_id, user_key, employee, unit, bool(subordinates), employee.language)
    preference = await session.get(UserPreference, user_key)
    return Actor(telegram_id, user_key, language=preference.language if preference else None)


async def save_language(session: AsyncSession, actor: Actor, language: str) -> None:
    """Remember the language on the employee, or under the user's key when unregistered."""
    if actor.employee is not None:
        actor.employee.language = language
        session.add(actor.employee)
    else:
        await session.merge(UserPreference(user_key=actor.user_key, language=language))


async def employee_by_telegram_id(session: AsyncSession, telegram_id: int) -> Employee | None:
    """The employee (active or not) linked to this Telegram account."""
    return (await session.exec(select(Employee).where(Employee.telegram_id == telegram_id))).first()


async def nearest_admin(session: AsyncSession, unit_id: int) -> Employee | None:
    """The admin of the unit, else of the closest parent unit that has one."""
    chain = (
        select(Unit.id, Unit.parent_id, literal(0).label("depth"))
        .where(Unit.id == unit_id)
        .cte("unit_chain", recursive=True)
    )
    chain = chain.union_all(
        select(Unit.id, Unit.parent_id, (chain.c.depth + 1).label("depth")).where(
            Unit.id == chain.c.parent_id
        )
    )
    return (
        await session.exec(
            select(Employee)
            .join(chain, chain.c.id == Employee.unit_id)
            .where(Employee.is_admin, Employee.is_active)
            .order_by(chain.c.depth, Employee.name)
            .limit(1)
        )
    ).first()
