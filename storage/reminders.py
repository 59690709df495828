"""Who should be reminded of what, at the unit's local time: planned into the outbox once.

Each unit lives in its own time zone; the planner asks, per time zone, one query per kind of
reminder. Dedupe keys make planning idempotent: running it every minute, after a restart, or
in several processes plans each reminder once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import DailyReport, Employee, Evaluation, Leave, ReportStatus, Unit
from storage.outbox import plan

REPORTED = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)


class Kind:
    """Outbox kinds of reminders."""

    DAILY = "daily"
    PENDING = "pending"


@dataclass(frozen=True)
class Reminder:
    """One reminder to plan: whom, which kind, when it was due, and what it says."""

    kind: str
    employee_id: int
    chat_id: int
    nip: str
    name: str
    due_at: datetime
    dedupe_key: str
    payload: dict[str, object]


def local_moment(now: datetime, timezone: str) -> datetime:
    """`now` on the wall clock of `timezone`."""
    return now.astimezone(ZoneInfo(timezone))


def due_at(day: date, at: time, timezone: str) -> datetime:
    """The UTC instant of `at` o'clock on `day` in `timezone`."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


async def time_zones(session: AsyncSession) -> list[str]:
    """The time zones units live in."""
    return list((await session.exec(select(Unit.timezone).distinct())).all())


# Active employees with a Telegram account that has not blocked the bot.
_MESSAGEABLE = (
    col(Employee.is_active),
    col(Employee.telegram_id).is_not(None),
    col(Employee.reachable),
)


async def daily_reminders(
    session: AsyncSession, timezone: str, today: date, local_time: time
) -> list[Reminder]:
    """Employees of units in `timezone` whose reminder time has passed today, with no
    submitted report for today and not on leave (the caller checks today is a working day)."""
    reported = exists().where(
        col(DailyReport.employee_id) == Employee.id,
        col(DailyReport.work_date) == today,
        col(DailyReport.status).in_(REPORTED),
    )
    on_leave = exists().where(
        col(Leave.employee_id) == Employee.id, Leave.first_day <= today, Leave.last_day >= today
    )
    rows = await session.exec(
        select(Employee.id, Employee.telegram_id, Employee.nip, Employee.name, Unit.reminder_time)
        .join(Unit, col(Unit.id) == Employee.unit_id)
        .where(
            Unit.timezone == timezone,
            col(Unit.reminder_time) <= local_time,
            *_MESSAGEABLE,
            ~reported,
            ~on_leave,
        )
        .order_by(col(Employee.id))
    )
    return [
        Reminder(
            Kind.DAILY,
            employee_id,
            chat_id,
            nip,
            name,
            due_at(today, at, timezone),
            f"daily:{employee_id}:{today.isoformat()}",
            {"day": today.isoformat()},
        )
        for employee_id, chat_id, nip, name, at in rows.all()
    ]


async def pending_reminders(
    session: AsyncSession, timezone: str, today: date, local_time: time, waiting_since: date
) -> list[Reminder]:
    """Supervisors of units in `timezone` (past their reminder time) with reports submitted
    before `waiting_since` (the previous working day) still undecided, with how many."""
    member = aliased(Employee)
    count = func.count(col(DailyReport.id))
    rows = await session.exec(
        select(
            Employee.id,
            Employee.telegram_id,
            Employee.nip,
            Employee.name,
            Unit.reminder_time,
            count,
        )
        .join(Unit, col(Unit.id) == Employee.unit_id)
        .join(member, col(member.supervisor_id) == Employee.id)
        .join(
            DailyReport,
            and_(
                col(DailyReport.employee_id) == member.id,
                col(DailyReport.status) == ReportStatus.SUBMITTED,
                col(DailyReport.submitted_at) < due_at(waiting_since, time(0), timezone),
            ),
        )
        .where(Unit.timezone == timezone, col(Unit.reminder_time) <= local_time, *_MESSAGEABLE)
        .group_by(
            col(Employee.id),
            col(Employee.telegram_id),
            col(Employee.nip),
            col(Employee.name),
            col(Unit.reminder_time),
        )
        .order_by(col(Employee.id))
    )
    return [
        Reminder(
            Kind.PENDING,
            employee_id,
            chat_id,
            nip,
            name,
            due_at(today, at, timezone),
            f"pending:{employee_id}:{today.isoformat()}",
            {"count": waiting},
        )
        for employee_id, chat_id, nip, name, at, waiting in rows.all()
    ]


