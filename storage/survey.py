"""Citizens' survey responses: start, answer, comment, profile, and forgetting who answered.

A citizen is known only by `respondent_key`, an HMAC of their Telegram id. Every step is one
conditional statement on the response (its owner, its stage and the question still open),
checked by its row count, so a stale, repeated or forged button changes nothing. Nothing
here commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, delete, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.skm import CODES
from storage import outbox
from storage.models import (
    Employee,
    ServiceCounter,
    SurveyResponse,
    SurveyStage,
    Unit,
    UserPreference,
)
from storage.people import nearest_admin
from storage.sql import insert_or_ignore

QUICK = "Q"  # the quick mode's one question, stored in `overall`
COMMENT_MAX = 1000
# A comment is taken only while the survey that asked for it is this recent.
COMMENT_WINDOW = timedelta(hours=12)
COUNTER_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
DECLINED = ""  # a profile question the citizen skipped

_THE_RESPONSE = col(SurveyResponse.id) == bindparam("the_response")
_THE_RESPONDENT = col(SurveyResponse.respondent_key) == bindparam("the_key")


class ProfileField(StrEnum):
    SEX = "sex"
    AGE = "age_band"
    EDUCATION = "education"
    OCCUPATION = "occupation"


# The answers each profile question accepts, in the order they are offered.
PROFILE_OPTIONS: dict[ProfileField, tuple[str, ...]] = {
    ProfileField.SEX: ("m", "f"),
    ProfileField.AGE: ("lt20", "20s", "30s", "40s", "50s", "60p"),
    ProfileField.EDUCATION: ("sd", "smp", "sma", "d3", "s1", "s2"),
    ProfileField.OCCUPATION: ("asn", "tni", "private", "business", "student", "other"),
}


@dataclass(frozen=True)
class Visit:
    """A counter with its unit, as the survey greets the citizen."""

    counter: ServiceCounter
    unit: Unit


def column_of(question: str) -> Any:
    """The response column that stores a question's answer (`U1`..`U9`, or the quick one)."""
    if question == QUICK:
        return SurveyResponse.__table__.c.overall
    if question not in CODES:
        raise ValueError(f"unknown survey question {question!r}")
    return SurveyResponse.__table__.c[question.lower()]


def questions_of(response: SurveyResponse) -> tuple[str, ...]:
    """The questions of this response, in the order they are asked."""
    return (QUICK,) if response.quick else CODES


def answers_of(response: SurveyResponse) -> dict[str, int | None]:
    """Each question's answer so far (None while open)."""
    return {code: getattr(response, column_of(code).name) for code in questions_of(response)}


def next_question(response: SurveyResponse) -> str | None:
    """The first unanswered question, or None when all are answered."""
    return next((code for code, score in answers_of(response).items() if score is None), None)


def next_profile_field(response: SurveyResponse) -> ProfileField | None:
    """The first profile question not yet answered or declined."""
    return next((field for field in ProfileField if getattr(response, field.value) is None), None)


def lowest_rated(response: SurveyResponse) -> list[str]:
    """Questions answered with the lowest score (1), in order."""
    return [code for code, score in answers_of(response).items() if score == 1]


async def find_counter(session: AsyncSession, code: str) -> Visit | None:
    """The active counter with this code and its unit; None for unknown or malformed codes."""
    if not COUNTER_CODE.fullmatch(code):
        return None
    row = (
        await session.exec(
            select(ServiceCounter, Unit)
            .join(Unit, col(Unit.id) == col(ServiceCounter.unit_id))
            .where(col(ServiceCounter.code) == code, col(ServiceCounter.is_active))
        )
    ).first()
    return Visit(*row) if row is not None else None


