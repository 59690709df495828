"""SQLModel tables: organisation, invites, performance indicators, daily reports, bookkeeping."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy import true as sa_true
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata

NIP_LENGTH = 18


def _timestamp(*, nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class UnitBase(SQLModel):
    code: str = Field(max_length=32, unique=True, index=True)
    name: str = Field(max_length=200)
    timezone: str = Field(default="Asia/Jakarta", max_length=64)


class Unit(UnitBase, table=True):
    """An organisational unit (dinas, bidang, seksi); it owns the time zone of its people."""

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    # Local time of the daily report reminder on working days.
    reminder_time: time = Field(
        default=time(15, 0), sa_column_kwargs={"server_default": "15:00:00"}
    )


class EmployeeBase(SQLModel):
    nip: str = Field(max_length=NIP_LENGTH, unique=True, index=True)
    name: str = Field(max_length=200)
    position: str = Field(default="", max_length=200)
    is_admin: bool = False
    is_active: bool = True
    language: str | None = Field(default=None, max_length=8)


class Employee(EmployeeBase, table=True):
    """A civil servant (ASN) with a direct supervisor and, once onboarded, a Telegram account."""

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(
        sa_column=Column(ForeignKey("unit.id", ondelete="RESTRICT"), nullable=False, index=True)
    )
    supervisor_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("employee.id", ondelete="SET NULL"), index=True),
    )
    telegram_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, unique=True, nullable=True)
    )
    # False once Telegram answered 403 (the user blocked the bot); true again when they write.
    reachable: bool = Field(default=True, sa_column_kwargs={"server_default": sa_true()})


class Invite(SQLModel, table=True):
    """A single-use onboarding code; only its SHA-256 is stored."""

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(
        sa_column=Column(ForeignKey("employee.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    code_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    expires_at: datetime = Field(sa_column=_timestamp())
    used_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))


class UserPreference(SQLModel, table=True):
    """Language of a Telegram user who is not an employee, keyed by a keyed hash of their id."""

    __tablename__ = "user_preference"

    user_key: str = Field(primary_key=True, max_length=64)
    language: str = Field(max_length=8)


class ProcessedUpdate(SQLModel, table=True):
    """Telegram update ids already handled, so a re-delivered update is handled once."""

    __tablename__ = "processed_update"

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    processed_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp(index=True))


class Indicator(SQLModel, table=True):
    """A performance indicator (IKU / SKP rencana hasil kerja) of one employee for one year."""

    __table_args__ = (UniqueConstraint("employee_id", "year", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(
        sa_column=Column(ForeignKey("employee.id", ondelete="CASCADE"), nullable=False)
    )
    year: int
    code: str = Field(max_length=32)
    title: str = Field(max_length=500)
    measure: str = Field(max_length=50)  # satuan: dokumen, orang, kegiatan, %, ...
    target: Decimal = Field(sa_column=Column(Numeric(14, 2), nullable=False))
    q1: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 2)))
    q2: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 2)))
    q3: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 2)))
    q4: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 2)))
    parent_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("indicator.id", ondelete="SET NULL"), index=True),
    )


class ReportStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


class DailyReport(SQLModel, table=True):
    """One employee's report for one work date (a date in the unit's time zone)."""

    __tablename__ = "daily_report"
    __table_args__ = (
        UniqueConstraint("employee_id", "work_date"),
        Index("ix_daily_report_status_employee_id", "status", "employee_id"),
        # /tim's week totals without reading the table: SQLite walks each member's week, while
        # PostgreSQL hash-joins the team with the days' reports.
        Index("ix_daily_report_employee_id_work_date_status", "employee_id", "work_date", "status"),
        Index("ix_daily_report_work_date_status_employee_id", "work_date", "status", "employee_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(
        sa_column=Column(ForeignKey("employee.id", ondelete="CASCADE"), nullable=False)
    )
    work_date: date
    status: ReportStatus = Field(
        default=ReportStatus.DRAFT, sa_column=Column(String(16), nullable=False)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    submitted_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    decided_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    decided_by_id: int | None = Field(
        default=None, sa_column=Column(ForeignKey("employee.id", ondelete="SET NULL"))
    )
    return_reason: str | None = Field(default=None, sa_column=Column(Text))
    # Submissions so far: approval buttons carry it, so those of an older version go stale.
    revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


def description_digest(text: str) -> str | None:
    """The first 16 hex digits of the description's SHA-256; None while it is empty."""
    if not text:
        return None
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Activity(SQLModel, table=True):
    """One piece of work in a report; quantity is NULL while the employee is still entering it.

    `employee_id` repeats the report's owner and `description_hash` digests the description,
    so the team view finds an employee's earlier identical descriptions through one index.
    """

    __table_args__ = (
        Index("ix_activity_employee_id_description_hash", "employee_id", "description_hash"),
    )

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(
        sa_column=Column(
            ForeignKey("daily_report.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    employee_id: int = Field(
        sa_column=Column(ForeignKey("employee.id", ondelete="CASCADE"), nullable=False)
    )
    indicator_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("indicator.id", ondelete="SET NULL"), index=True),
    )
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    description_hash: str | None = Field(default=None, max_length=16)
    quantity: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 2)))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


