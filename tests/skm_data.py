"""Survey data for the IKM tests: counters and responses written straight to the database.

The main set (`seed_survey`) covers the fourth quarter of 2026 for BKD and its division
BKD-MUT from `seed_org`; its figures are worked out by hand in tests/test_survey_stats.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.skm import CODES
from storage.models import ServiceCounter, SurveyResponse, SurveyStage, Unit
from tests.factories import Org, seed_org

Q4_START = date(2026, 10, 1)
Q4_END = date(2026, 12, 31)
SECRET = "rk-SECRET"  # every respondent key starts with it; no export may show it

# (day, U1..U9) of the answered full questionnaires counted in Q4.
KTP_ANSWERS = (
    (date(2026, 10, 1), (4, 3, 4, 4, 3, 3, 4, 2, 4)),  # the first day counts
    (date(2026, 12, 31), (3, 3, 4, 4, 2, 4, 4, 3, 3)),  # so does the last
)
MUTASI_ANSWERS = (
    (date(2026, 11, 15), (2, 3, 3, 1, 3, 3, 3, 2, 3)),
    (date(2026, 11, 16), (3, 2, 3, None, 3, 4, 3, 3, 2)),  # U4 left unanswered
)
QUICK_ANSWERS = ((date(2026, 10, 5), 4), (date(2026, 10, 6), 3), (date(2026, 10, 7), 2))


@dataclass
class Survey:
    org: Org
    other: Unit
    ktp: ServiceCounter  # full questionnaire, at the division
    mutasi: ServiceCounter  # full questionnaire, at the BKD
    quick: ServiceCounter  # quick mode, at the BKD
    idle: ServiceCounter  # at the division, no answers
    retired: ServiceCounter  # inactive, no answers: not listed
    elsewhere: ServiceCounter  # another unit's


_keys = iter(range(1, 1_000_000))


def response(
    counter: ServiceCounter,
    day: date,
    answers: Sequence[int | None] = (),
    *,
    overall: int | None = None,
    answered: bool = True,
    **extra: object,
) -> SurveyResponse:
    """A response to `counter` on `day`; answered (counted) unless `answered` is False."""
    assert counter.id is not None
    values = dict(zip((code.lower() for code in CODES), answers, strict=False))
    return SurveyResponse(
        counter_id=counter.id,
        unit_id=counter.unit_id,
        respondent_key=f"{SECRET}-{next(_keys)}",
        local_date=day,
        quick=counter.quick,
        stage=SurveyStage.DONE if answered else SurveyStage.ELEMENTS,
        overall=overall,
        answered_at=datetime(day.year, day.month, day.day, 3, tzinfo=UTC) if answered else None,
        **values,
        **extra,
    )


async def add_counter(
    session: AsyncSession, unit: Unit, code: str, *, quick: bool = False, active: bool = True
) -> ServiceCounter:
    assert unit.id is not None
    counter = ServiceCounter(
        code=code,
        unit_id=unit.id,
        name=f"Loket {code}",
        service=f"Layanan {code}",
        quick=quick,
        is_active=active,
    )
    session.add(counter)
    await session.flush()
    return counter


async def seed_survey(session: AsyncSession) -> Survey:
    """The main set: see the module docstring and the comments of the answers above."""
    org = await seed_org(session)
    other = Unit(code="DISDUK", name="Dinas Dukcapil", timezone="Asia/Makassar")
    session.add(other)
    await session.flush()
    survey = Survey(
        org=org,
        other=other,
        ktp=await add_counter(session, org.division, "ktp"),
        mutasi=await add_counter(session, org.province, "mutasi"),
        quick=await add_counter(session, org.province, "cepat", quick=True),
        idle=await add_counter(session, org.division, "idle"),
        retired=await add_counter(session, org.division, "retired", active=False),
        elsewhere=await add_counter(session, other, "lain"),
    )
    responses = [
        response(survey.ktp, day, answers, comment="Antrean rapi", sex="f", age_band="30s")
        for day, answers in KTP_ANSWERS
    ]
    responses += [response(survey.mutasi, day, answers) for day, answers in MUTASI_ANSWERS]
    responses += [response(survey.quick, day, overall=score) for day, score in QUICK_ANSWERS]
    ones = (1,) * 9
    responses += [
        response(survey.ktp, date(2026, 9, 30), ones),  # the day before the quarter
        response(survey.ktp, date(2027, 1, 1), ones),  # the day after
        response(survey.ktp, date(2026, 11, 2), (1, 1), answered=False),  # still answering
        response(survey.quick, date(2026, 11, 2), answered=False),  # quick, not answered
        response(survey.elsewhere, date(2026, 11, 2), ones),  # another unit
    ]
    session.add_all(responses)
    await session.commit()
    return survey
