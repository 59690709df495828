"""IKM figures from the database: sums per counter in SQL, exact index and grade by hand.

Every expected figure below is worked out by hand from the answers in tests/skm_data.py; the
arithmetic is in the comments. The converted IKM is 25/9 x the sum of the nine NRRs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.ikm import round2
from bot.skm import CODES
from storage.invites import find_unit
from storage.survey_stats import (
    CounterScore,
    ScoreTotals,
    combine,
    counter_scores,
    response_rows,
)
from tests.factories import seed_org
from tests.skm_data import Q4_END, Q4_START, SECRET, add_counter, response, seed_survey


def per_element(*values: int) -> dict[str, int]:
    return dict(zip(CODES, values, strict=True))


def by_code(scores: Sequence[CounterScore]) -> dict[str, CounterScore]:
    return {score.code: score for score in scores}


async def test_counter_sums_cover_the_unit_and_its_sub_units_in_the_period(
    session: AsyncSession,
) -> None:
    survey = await seed_survey(session)
    assert survey.org.province.id is not None

    scores = await counter_scores(session, survey.org.province.id, Q4_START, Q4_END)

    # Ordered by unit name, then code; the inactive counter without answers and the other
    # unit's counter are not listed.
    assert [(score.unit_name, score.code) for score in scores] == [
        ("Badan Kepegawaian Daerah", "cepat"),
        ("Badan Kepegawaian Daerah", "mutasi"),
        ("Bidang Mutasi", "idle"),
        ("Bidang Mutasi", "ktp"),
    ]
    found = by_code(scores)
    ktp = found["ktp"]
    # 1 Oct and 31 Dec count (bounds included); 30 Sep, 1 Jan and the unfinished one do not.
    assert (ktp.name, ktp.service, ktp.quick) == ("Loket ktp", "Layanan ktp", False)
    assert ktp.respondents == 2
    # (4,3,4,4,3,3,4,2,4) + (3,3,4,4,2,4,4,3,3)
    assert ktp.totals == per_element(7, 6, 8, 8, 5, 7, 8, 5, 7)
    assert ktp.answered == per_element(2, 2, 2, 2, 2, 2, 2, 2, 2)
    assert (ktp.quick_respondents, ktp.quick_total) == (0, 0)

    mutasi = found["mutasi"]
    # (2,3,3,1,3,3,3,2,3) + (3,2,3,-,3,4,3,3,2): U4 answered once
    assert mutasi.respondents == 2
    assert mutasi.totals == per_element(5, 5, 6, 1, 6, 7, 6, 5, 5)
    assert mutasi.answered == per_element(2, 2, 2, 1, 2, 2, 2, 2, 2)

    quick = found["cepat"]
    # faces 4 + 3 + 2; the unanswered quick response does not count
    assert (quick.quick, quick.respondents, quick.quick_respondents, quick.quick_total) == (
        True,
        0,
        3,
        9,
    )
    assert quick.quick_mean() == Decimal(3)
    assert quick.ikm() is None

    idle = found["idle"]
    assert (idle.respondents, idle.quick_respondents) == (0, 0)
    assert idle.totals == per_element(*[0] * 9) and idle.answered == per_element(*[0] * 9)
    assert idle.ikm() is None and idle.quick_mean() is None


async def test_index_per_counter_and_for_the_unit_from_sums_of_sums(
    session: AsyncSession,
) -> None:
    survey = await seed_survey(session)
    assert survey.org.province.id is not None
    found = by_code(await counter_scores(session, survey.org.province.id, Q4_START, Q4_END))

    ktp = found["ktp"].ikm()
    assert ktp is not None
    # NRR = totals / 2: 3.5 3 4 4 2.5 3.5 4 2.5 3.5, sum 30.5
    nrrs = ("3.5", "3", "4", "4", "2.5", "3.5", "4", "2.5", "3.5")
    assert ktp.nrr == {code: Decimal(value) for code, value in zip(CODES, nrrs, strict=True)}
    # IKM = 30.5 / 9 = 3.3888...; converted = 30.5 x 25 / 9 = 762.5 / 9 = 84.7222...
    assert ktp.ikm == Decimal("3.388888888888888888888888889")
    assert ktp.converted == Decimal("84.72222222222222222222222222")
    assert round2(ktp.converted) == Decimal("84.72")
    assert (ktp.grade.letter, ktp.grade.quality_id) == ("B", "Baik")

    mutasi = found["mutasi"].ikm()
    assert mutasi is not None
    # NRR: 2.5 2.5 3 1 3 3.5 3 2.5 2.5 (U4 = 1 / 1), sum 23.5
    # converted = 23.5 x 25 / 9 = 587.5 / 9 = 65.2777...
    assert mutasi.nrr["U4"] == Decimal(1)
    assert mutasi.converted == Decimal("65.27777777777777777777777778")
    assert (round2(mutasi.converted), mutasi.grade.letter) == (Decimal("65.28"), "C")

    unit = combine(found.values())
    assert unit.respondents == 4 and unit.quick_respondents == 3 and unit.quick_total == 9
    # totals 12 11 14 9 11 14 14 10 12 over 4 answers each, U4 over 3
    assert unit.totals == per_element(12, 11, 14, 9, 11, 14, 14, 10, 12)
    assert unit.answered == per_element(4, 4, 4, 3, 4, 4, 4, 4, 4)
    result = unit.ikm()
    assert result is not None
    # NRR: 3 2.75 3.5 3 2.75 3.5 3.5 2.5 3, sum 27.5. U4 is 9 / 3 = 3 from the sums, not the
    # mean (4 + 1) / 2 of the counters' NRRs, which would give 75.00 instead.
    assert result.nrr["U2"] == Decimal("2.75") and result.nrr["U4"] == Decimal(3)
    # IKM = 27.5 / 9 = 3.0555...; converted = 687.5 / 9 = 76.3888... -> 76.39, C
    assert result.ikm == Decimal("3.055555555555555555555555556")
    assert result.converted == Decimal("76.38888888888888888888888889")
    assert (round2(result.converted), result.grade.letter) == (Decimal("76.39"), "C")
    assert result.grade.quality_id == "Kurang Baik"


async def test_a_sub_unit_sees_only_its_own_counters(session: AsyncSession) -> None:
    survey = await seed_survey(session)
    assert survey.org.division.id is not None
    scores = await counter_scores(session, survey.org.division.id, Q4_START, Q4_END)
    assert [score.code for score in scores] == ["idle", "ktp"]
    assert combine(scores).respondents == 2


async def test_the_period_bounds_are_days_both_included(session: AsyncSession) -> None:
    survey = await seed_survey(session)
    assert survey.org.province.id is not None
    first_day = await counter_scores(session, survey.org.province.id, Q4_START, Q4_START)
    assert by_code(first_day)["ktp"].respondents == 1
    # A counter keeps showing (with zeros) when it had no answers in the period.
    december = by_code(
        await counter_scores(session, survey.org.province.id, date(2026, 12, 1), Q4_END)
    )
    assert december["ktp"].respondents == 1 and december["mutasi"].respondents == 0


# Boundary sets: (how many respondents, their answers U1..U9). Every respondent answers all
# nine elements, so converted = 25 x (sum of all answers) / (9 x respondents).
ALL_THREE = (3,) * 9
U1_FOUR = (4, *(3,) * 8)


@pytest.mark.parametrize(
    ("groups", "converted", "shown", "letter"),
    [
        # 3 x 27 + 2 x 18 = 117; 25 x 117 / 45 = 65 exactly: the lowest C
        ([(3, ALL_THREE), (2, (2,) * 9)], "65", "65.00", "C"),
        # 15 x 28 + 11 x 27 = 717 over 26; 25 x 717 / 234 = 76.6025...: the highest C
        ([(15, U1_FOUR), (11, ALL_THREE)], "76.60256410256410256410256410", "76.60", "C"),
        # 11 x 28 + 8 x 27 = 524 over 19; 25 x 524 / 171 = 76.6081...: the lowest B
        ([(11, U1_FOUR), (8, ALL_THREE)], "76.60818713450292397660818713", "76.61", "B"),
        # 15 x 32 + 4 x 31 = 604 over 19; 25 x 604 / 171 = 88.3040...: the highest B
        (
            [(15, (4,) * 5 + (3,) * 4), (4, (4,) * 4 + (3,) * 5)],
            "88.30409356725146198830409357",
            "88.30",
            "B",
        ),
        # 19 x 32 + 5 x 31 = 763 over 24; 25 x 763 / 216 = 88.3101...: the lowest A
        (
            [(19, (4,) * 5 + (3,) * 4), (5, (4,) * 4 + (3,) * 5)],
            "88.31018518518518518518518519",
            "88.31",
            "A",
        ),
    ],
)
async def test_grade_boundaries(
    session: AsyncSession,
    groups: list[tuple[int, tuple[int, ...]]],
    converted: str,
    shown: str,
    letter: str,
) -> None:
    org = await seed_org(session)
    counter = await add_counter(session, org.division, "batas")
    day = date(2026, 11, 10)
    session.add_all(
        response(counter, day, answers) for count, answers in groups for _ in range(count)
    )
    await session.commit()
    assert org.province.id is not None

    [score] = await counter_scores(session, org.province.id, day, day)
    result = score.ikm()
    assert result is not None
    assert score.respondents == sum(count for count, _ in groups)
    assert result.converted == Decimal(converted)
    assert (str(round2(result.converted)), result.grade.letter) == (shown, letter)


async def test_response_rows_are_the_counted_responses_without_who_gave_them(
    session: AsyncSession,
) -> None:
    survey = await seed_survey(session)
    assert survey.org.province.id is not None
    rows = await response_rows(session, survey.org.province.id, Q4_START, Q4_END)

    assert [(row.local_date, row.counter_code) for row in rows] == [
        (date(2026, 10, 1), "ktp"),
        (date(2026, 10, 5), "cepat"),
        (date(2026, 10, 6), "cepat"),
        (date(2026, 10, 7), "cepat"),
        (date(2026, 11, 15), "mutasi"),
        (date(2026, 11, 16), "mutasi"),
        (date(2026, 12, 31), "ktp"),
    ]
    first = rows[0]
    assert first.counter_name == "Loket ktp" and not first.quick
    assert tuple(first.answers.values()) == (4, 3, 4, 4, 3, 3, 4, 2, 4)
    assert (first.comment, first.sex, first.age_band, first.education) == (
        "Antrean rapi",
        "f",
        "30s",
        None,
    )
    assert rows[1].quick and rows[1].overall == 4 and set(rows[1].answers.values()) == {None}
    assert rows[5].answers["U4"] is None
    assert not any(SECRET in repr(row) for row in rows)


async def test_one_statement_each(session: AsyncSession, engine: AsyncEngine) -> None:
    survey = await seed_survey(session)
    unit_id = survey.org.province.id
    assert unit_id is not None
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        await counter_scores(session, unit_id, Q4_START, Q4_END)
        await response_rows(session, unit_id, Q4_START, Q4_END)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    selects = [text for text in statements if text.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(selects) == 2
    assert all("respondent_key" not in text for text in selects)


async def test_find_unit(session: AsyncSession) -> None:
    org = await seed_org(session)
    assert (await find_unit(session, "BKD-MUT")).id == org.division.id
    with pytest.raises(LookupError, match="NOPE"):
        await find_unit(session, "NOPE")


def test_combine_of_nothing_has_no_index() -> None:
    empty = combine([])
    assert empty == ScoreTotals()
    assert empty.ikm() is None and empty.quick_mean() is None
