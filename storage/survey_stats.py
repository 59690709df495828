"""The citizens' survey (SKM) in figures: per-counter sums in SQL, the index (IKM) in `bot.ikm`.

Only answered responses count (`answered_at` set), of a unit and all its sub-units, on local
days from `start` to `end`, both included. The database adds up the answers of each element
and counts them; the exact NRR, IKM, converted IKM and grade come from `bot.ikm.compute` on
those sums, so a unit's figure is the sum of its counters' sums, never a mean of means.
Quick-mode responses (one overall question, `overall` 1..4) are counted on their own: they
have no elements and stay out of the index.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import ColumnElement, and_, case, literal, or_
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.ikm import IkmResult, compute
from bot.skm import CODES
from storage.invites import unit_subtree
from storage.models import ServiceCounter, SurveyResponse, Unit

__all__ = [
    "CounterScore",
    "ResponseRow",
    "ScoreTotals",
    "combine",
    "counter_scores",
    "response_rows",
]

_ELEMENT_COLUMNS = {code: getattr(SurveyResponse, code.lower()) for code in CODES}


def _zeros() -> dict[str, int]:
    return dict.fromkeys(CODES, 0)


@dataclass(frozen=True)
class ScoreTotals:
    """Sums of answers: respondents of the nine elements and, apart, of the quick question."""

    respondents: int = 0  # answered full questionnaires
    totals: dict[str, int] = field(default_factory=_zeros)  # U1..U9: sum of the answers
    answered: dict[str, int] = field(default_factory=_zeros)  # U1..U9: number of answers
    quick_respondents: int = 0
    quick_total: int = 0  # sum of the quick answers (faces scored 1..4)

    def ikm(self) -> IkmResult | None:
        """The index of these answers; None while an element has no answer yet."""
        if self.respondents == 0 or not all(self.answered[code] for code in CODES):
            return None
        return compute(self.totals, self.answered, self.respondents)

    def quick_mean(self) -> Decimal | None:
        """The mean quick answer (1..4), exact to 28 digits; None without quick answers."""
        if self.quick_respondents == 0:
            return None
        mean = Fraction(self.quick_total, self.quick_respondents)
        return Decimal(mean.numerator) / Decimal(mean.denominator)


@dataclass(frozen=True)
class CounterScore(ScoreTotals):
    """One counter's sums in the period; a counter without answers has zeros."""

    counter_id: int = 0
    code: str = ""
    name: str = ""
    service: str = ""
    unit_name: str = ""
    quick: bool = False  # the counter's current mode


def combine(scores: Iterable[ScoreTotals]) -> ScoreTotals:
    """The sums of several counters together (a unit's figure): sums of their sums."""
    items = list(scores)
    return ScoreTotals(
        respondents=sum(item.respondents for item in items),
        totals={code: sum(item.totals[code] for item in items) for code in CODES},
        answered={code: sum(item.answered[code] for item in items) for code in CODES},
        quick_respondents=sum(item.quick_respondents for item in items),
        quick_total=sum(item.quick_total for item in items),
    )


@dataclass(frozen=True)
class ResponseRow:
    """One answered response for the export; never who gave it."""

    id: int
    local_date: date
    counter_code: str
    counter_name: str
    quick: bool
    answers: dict[str, int | None]  # U1..U9
    overall: int | None  # the quick question's answer
    comment: str | None
    sex: str | None
    age_band: str | None
    education: str | None
    occupation: str | None


def _counted(unit_ids: Any, start: date, end: date) -> ColumnElement[bool]:
    """Answered responses given at the units on local days start..end (both included).

    The unit and date conditions use the index (unit_id, local_date).
    """
    return and_(
        col(SurveyResponse.unit_id).in_(unit_ids),
        col(SurveyResponse.local_date) >= start,
        col(SurveyResponse.local_date) <= end,
        col(SurveyResponse.answered_at).is_not(None),
    )


