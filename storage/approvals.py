"""Supervisors' decisions on submitted reports, acting supervisors (Plt), and notices.

Who may decide is checked in the same statement that records the decision: the report's
employee must report to the approver directly, or to a supervisor who delegated to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import bindparam, func, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import DailyReport, Delegation, Employee, ReportNotice, ReportStatus
from storage.reports import ActivityLine, activity_lines_of
from storage.types import UTCDateTime

PENDING_PAGE = 10


class Decision(StrEnum):
    DONE = "done"
    FORBIDDEN = "forbidden"
    ALREADY = "already"
    CHANGED = "changed"


# Ids of the employees :the_approver may decide for on :the_day.
_DELEGATED_TO = select(Delegation.supervisor_id).where(
    Delegation.acting_id == bindparam("the_approver"),
    Delegation.valid_until >= bindparam("the_day"),
    col(Delegation.revoked_at).is_(None),
)
_DECIDABLE = select(Employee.id).where(
    or_(
        col(Employee.supervisor_id) == bindparam("the_approver"),
        col(Employee.supervisor_id).in_(_DELEGATED_TO),
    )
)
_NOW = bindparam("now", type_=UTCDateTime())
_DECIDE = (
    update(DailyReport)
    .where(
        col(DailyReport.id) == bindparam("the_report"),
        col(DailyReport.revision) == bindparam("the_revision"),
        col(DailyReport.status) == ReportStatus.SUBMITTED,
        col(DailyReport.employee_id).in_(_DECIDABLE),
    )
    .values(
        status=bindparam("new_status"),
        decided_at=_NOW,
        updated_at=_NOW,
        decided_by_id=bindparam("the_approver"),
        return_reason=bindparam("reason"),
    )
)
_APPROVE_ALL = (
    update(DailyReport)
    .where(
        col(DailyReport.status) == ReportStatus.SUBMITTED,
        col(DailyReport.submitted_at) <= bindparam("up_to", type_=UTCDateTime()),
        col(DailyReport.employee_id).in_(_DECIDABLE),
    )
    .values(
        status=ReportStatus.APPROVED,
        decided_at=_NOW,
        updated_at=_NOW,
        decided_by_id=bindparam("the_approver"),
        return_reason=None,
    )
    .returning(col(DailyReport.id))
)
_MAY_DECIDE = select(DailyReport.id).where(
    DailyReport.id == bindparam("the_report"),
    col(DailyReport.employee_id).in_(_DECIDABLE),
)


def _who(approver_id: int, today: date) -> dict[str, object]:
    return {"the_approver": approver_id, "the_day": today}


async def may_decide(session: AsyncSession, report_id: int, approver_id: int, today: date) -> bool:
    """Whether the approver is the report's supervisor, or acting for them today."""
    params = {**_who(approver_id, today), "the_report": report_id}
    return (await session.exec(_MAY_DECIDE, params=params)).first() is not None


async def decide(
    session: AsyncSession,
    report_id: int,
    revision: int,
    approver_id: int,
    *,
    today: date,
    now: datetime,
    approve: bool,
    reason: str | None = None,
) -> Decision:
    """Approve or return one revision of a report, once; otherwise say why not."""
    params = {
        **_who(approver_id, today),
        "the_report": report_id,
        "the_revision": revision,
        "now": now,
        "new_status": ReportStatus.APPROVED if approve else ReportStatus.RETURNED,
        "reason": None if approve else reason,
    }
    if (await session.exec(_DECIDE, params=params)).rowcount == 1:
        return Decision.DONE
    if not await may_decide(session, report_id, approver_id, today):
        return Decision.FORBIDDEN
    report = await session.get(DailyReport, report_id)
    assert report is not None
    if report.status == ReportStatus.SUBMITTED or report.revision != revision:
        return Decision.CHANGED if report.revision != revision else Decision.ALREADY
    return Decision.ALREADY if report.decided_at is not None else Decision.CHANGED


async def approve_all(
    session: AsyncSession, approver_id: int, *, today: date, now: datetime, up_to: datetime
) -> list[int]:
    """Approve every report the approver may decide that was submitted by `up_to`."""
    params = {**_who(approver_id, today), "now": now, "up_to": up_to}
    return list((await session.exec(_APPROVE_ALL, params=params)).scalars().all())


@dataclass(frozen=True)
class ReportCard:
    """A report with its employee and activities: what a notice shows."""

    report: DailyReport
    employee: Employee
    decided_by: Employee | None
    lines: list[ActivityLine]


