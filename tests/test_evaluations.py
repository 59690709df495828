"""Evaluation storage: opening a period, conditional saves, who may assess, team, realisation."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.evaluation_rules import BEHAVIOURS, Period, PeriodKind, Predicate, Rating, period_of
from storage.approvals import delegate, revoke
from storage.evaluations import (
    assessable,
    current_evaluation,
    indicator_totals,
    open_evaluations,
    own_open_evaluation,
    period_kind,
    period_target,
    save_assessment,
    save_self_assessment,
    team_evaluations,
)
from storage.models import Employee, Evaluation, ReportStatus
from tests.factories import ADMIN_NIP, HEAD_NIP, Org, add_indicator, add_report, seed_org

Q3 = period_of(PeriodKind.QUARTERLY, date(2026, 8, 1))
Q4 = period_of(PeriodKind.QUARTERLY, date(2026, 11, 1))
SELF_DUE = date(2026, 10, 7)
ASSESSMENT_DUE = date(2026, 10, 14)
TODAY = date(2026, 10, 5)
NOW = datetime(2026, 10, 5, 3, 0, tzinfo=UTC)
ALL_AS = {code: Rating.AS.value for code, _name in BEHAVIOURS}


async def opened(session: AsyncSession, period: Period = Q3) -> tuple[Org, dict[int, Evaluation]]:
    """The seeded organisation with `period` opened; evaluations by employee id."""
    org = await seed_org(session)
    await open_evaluations(session, period, SELF_DUE, ASSESSMENT_DUE)
    await session.commit()
    rows = (await session.exec(select(Evaluation))).all()
    return org, {row.employee_id: row for row in rows}


async def self_assessed(session: AsyncSession) -> tuple[Org, Evaluation]:
    """Q3 opened and the staff member's self-assessment in."""
    org, evaluations = await opened(session)
    evaluation = evaluations[org.staff.id or 0]
    assert await save_self_assessment(
        session, evaluation.id or 0, org.staff.id or 0, "above", ALL_AS, None, NOW
    )
    await session.commit()
    return org, evaluation


async def test_open_is_idempotent_and_skips_inactive_employees(session: AsyncSession) -> None:
    org = await seed_org(session)
    session.add(
        Employee(nip="199901012020011009", name="Pensiun", unit_id=org.division.id, is_active=False)
    )
    await session.commit()
    assert await open_evaluations(session, Q3, SELF_DUE, ASSESSMENT_DUE) == 3
    assert await open_evaluations(session, Q3, SELF_DUE, ASSESSMENT_DUE) == 0
    late = Employee(nip="200001012022011010", name="Baru", unit_id=org.division.id)
    session.add(late)
    await session.flush()
    assert await open_evaluations(session, Q3, SELF_DUE, ASSESSMENT_DUE) == 1
    await session.commit()
    rows = (
        await session.exec(
            select(Evaluation.employee_id, Evaluation.assessor_id, Evaluation.self_behaviours)
        )
    ).all()
    assert sorted(rows, key=lambda row: row[0]) == sorted(
        [
            (org.head.id, None, {}),
            (org.admin.id, None, {}),
            (org.staff.id, org.head.id, {}),
            (late.id, None, {}),
        ],
        key=lambda row: row[0] or 0,
    )
    staff = (
        await session.exec(select(Evaluation).where(Evaluation.employee_id == org.staff.id))
    ).one()
    assert (staff.period, staff.period_start, staff.period_end) == (
        "2026-Q3",
        date(2026, 7, 1),
        date(2026, 9, 30),
    )
    assert (staff.self_due, staff.assessment_due) == (SELF_DUE, ASSESSMENT_DUE)


async def test_current_evaluation_is_the_newest_started(session: AsyncSession) -> None:
    org, _evaluations = await opened(session)
    staff_id = org.staff.id or 0
    assert await current_evaluation(session, staff_id, date(2026, 6, 30)) is None
    current = await current_evaluation(session, staff_id, TODAY)
    assert current is not None and current.period == "2026-Q3"
    await open_evaluations(session, Q4, date(2027, 1, 8), date(2027, 1, 15))
    later = await current_evaluation(session, staff_id, date(2027, 1, 5))
    assert later is not None and later.period == "2026-Q4"
    earlier = await current_evaluation(session, staff_id, date(2026, 9, 30))
    assert earlier is not None and earlier.period == "2026-Q3"