async def counter_scores(
    session: AsyncSession, unit_id: int, start: date, end: date
) -> list[CounterScore]:
    """Every counter of the unit and its sub-units with its sums from start to end (inclusive).

    One statement: the responses given at those units are summed per counter, then joined to
    the counters, so an active counter without answers shows zeros, and a counter that has
    since moved to another unit still shows the answers it got here. Ordered by unit name and
    counter code.
    """
    tree = select(unit_subtree(unit_id).c.id)
    full = ~col(SurveyResponse.quick)
    quick = col(SurveyResponse.quick)
    sums = (
        select(
            col(SurveyResponse.counter_id).label("counter_id"),
            func.count(case((full, literal(1)))).label("respondents"),
            *(
                func.sum(case((full, column))).label(f"total_{code}")
                for code, column in _ELEMENT_COLUMNS.items()
            ),
            *(
                func.count(case((full, column))).label(f"answered_{code}")
                for code, column in _ELEMENT_COLUMNS.items()
            ),
            func.count(case((quick, col(SurveyResponse.overall)))).label("quick_respondents"),
            func.sum(case((quick, col(SurveyResponse.overall)))).label("quick_total"),
        )
        .where(_counted(tree, start, end))
        .group_by(col(SurveyResponse.counter_id))
        .subquery("sums")
    )

    def number(name: str) -> Any:
        return func.coalesce(sums.c[name], 0).label(name)

    statement = (
        select(
            col(ServiceCounter.id),
            col(ServiceCounter.code),
            col(ServiceCounter.name),
            col(ServiceCounter.service),
            col(Unit.name).label("unit_name"),
            col(ServiceCounter.quick),
            number("respondents"),
            *(number(f"total_{code}") for code in CODES),
            *(number(f"answered_{code}") for code in CODES),
            number("quick_respondents"),
            number("quick_total"),
        )
        .join(Unit, col(Unit.id) == col(ServiceCounter.unit_id))
        .outerjoin(sums, sums.c.counter_id == col(ServiceCounter.id))
        .where(
            or_(
                and_(col(ServiceCounter.unit_id).in_(tree), col(ServiceCounter.is_active)),
                sums.c.counter_id.is_not(None),
            )
        )
        .order_by(col(Unit.name), col(ServiceCounter.code))
    )
    return [_score(row._mapping) for row in await session.exec(statement)]


def _score(row: Mapping[str, Any]) -> CounterScore:
    return CounterScore(
        counter_id=row["id"],
        code=row["code"],
        name=row["name"],
        service=row["service"],
        unit_name=row["unit_name"],
        quick=bool(row["quick"]),
        respondents=int(row["respondents"]),
        totals={code: int(row[f"total_{code}"]) for code in CODES},
        answered={code: int(row[f"answered_{code}"]) for code in CODES},
        quick_respondents=int(row["quick_respondents"]),
        quick_total=int(row["quick_total"]),
    )


async def response_rows(
    session: AsyncSession, unit_id: int, start: date, end: date
) -> list[ResponseRow]:
    """Every answered response of the unit and its sub-units from start to end (inclusive).

    Ordered by local day, then id (the order they were started in). The respondent's key is
    not selected.
    """
    tree = select(unit_subtree(unit_id).c.id)
    statement = (
        select(
            col(SurveyResponse.id),
            col(SurveyResponse.local_date),
            col(ServiceCounter.code),
            col(ServiceCounter.name),
            col(SurveyResponse.quick),
            *_ELEMENT_COLUMNS.values(),
            col(SurveyResponse.overall),
            col(SurveyResponse.comment),
            col(SurveyResponse.sex),
            col(SurveyResponse.age_band),
            col(SurveyResponse.education),
            col(SurveyResponse.occupation),
        )
        .join(ServiceCounter, col(ServiceCounter.id) == col(SurveyResponse.counter_id))
        .where(_counted(tree, start, end))
        .order_by(col(SurveyResponse.local_date), col(SurveyResponse.id))
    )
    rows: list[ResponseRow] = []
    for record in await session.exec(statement):
        row = record._mapping
        rows.append(
            ResponseRow(
                id=row["id"],
                local_date=row["local_date"],
                counter_code=row["code"],
                counter_name=row["name"],
                quick=bool(row["quick"]),
                answers={code: row[code.lower()] for code in CODES},
                overall=row["overall"],
                comment=row["comment"],
                sex=row["sex"],
                age_band=row["age_band"],
                education=row["education"],
                occupation=row["occupation"],
            )
        )
    return rows