async def report_cards(session: AsyncSession, report_ids: list[int]) -> dict[int, ReportCard]:
    """Cards of several reports in two queries."""
    if not report_ids:
        return {}
    decider = aliased(Employee)
    rows = (
        await session.exec(
            select(DailyReport, Employee, decider)
            .join(Employee, col(Employee.id) == DailyReport.employee_id)
            .outerjoin(decider, col(decider.id) == DailyReport.decided_by_id)
            .where(col(DailyReport.id).in_(report_ids))
        )
    ).all()
    lines = await activity_lines_of(session, report_ids)
    return {
        report.id: ReportCard(report, employee, decided_by, lines.get(report.id or 0, []))
        for report, employee, decided_by in rows
        if report.id is not None
    }


@dataclass(frozen=True)
class PendingPage:
    report_ids: list[int]
    total: int


async def pending_for(
    session: AsyncSession, approver_id: int, today: date, limit: int = PENDING_PAGE
) -> PendingPage:
    """The oldest reports awaiting this approver, and how many there are in all (one query)."""
    total = func.count().over().label("total")
    rows = (
        await session.exec(
            select(DailyReport.id, total)
            .where(
                col(DailyReport.status) == ReportStatus.SUBMITTED,
                col(DailyReport.employee_id).in_(_DECIDABLE),
            )
            .order_by(col(DailyReport.work_date), col(DailyReport.submitted_at))
            .limit(limit),
            params=_who(approver_id, today),
        )
    ).all()
    return PendingPage([row[0] for row in rows], rows[0][1] if rows else 0)


async def approvers_of(session: AsyncSession, employee: Employee, today: date) -> list[Employee]:
    """The linked people who may decide the employee's reports: supervisor and acting ones."""
    if employee.supervisor_id is None:
        return []
    acting = select(Delegation.acting_id).where(
        Delegation.supervisor_id == employee.supervisor_id,
        Delegation.valid_until >= today,
        col(Delegation.revoked_at).is_(None),
    )
    rows = await session.exec(
        select(Employee)
        .where(
            or_(col(Employee.id) == employee.supervisor_id, col(Employee.id).in_(acting)),
            Employee.is_active,
            col(Employee.telegram_id).is_not(None),
        )
        .order_by(col(Employee.id) != employee.supervisor_id)
    )
    return list(rows.all())


async def record_notice(
    session: AsyncSession, report_id: int, recipient_id: int, chat_id: int, message_id: int
) -> None:
    """Remember a message that shows a report with decision buttons."""
    session.add(
        ReportNotice(
            report_id=report_id, recipient_id=recipient_id, chat_id=chat_id, message_id=message_id
        )
    )
    await session.flush()


async def notices_of(
    session: AsyncSession, report_ids: list[int]
) -> list[tuple[ReportNotice, Employee]]:
    """Every notice of these reports, with its recipient (for their language)."""
    if not report_ids:
        return []
    rows = await session.exec(
        select(ReportNotice, Employee)
        .join(Employee, col(Employee.id) == ReportNotice.recipient_id)
        .where(col(ReportNotice.report_id).in_(report_ids))
        .order_by(col(ReportNotice.id))
    )
    return list(rows.all())


class DelegationError(ValueError):
    """A delegation that cannot be made, with the reason for the operator."""


async def delegate(
    session: AsyncSession, supervisor_nip: str, acting_nip: str, until: date, today: date
) -> Delegation:
    """Let `acting_nip` decide for `supervisor_nip` until `until` (inclusive)."""
    if until < today:
        raise DelegationError(f"--until {until} is in the past")
    people = await _by_nip(session, supervisor_nip, acting_nip)
    supervisor, acting = people[supervisor_nip], people[acting_nip]
    if supervisor.id == acting.id:
        raise DelegationError("an employee cannot act for themselves")
    delegation = Delegation(supervisor_id=supervisor.id, acting_id=acting.id, valid_until=until)
    session.add(delegation)
    await session.flush()
    return delegation


async def revoke(session: AsyncSession, supervisor_nip: str, acting_nip: str, now: datetime) -> int:
    """End every active delegation from `supervisor_nip` to `acting_nip`; how many."""
    people = await _by_nip(session, supervisor_nip, acting_nip)
    result = await session.exec(
        update(Delegation)
        .where(
            col(Delegation.supervisor_id) == people[supervisor_nip].id,
            col(Delegation.acting_id) == people[acting_nip].id,
            col(Delegation.revoked_at).is_(None),
        )
        .values(revoked_at=now)
    )
    return result.rowcount


async def _by_nip(session: AsyncSession, *nips: str) -> dict[str, Employee]:
    rows = await session.exec(
        select(Employee).where(col(Employee.nip).in_(nips), Employee.is_active)
    )
    found = {employee.nip: employee for employee in rows.all()}
    missing = [nip for nip in nips if nip not in found]
    if missing:
        raise DelegationError(f"no active employee with NIP {', '.join(missing)}")
    return found