async def start_response(
    session: AsyncSession, visit: Visit, respondent_key: str, today: date, now: datetime
) -> SurveyResponse:
    """Today's response of this citizen at this counter: the existing one, or a new one."""
    await insert_or_ignore(
        session,
        SurveyResponse,
        counter_id=visit.counter.id,
        unit_id=visit.unit.id,
        respondent_key=respondent_key,
        local_date=today,
        quick=visit.counter.quick,
        stage=SurveyStage.ELEMENTS,
        started_at=now,
    )
    return (
        await session.exec(
            select(SurveyResponse)
            .where(
                col(SurveyResponse.counter_id) == visit.counter.id,
                col(SurveyResponse.respondent_key) == respondent_key,
                col(SurveyResponse.local_date) == today,
            )
            .execution_options(populate_existing=True)
        )
    ).one()


def _with_visit() -> Any:
    """Responses with their counter and unit, re-read from the database."""
    return (
        select(SurveyResponse, ServiceCounter, Unit)
        .join(ServiceCounter, col(ServiceCounter.id) == col(SurveyResponse.counter_id))
        .join(Unit, col(Unit.id) == col(ServiceCounter.unit_id))
        .execution_options(populate_existing=True)
    )


async def load_response(
    session: AsyncSession, response_id: int, respondent_key: str
) -> tuple[SurveyResponse, Visit] | None:
    """The response and its visit if it is this citizen's; None for anyone else's."""
    row = (
        await session.exec(
            _with_visit().where(
                col(SurveyResponse.id) == response_id,
                col(SurveyResponse.respondent_key) == respondent_key,
            )
        )
    ).first()
    return None if row is None else (row[0], Visit(row[1], row[2]))


async def _advance(
    session: AsyncSession,
    response: SurveyResponse,
    stage: SurveyStage,
    values: dict[str, Any],
    *conditions: Any,
) -> bool:
    """Set `values` on the citizen's own response while it is at `stage` and `conditions` hold.

    One conditional UPDATE checked by its row count; the object follows on success.
    """
    statement = (
        update(SurveyResponse)
        .where(_THE_RESPONSE, _THE_RESPONDENT, col(SurveyResponse.stage) == stage, *conditions)
        .values(values)
        .execution_options(synchronize_session=False)
    )
    params = {"the_response": response.id, "the_key": response.respondent_key}
    result = await session.exec(statement, params=params)  # type: ignore[call-overload]
    if not result.rowcount:
        return False
    for name, new in values.items():
        setattr(response, name, new)
    return True


async def record_answer(
    session: AsyncSession,
    response: SurveyResponse,
    question: str,
    score: int,
    now: datetime,
) -> bool:
    """Store the answer to the open `question`; the last one closes the questions.

    False, and nothing changed, unless `question` is the response's next open question
    and it is still at the questions stage.
    """
    if question != next_question(response):
        return False
    column = column_of(question)
    values: dict[str, Any] = {column.name: score}
    if question == questions_of(response)[-1]:
        values.update(stage=SurveyStage.COMMENT, answered_at=now)
    return await _advance(session, response, SurveyStage.ELEMENTS, values, column.is_(None))


async def leave_comment(
    session: AsyncSession, response: SurveyResponse, comment: str | None
) -> bool:
    """Save the comment (None: skipped) and move on to the profile (quick mode: done)."""
    stage = SurveyStage.DONE if response.quick else SurveyStage.PROFILE
    values = {"comment": comment, "stage": stage}
    return await _advance(session, response, SurveyStage.COMMENT, values)


async def awaiting_comment(
    session: AsyncSession, respondent_key: str, now: datetime
) -> tuple[SurveyResponse, Visit] | None:
    """The citizen's latest response asking for a comment right now, with its visit."""
    row = (
        await session.exec(
            _with_visit()
            .where(
                col(SurveyResponse.respondent_key) == respondent_key,
                col(SurveyResponse.stage) == SurveyStage.COMMENT,
                col(SurveyResponse.answered_at) >= now - COMMENT_WINDOW,
            )
            .order_by(col(SurveyResponse.answered_at).desc())
            .limit(1)
        )
    ).first()
    return None if row is None else (row[0], Visit(row[1], row[2]))