async def test_self_assessment_only_own_complete_and_once(session: AsyncSession) -> None:
    org, evaluations = await opened(session)
    staff_id, evaluation_id = org.staff.id or 0, evaluations[org.staff.id or 0].id or 0
    missing_one = dict(list(ALL_AS.items())[:-1])
    unknown = {**ALL_AS, "akuntabel": "great"}
    extra = {**ALL_AS, "jujur": "as"}
    refused = [
        (org.head.id or 0, "as", ALL_AS),  # someone else's evaluation
        (staff_id, "as", missing_one),
        (staff_id, "as", unknown),
        (staff_id, "as", extra),
        (staff_id, "excellent", ALL_AS),
    ]
    for employee_id, results, behaviours in refused:
        assert not await save_self_assessment(
            session, evaluation_id, employee_id, results, behaviours, None, NOW
        )
    assert await own_open_evaluation(session, evaluation_id, staff_id) is not None
    behaviours = {**ALL_AS, "kompeten": "above"}
    assert await save_self_assessment(
        session, evaluation_id, staff_id, "above", behaviours, "Target TW 3 tercapai.", NOW
    )
    assert not await save_self_assessment(
        session, evaluation_id, staff_id, "below", ALL_AS, None, NOW
    )
    await session.commit()
    session.expunge_all()
    saved = await session.get(Evaluation, evaluation_id)
    assert saved is not None
    assert (saved.self_results, saved.self_behaviours, saved.self_note) == (
        "above",
        behaviours,
        "Target TW 3 tercapai.",
    )
    assert saved.self_submitted_at == NOW
    assert await own_open_evaluation(session, evaluation_id, staff_id) is None


async def test_assessment_needs_the_self_assessment_and_happens_once(
    session: AsyncSession,
) -> None:
    org, evaluations = await opened(session)
    evaluation_id = evaluations[org.staff.id or 0].id or 0
    head_id = org.head.id or 0
    assert (
        await save_assessment(session, evaluation_id, head_id, "as", "as", "ok", NOW, TODAY) is None
    )
    await save_self_assessment(
        session, evaluation_id, org.staff.id or 0, "above", ALL_AS, None, NOW
    )
    assert await assessable(session, evaluation_id, head_id, TODAY) is not None
    assert (
        await save_assessment(session, evaluation_id, head_id, "top", "as", "x", NOW, TODAY) is None
    )
    verdict = await save_assessment(
        session, evaluation_id, head_id, "above", "as", "Pertahankan.", NOW, TODAY
    )
    assert verdict is Predicate.BAIK
    again = await save_assessment(
        session, evaluation_id, head_id, "above", "above", "Lagi.", NOW, TODAY
    )
    assert again is None
    await session.commit()
    session.expunge_all()
    saved = await session.get(Evaluation, evaluation_id)
    assert saved is not None
    assert (saved.results, saved.behaviour, saved.feedback, saved.predicate) == (
        "above",
        "as",
        "Pertahankan.",
        "baik",
    )
    assert (saved.assessor_id, saved.assessed_at) == (head_id, NOW)
    assert await assessable(session, evaluation_id, head_id, TODAY) is None


async def test_only_the_supervisor_or_an_acting_one_may_assess(session: AsyncSession) -> None:
    org, evaluation = await self_assessed(session)
    evaluation_id, admin_id = evaluation.id or 0, org.admin.id or 0
    for stranger in (admin_id, org.staff.id or 0):
        assert await assessable(session, evaluation_id, stranger, TODAY) is None
        assert (
            await save_assessment(session, evaluation_id, stranger, "as", "as", "x", NOW, TODAY)
            is None
        )
    await delegate(session, HEAD_NIP, ADMIN_NIP, date(2026, 10, 9), TODAY)
    later = date(2026, 10, 12)  # the delegation has run out
    assert await assessable(session, evaluation_id, admin_id, later) is None
    assert await assessable(session, evaluation_id, admin_id, TODAY) is not None
    await revoke(session, HEAD_NIP, ADMIN_NIP, NOW)
    assert (
        await save_assessment(session, evaluation_id, admin_id, "as", "as", "x", NOW, TODAY) is None
    )
    await delegate(session, HEAD_NIP, ADMIN_NIP, date(2026, 10, 9), TODAY)
    verdict = await save_assessment(
        session, evaluation_id, admin_id, "as", "below", "Perbaiki disiplin.", NOW, TODAY
    )
    assert verdict is Predicate.KURANG
    await session.commit()
    saved = await session.get(Evaluation, evaluation_id)
    assert saved is not None and saved.assessor_id == admin_id