@event.listens_for(Activity, "before_insert")
@event.listens_for(Activity, "before_update")
def _digest_description(_mapper: Any, _connection: Any, activity: Activity) -> None:
    """Keep description_hash in step with the description on ORM writes."""
    activity.description_hash = description_digest(activity.description)


class EvidenceKind(StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"


class Evidence(SQLModel, table=True):
    """A photo or document (bukti dukung) kept on Telegram's servers by its file id."""

    __table_args__ = (UniqueConstraint("activity_id", "file_unique_id"),)

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(
        sa_column=Column(ForeignKey("activity.id", ondelete="CASCADE"), nullable=False)
    )
    kind: EvidenceKind = Field(sa_column=Column(String(16), nullable=False))
    file_id: str = Field(max_length=255)
    file_unique_id: str = Field(max_length=64)
    file_name: str | None = Field(default=None, max_length=255)
    caption: str | None = Field(default=None, max_length=1024)


class Delegation(SQLModel, table=True):
    """An acting supervisor (Plt) who may decide for a supervisor until a date."""

    id: int | None = Field(default=None, primary_key=True)
    supervisor_id: int = Field(
        sa_column=Column(ForeignKey("employee.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    acting_id: int = Field(
        sa_column=Column(ForeignKey("employee.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    valid_until: date
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    revoked_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))


class ReportNotice(SQLModel, table=True):
    """A message that showed a submitted report to someone who may decide it."""

    __tablename__ = "report_notice"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(
        sa_column=Column(
            ForeignKey("daily_report.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    recipient_id: int = Field(
        sa_column=Column(ForeignKey("employee.id", ondelete="CASCADE"), nullable=False)
    )
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    message_id: int


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(SQLModel, table=True):
    """A scheduled or bulk message: planned once (dedupe key), claimed and sent once."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_due_at", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    employee_id: int = Field(
        sa_column=Column(ForeignKey("employee.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    dedupe_key: str = Field(max_length=128, unique=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    due_at: datetime = Field(sa_column=_timestamp())
    status: OutboxStatus = Field(
        default=OutboxStatus.PENDING, sa_column=Column(String(16), nullable=False)
    )
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    lease_until: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class HolidayOverride(SQLModel, table=True):
    """An admin's correction of the national calendar: an extra day off, or a working day."""

    __tablename__ = "holiday_override"

    day: date = Field(primary_key=True)
    name: str = Field(default="", max_length=200)
    is_holiday: bool = True


class Leave(SQLModel, table=True):
    """Days an employee is on leave (cuti): no daily reminder then."""

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(
        sa_column=Column(ForeignKey("employee.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    first_day: date
    last_day: date
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class Evaluation(SQLModel, table=True):
    """One employee's evaluation for a period: self-assessment, then the supervisor's.

    Ratings are "below", "as" or "above" expectation; the predicate follows PermenPANRB 6/2022.
    """

    __table_args__ = (UniqueConstraint("employee_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(
        sa_column=Column(ForeignKey("employee.id", ondelete="CASCADE"), nullable=False)
    )
    period: str = Field(max_length=16)  # 2026-Q4, 2026-11 (monthly) or 2026 (annual)
    period_start: date
    period_end: date  # inclusive
    self_due: date
    assessment_due: date
    self_results: str | None = Field(default=None, max_length=8)
    self_behaviours: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    self_note: str | None = Field(default=None, sa_column=Column(Text))
    self_submitted_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    assessor_id: int | None = Field(
        default=None, sa_column=Column(ForeignKey("employee.id", ondelete="SET NULL"))
    )
    results: str | None = Field(default=None, max_length=8)
    behaviour: str | None = Field(default=None, max_length=8)
    feedback: str | None = Field(default=None, sa_column=Column(Text))
    predicate: str | None = Field(default=None, max_length=32)
    assessed_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))


class ServiceCounter(SQLModel, table=True):
    """A public service counter (loket) of a unit; its QR code opens the citizens' survey."""

    __tablename__ = "service_counter"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, index=True)  # the deep link's `c_<code>`
    unit_id: int = Field(
        sa_column=Column(ForeignKey("unit.id", ondelete="RESTRICT"), nullable=False, index=True)
    )
    name: str = Field(max_length=200)
    service: str = Field(max_length=200)
    # Quick mode: one overall question with four faces instead of the nine SKM elements.
    quick: bool = False
    is_active: bool = True


class SurveyStage(StrEnum):
    ELEMENTS = "elements"  # answering U1..U9 (or the quick question)
    COMMENT = "comment"  # may write a suggestion or complaint
    PROFILE = "profile"  # may give sex, age band, education, occupation
    DONE = "done"


class SurveyResponse(SQLModel, table=True):
    """One citizen's answers for one counter on one local day (SKM, PermenPANRB 14/2017).

    The citizen is only an HMAC of their Telegram id (`respondent_key`), set to NULL when they
    ask for their data to be deleted. Answers are stored by element code (`u1`..`u9`, scored
    1..4); `overall` is the quick mode's single answer. `answered_at` is set once every
    question is answered: only such responses count towards the index.
    """

    __tablename__ = "survey_response"
    __table_args__ = (
        UniqueConstraint("counter_id", "respondent_key", "local_date"),
        Index("ix_survey_response_unit_id_local_date", "unit_id", "local_date"),
        Index("ix_survey_response_respondent_key_stage", "respondent_key", "stage"),
    )

    id: int | None = Field(default=None, primary_key=True)
    counter_id: int = Field(
        sa_column=Column(ForeignKey("service_counter.id", ondelete="RESTRICT"), nullable=False)
    )
    unit_id: int = Field(
        sa_column=Column(ForeignKey("unit.id", ondelete="RESTRICT"), nullable=False)
    )
    respondent_key: str | None = Field(default=None, max_length=64)
    local_date: date
    quick: bool = False
    stage: SurveyStage = Field(
        default=SurveyStage.ELEMENTS, sa_column=Column(String(16), nullable=False)
    )
    u1: int | None = None
    u2: int | None = None
    u3: int | None = None
    u4: int | None = None
    u5: int | None = None
    u6: int | None = None
    u7: int | None = None
    u8: int | None = None
    u9: int | None = None
    overall: int | None = None
    comment: str | None = Field(default=None, sa_column=Column(Text))
    sex: str | None = Field(default=None, max_length=16)
    age_band: str | None = Field(default=None, max_length=16)
    education: str | None = Field(default=None, max_length=16)
    occupation: str | None = Field(default=None, max_length=16)
    started_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    answered_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
