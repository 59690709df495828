"""Reminders at each unit's own 15:00, only on working days, never twice; /cuti mutes them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.scheduler import Planner, due_reminders
from storage.calendar import add_override
from storage.db import SessionMaker
from storage.leave import add_leave
from storage.models import Employee, Evaluation, OutboxMessage, ReportStatus, Unit
from storage.reminders import plan_reminders
from tests.factories import add_report, fixed_clock, link, seed_org
from tests.fake_telegram import FakeTelegramServer
from tests.harness import Fetch, PollingBot
from tests.test_cli import kinerja_bot

ZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


async def seed_zones(session: AsyncSession) -> dict[str, Employee]:
    """One unit per Indonesian time zone, each with a head and a linked employee."""
    people = {}
    for number, (label, zone) in enumerate(ZONES.items(), start=1):
        unit = Unit(code=label, name=f"Unit {label}", timezone=zone)
        session.add(unit)
        await session.flush()
        head = Employee(
            nip=f"{number}" * 18, name=f"Kepala {label}", unit_id=unit.id, telegram_id=number * 100
        )
        session.add(head)
        await session.flush()
        staff = Employee(
            nip=f"{number + 5}" * 18,
            name=f"Staf {label}",
            unit_id=unit.id,
            supervisor_id=head.id,
            telegram_id=number * 100 + 1,
        )
        session.add(staff)
        await session.flush()
        people[label] = staff
    await session.commit()
    return people


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


async def daily_names(session: AsyncSession, now: datetime) -> set[str]:
    return {r.name for r in await due_reminders(session, now) if r.kind == "daily"}


async def test_each_time_zone_at_its_own_three_oclock(session: AsyncSession) -> None:
    await seed_zones(session)
    day = date(2026, 11, 25)  # a Wednesday
    assert await daily_names(session, utc(day, 5, 59)) == set()  # 14:59 WIT
    assert await daily_names(session, utc(day, 6, 0)) == {"Staf WIT", "Kepala WIT"}
    assert await daily_names(session, utc(day, 7, 0)) == {
        "Staf WIT",
        "Kepala WIT",
        "Staf WITA",
        "Kepala WITA",
    }
    at_wib = await due_reminders(session, utc(day, 8, 0))
    due = {r.name: r.due_at for r in at_wib if r.kind == "daily"}
    assert due["Staf WIB"] == utc(day, 8) and due["Staf WITA"] == utc(day, 7)
    assert due["Staf WIT"] == utc(day, 6)


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2026, 11, 28), "Saturday"),
        (date(2026, 12, 25), "Christmas"),
        (date(2026, 8, 17), "Independence Day"),
        (date(2026, 3, 20), "cuti bersama"),
    ],
)
async def test_no_reminder_on_days_off(session: AsyncSession, day: date, why: str) -> None:
    await seed_zones(session)
    assert await daily_names(session, utc(day, 9)) == set(), why


async def test_no_reminder_on_an_override_day_or_on_leave_or_after_submitting(
    session: AsyncSession,
) -> None:
    people = await seed_zones(session)
    await add_override(session, date(2026, 11, 26), "Cuti bersama daerah")
    await session.commit()
    assert await daily_names(session, utc(date(2026, 11, 26), 9)) == set()

    day = date(2026, 11, 25)
    await add_report(session, people["WIB"], day, ReportStatus.SUBMITTED, [(None, "1")])
    await add_report(session, people["WITA"], day, ReportStatus.DRAFT, [(None, "1")])
    await add_leave(session, people["WIT"].id or 0, date(2026, 11, 24), date(2026, 11, 27))
    await session.commit()
    names = await daily_names(session, utc(day, 9))
    assert names == {"Kepala WIB", "Kepala WITA", "Kepala WIT", "Staf WITA"}


async def test_planning_twice_plans_once_and_supervisors_hear_of_old_reports(
    session: AsyncSession, fetch: Fetch
) -> None:
    people = await seed_zones(session)
    await add_report(
        session, people["WITA"], date(2026, 11, 20), ReportStatus.SUBMITTED, [(None, "1")]
    )  # Friday; by Wednesday it waited more than a working day
    await add_report(
        session, people["WITA"], date(2026, 11, 24), ReportStatus.SUBMITTED, [(None, "1")]
    )  # yesterday: not yet
    now = utc(date(2026, 11, 25), 9)
    first = await plan_reminders(session, await due_reminders(session, now))
    await session.commit()
    again = await plan_reminders(session, await due_reminders(session, now))
    await session.commit()
    assert first == 7 and again == 0
    pending = await fetch(select(OutboxMessage).where(OutboxMessage.kind == "pending"))
    assert [(row.dedupe_key, row.payload) for row in pending] == [
        (f"pending:{people['WITA'].supervisor_id}:2026-11-25", {"count": 1})
    ]


async def test_reminder_sent_once_across_a_restart_and_its_button_starts_the_report(
    session: AsyncSession,
    sessionmaker: SessionMaker,
    polling_bot: PollingBot,
    telegram: FakeTelegramServer,
    fetch: Fetch,
) -> None:
    org = await seed_org(session)
    await link(session, org.staff, 1001, "en")
    now = utc(date(2026, 11, 25), 7, 5)  # 15:05 WITA
    assert await Planner(sessionmaker, fixed_clock(now)).plan_once() == 1  # planned, not sent
    polling_bot.clock = fixed_clock(now)
    await polling_bot.start()  # a fresh process: its sender finds the planned reminder
    staff = telegram.core.user(1001, "Budi", language_code="en")
    reminder = await staff.reply()
    assert reminder.text.startswith(
        "🕒 You have not reported your work for Wednesday, 25 November 2026 yet."
    )
    await polling_bot.stop()
    await polling_bot.start()
    staff.click_button("Report now", message=reminder.result)
    assert "Report for Wednesday, 25 November 2026." in (await staff.reply()).text
    sent = [
        c
        for c in telegram.core.calls_of("sendMessage")
        if c.params["chat_id"] == 1001 and "🕒" in (c.text or "")
    ]
    assert len(sent) == 1
    assert await fetch(select(OutboxMessage.status)) == ["sent"]


async def test_remind_dry_run_lists_without_planning(
    tmp_path: Path, session: AsyncSession, settings: Settings, fetch: Fetch
) -> None:
    await seed_zones(session)
    status, stdout, stderr = await kinerja_bot(
        "remind",
        "--dry-run",
        "--at",
        "2026-11-25T15:30+09:00",
        cwd=tmp_path,
        env={"DATABASE_URL": settings.database_url},
    )
    assert status == 0
    assert stdout.splitlines() == [
        "2026-11-25 06:00Z  daily    333333333333333333  Kepala WIT",
        "2026-11-25 06:00Z  daily    888888888888888888  Staf WIT",
    ]
    assert "2 reminders would be planned (dry run)" in stderr
    assert await fetch(select(OutboxMessage.id)) == []


async def test_a_closed_quarter_opens_evaluations_and_deadlines_are_reminded(
    session: AsyncSession, fetch: Fetch
) -> None:
    people = await seed_zones(session)
    staff_id = people["WITA"].id
    opening = utc(date(2026, 10, 1), 1)  # Thursday, the first day after Q3
    reminders = await due_reminders(session, opening)
    invited = sorted(r.name for r in reminders if r.kind == "eval_open")
    assert invited == sorted(f"{role} {zone}" for role in ("Kepala", "Staf") for zone in ZONES)
    assert await plan_reminders(session, reminders) == len(reminders)
    await session.commit()
    assert [r for r in await due_reminders(session, opening) if r.kind == "eval_open"] == []
    await session.rollback()  # end the read: SQLite transactions hold the write lock
    dues = await fetch(select(Evaluation.period, Evaluation.self_due, Evaluation.assessment_due))
    assert set(dues) == {("2026-Q3", date(2026, 10, 7), date(2026, 10, 14))}

    await session.exec(
        update(Evaluation)
        .where(col(Evaluation.employee_id) == staff_id)
        .values(self_submitted_at=opening)
    )
    await session.commit()
    one_day_left = await due_reminders(session, utc(date(2026, 10, 6), 1))
    self_due = {r.name: r.payload["left"] for r in one_day_left if r.kind == "eval_self_due"}
    assert "Staf WITA" not in self_due and self_due["Staf WIB"] == 1 and len(self_due) == 5
    five_left = await due_reminders(session, utc(date(2026, 10, 7), 1))
    assess = [(r.name, r.payload["left"]) for r in five_left if r.kind == "eval_assess_due"]
    assert assess == [("Kepala WITA", 5)]