async def test_team_lists_direct_and_delegated_members_of_the_period(
    session: AsyncSession,
) -> None:
    org, _evaluations = await opened(session)
    await open_evaluations(session, Q4, date(2027, 1, 8), date(2027, 1, 15))
    head_team = await team_evaluations(session, org.head.id or 0, "2026-Q3", TODAY)
    assert [(row.period, person.id) for row, person in head_team] == [("2026-Q3", org.staff.id)]
    assert await team_evaluations(session, org.admin.id or 0, "2026-Q3", TODAY) == []
    await delegate(session, HEAD_NIP, ADMIN_NIP, date(2026, 10, 9), TODAY)
    acting_team = await team_evaluations(session, org.admin.id or 0, "2026-Q4", TODAY)
    assert [(row.period, person.id) for row, person in acting_team] == [("2026-Q4", org.staff.id)]
    assert await team_evaluations(session, org.staff.id or 0, "2026-Q3", TODAY) == []


async def test_indicator_totals_count_approved_work_in_the_range(session: AsyncSession) -> None:
    org = await seed_org(session)
    docs = await add_indicator(session, org.staff, "IKU-1", "Telaahan staf", "dokumen", "40")
    people = await add_indicator(session, org.staff, "IKU-2", "Pegawai dilayani", "orang", "120")
    await add_indicator(session, org.staff, "IKU-1", "Tahun lalu", "dokumen", "10", year=2025)
    await add_indicator(session, org.head, "IKU-9", "Milik kepala", "dokumen", "5")
    plan = [
        (date(2026, 6, 30), ReportStatus.APPROVED, [(docs, "100")]),  # before the range
        (date(2026, 7, 1), ReportStatus.APPROVED, [(docs, "2"), (None, "7")]),
        (date(2026, 8, 3), ReportStatus.APPROVED, [(docs, "1.5")]),
        (date(2026, 8, 4), ReportStatus.SUBMITTED, [(docs, "30")]),
        (date(2026, 8, 5), ReportStatus.RETURNED, [(docs, "30")]),
        (date(2026, 9, 30), ReportStatus.APPROVED, [(docs, "1"), (docs, "0.5")]),
        (date(2026, 10, 1), ReportStatus.APPROVED, [(docs, "100")]),  # after the range
    ]
    for day, status, activities in plan:
        await add_report(session, org.staff, day, status, activities)
    await add_report(session, org.head, date(2026, 8, 3), ReportStatus.APPROVED, [(docs, "50")])
    totals = await indicator_totals(session, org.staff.id or 0, Q3.start, Q3.end)
    assert [(item.indicator_id, item.code, item.approved) for item in totals] == [
        (docs.id, "IKU-1", Decimal("5.00")),
        (people.id, "IKU-2", Decimal("0.00")),
    ]
    assert totals[0].target == Decimal("40.00") and totals[0].measure == "dokumen"


async def test_period_target_by_kind(session: AsyncSession) -> None:
    org = await seed_org(session)
    await add_indicator(session, org.staff, "IKU-1", "Telaahan", "dokumen", "40", q3="16")
    await add_indicator(session, org.staff, "IKU-2", "Layanan", "orang", "100")
    year = period_of(PeriodKind.ANNUAL, date(2026, 8, 1))
    month = period_of(PeriodKind.MONTHLY, date(2026, 8, 1))
    expected = {
        year: (Decimal("40.00"), Decimal("100.00")),
        Q3: (Decimal("16.00"), Decimal("25.00")),
        month: (Decimal("3.33"), Decimal("8.33")),
    }
    for period, targets in expected.items():
        evaluation = Evaluation(
            employee_id=org.staff.id or 0,
            period=period.key,
            period_start=period.start,
            period_end=period.end,
            self_due=SELF_DUE,
            assessment_due=ASSESSMENT_DUE,
        )
        assert period_kind(period.key) is period.kind
        totals = await indicator_totals(session, org.staff.id or 0, period.start, period.end)
        assert tuple(period_target(item, evaluation) for item in totals) == targets


async def test_open_picks_up_a_changed_supervisor_only_for_new_rows(
    session: AsyncSession,
) -> None:
    org, evaluations = await opened(session)
    org.staff.supervisor_id = org.admin.id
    session.add(org.staff)
    await open_evaluations(session, Q4, date(2027, 1, 8), date(2027, 1, 15))
    await open_evaluations(session, Q3, SELF_DUE, ASSESSMENT_DUE)
    rows = (
        await session.exec(
            select(Evaluation.period, Evaluation.assessor_id)
            .where(Evaluation.employee_id == org.staff.id)
            .order_by(col(Evaluation.period))
        )
    ).all()
    assert rows == [("2026-Q3", org.head.id), ("2026-Q4", org.admin.id)]
    assert evaluations[org.staff.id or 0].assessor_id == org.head.id