async def answer_profile(
    session: AsyncSession, response: SurveyResponse, field: ProfileField, value: str
) -> bool:
    """Store one profile answer (DECLINED when skipped); the last one finishes the survey."""
    if field != next_profile_field(response):
        return False
    values: dict[str, Any] = {field.value: value}
    if field == list(ProfileField)[-1]:
        values["stage"] = SurveyStage.DONE
    column = SurveyResponse.__table__.c[field.value]
    return await _advance(session, response, SurveyStage.PROFILE, values, column.is_(None))


async def skip_profile(session: AsyncSession, response: SurveyResponse) -> bool:
    """Decline the remaining profile questions and finish the survey."""
    values: dict[str, Any] = {
        field.value: DECLINED for field in ProfileField if getattr(response, field.value) is None
    }
    values["stage"] = SurveyStage.DONE
    return await _advance(session, response, SurveyStage.PROFILE, values)


async def forget_respondent(session: AsyncSession, respondent_key: str) -> int:
    """Unlink every response from the citizen and drop their saved language; how many responses.

    The answers stay, anonymous, in the index; nothing can tie them to the citizen again.
    """
    result = await session.exec(  # type: ignore[call-overload]
        update(SurveyResponse)
        .where(_THE_RESPONDENT)
        .values(respondent_key=None)
        .execution_options(synchronize_session=False),
        params={"the_key": respondent_key},
    )
    await session.exec(  # type: ignore[call-overload]
        delete(UserPreference).where(col(UserPreference.user_key) == respondent_key)
    )
    return int(result.rowcount or 0)


_SUPERVISOR = aliased(Employee)


async def unit_heads(session: AsyncSession, unit_id: int) -> list[Employee]:
    """The head(s) of a unit: its active employees whose supervisor is outside it (or none)."""
    return list(
        (
            await session.exec(
                select(Employee)
                .outerjoin(_SUPERVISOR, _SUPERVISOR.id == Employee.supervisor_id)
                .where(
                    col(Employee.unit_id) == unit_id,
                    col(Employee.is_active),
                    or_(
                        col(Employee.supervisor_id).is_(None),
                        _SUPERVISOR.unit_id != unit_id,
                    ),
                )
                .order_by(col(Employee.id))
            )
        ).all()
    )


async def alert_recipients(session: AsyncSession, unit_id: int) -> list[Employee]:
    """Who hears about a low rating or a complaint: the unit's heads, else its nearest admin.

    Only people who have linked Telegram can be told.
    """
    heads = [person for person in await unit_heads(session, unit_id) if person.telegram_id]
    if heads:
        return heads
    admin = await nearest_admin(session, unit_id)
    return [admin] if admin is not None and admin.telegram_id else []


class AlertKind(StrEnum):
    """Outbox kinds of the messages a unit's head gets about one response."""

    LOW_RATING = "skm_low"
    COMPLAINT = "skm_comment"


ALERT_KINDS = frozenset(kind.value for kind in AlertKind)


async def plan_alerts(
    session: AsyncSession,
    kind: AlertKind,
    visit: Visit,
    response: SurveyResponse,
    now: datetime,
) -> int:
    """Queue the alert for the unit's heads (no identity in it); how many were queued.

    The payload keeps the counter, the lowest-rated questions and the comment, as of now.
    """
    payload = {
        "unit": visit.unit.name,
        "counter": visit.counter.name,
        "service": visit.counter.service,
        "day": response.local_date.isoformat(),
        "low": lowest_rated(response),
        "comment": response.comment or "",
    }
    planned = 0
    for person in await alert_recipients(session, visit.unit.id or 0):
        planned += await outbox.plan(
            session,
            kind=kind.value,
            employee_id=person.id or 0,
            chat_id=person.telegram_id or 0,
            dedupe_key=f"{kind.value}:{response.id}:{person.id}",
            due_at=now,
            payload=payload,
            now=now,
        )
    return planned