async def plan_reminders(session: AsyncSession, reminders: list[Reminder]) -> int:
    """Put reminders into the outbox; how many were new (the rest were planned before)."""
    planned = 0
    for item in reminders:
        planned += await plan(
            session,
            kind=item.kind,
            employee_id=item.employee_id,
            chat_id=item.chat_id,
            dedupe_key=item.dedupe_key,
            due_at=item.due_at,
            payload=item.payload,
        )
    return planned


class EvaluationKind:
    """Outbox kinds of the evaluation cycle."""

    OPENED = "eval_open"
    SELF_DUE = "eval_self_due"
    ASSESSMENT_DUE = "eval_assess_due"


async def evaluations_opened(session: AsyncSession, period_key: str) -> bool:
    """Whether evaluations of the period exist already."""
    found = await session.exec(select(Evaluation.id).where(Evaluation.period == period_key))
    return found.first() is not None


async def opened_reminders(session: AsyncSession, period_key: str, now: datetime) -> list[Reminder]:
    """Every employee asked for a self-assessment of a period that has just closed."""
    rows = await session.exec(
        select(Employee.id, Employee.telegram_id, Employee.nip, Employee.name, Evaluation.id)
        .join(Evaluation, col(Evaluation.employee_id) == Employee.id)
        .where(Evaluation.period == period_key, *_MESSAGEABLE)
        .order_by(col(Employee.id))
    )
    return [
        Reminder(
            EvaluationKind.OPENED,
            employee_id,
            chat_id,
            nip,
            name,
            now,
            f"{EvaluationKind.OPENED}:{evaluation_id}",
            {"period": period_key},
        )
        for employee_id, chat_id, nip, name, evaluation_id in rows.all()
    ]


async def evaluation_deadline_reminders(
    session: AsyncSession, due_days: dict[date, int], now: datetime
) -> list[Reminder]:
    """Self-assessments and assessments due on one of `due_days` (due date -> working days
    left) and not done yet: to the employee, and to the assessor once the self-assessment is in.
    """
    days = list(due_days)
    self_rows = await session.exec(
        select(
            Employee.id,
            Employee.telegram_id,
            Employee.nip,
            Employee.name,
            Evaluation.id,
            Evaluation.period,
            Evaluation.self_due,
        )
        .join(Evaluation, col(Evaluation.employee_id) == Employee.id)
        .where(
            col(Evaluation.self_due).in_(days),
            col(Evaluation.self_submitted_at).is_(None),
            *_MESSAGEABLE,
        )
    )
    assess_rows = await session.exec(
        select(
            Employee.id,
            Employee.telegram_id,
            Employee.nip,
            Employee.name,
            Evaluation.id,
            Evaluation.period,
            Evaluation.assessment_due,
        )
        .join(Evaluation, col(Evaluation.assessor_id) == Employee.id)
        .where(
            col(Evaluation.assessment_due).in_(days),
            col(Evaluation.self_submitted_at).is_not(None),
            col(Evaluation.assessed_at).is_(None),
            *_MESSAGEABLE,
        )
    )
    reminders = []
    for kind, rows in (
        (EvaluationKind.SELF_DUE, self_rows),
        (EvaluationKind.ASSESSMENT_DUE, assess_rows),
    ):
        for employee_id, chat_id, nip, name, evaluation_id, period, due in rows.all():
            left = due_days[due]
            reminders.append(
                Reminder(
                    kind,
                    employee_id,
                    chat_id,
                    nip,
                    name,
                    now,
                    f"{kind}:{evaluation_id}:{employee_id}:{left}",
                    {"period": period, "due": due.isoformat(), "left": left},
                )
            )
    return reminders
