"""/tim figures, its chart and the /ekspor spreadsheet for a seeded team, via feed_update."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from io import BytesIO

import matplotlib.image
import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from storage.db import SessionMaker
from storage.models import Activity, Employee, ReportStatus, description_digest
from tests.factories import Org, add_indicator, add_report, fixed_clock, link, seed_org
from tests.fake_telegram import FakeTelegramServer
from tests.harness import FedBot

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # Wednesday 11:00 WITA
TODAY, YESTERDAY, MONDAY = date(2026, 11, 25), date(2026, 11, 24), date(2026, 11, 23)


@pytest.fixture
async def fed(
    settings: Settings, sessionmaker: SessionMaker, telegram: FakeTelegramServer
) -> AsyncIterator[FedBot]:
    bot = FedBot(settings, sessionmaker, telegram.core, clock=fixed_clock(NOW))
    yield bot
    await bot.close()


async def seed_team(session: AsyncSession) -> Org:
    """Head -> Budi, Rina; Rina -> Dodi (depth 2). Budi 40% of Q4, Dodi copy-pastes."""
    org = await seed_org(session)
    await link(session, org.head, 1002, "en")
    rina = Employee(
        nip="199505052020122005",
        name="Rina Wulandari",
        unit_id=org.division.id,
        supervisor_id=org.head.id,
        telegram_id=1005,
    )
    session.add(rina)
    await session.flush()
    dodi = Employee(
        nip="200001012024011006",
        name="Dodi Kurniawan",
        unit_id=org.division.id,
        supervisor_id=rina.id,
    )
    session.add(dodi)
    await session.commit()
    docs = await add_indicator(session, org.staff, "IKU-1", "Dokumen mutasi", "dokumen", "120")
    await add_report(session, org.staff, TODAY, ReportStatus.APPROVED, [(docs, "12")])
    await add_report(session, org.staff, MONDAY, ReportStatus.RETURNED, [(docs, "1")])
    await add_report(session, rina, YESTERDAY, ReportStatus.SUBMITTED, [(None, "1")])
    await add_report(session, dodi, date(2026, 11, 2), ReportStatus.APPROVED, [(None, "1")])
    copied = await add_report(session, dodi, TODAY, ReportStatus.SUBMITTED, [(None, "1")])
    await session.exec(  # word for word the description of 2 November
        update(Activity)
        .where(col(Activity.report_id) == copied.id)
        .values(
            description="Kegiatan 2026-11-02",
            description_hash=description_digest("Kegiatan 2026-11-02"),
        )
    )
    await session.commit()
    return org


async def test_team_view_figures(
    session: AsyncSession, fed: FedBot, telegram: FakeTelegramServer
) -> None:
    await seed_team(session)
    head = telegram.core.user(1002, "Siti", language_code="en")
    await fed.deliver(head.send("/team"))
    text = (await head.reply()).text
    assert "<b>Team · Wednesday, 25 November 2026</b>" in text
    assert "Today 2 of 3 reported · 2 awaiting approval · 1 returned this week" in text
    lines = text.split("\n\n")[2].splitlines()
    assert lines[0] == (
        "<b>Budi &lt;Santoso&gt;</b> — ✅ approved · week 1/3 · Q4 40% · 1 returned"
        " · not on Telegram yet"
    )
    assert lines[1] == (
        "<b>Rina Wulandari</b> — ❌ not reported today · week 1/3 · Q4 – · 1 awaiting approval"
    )
    assert lines[2] == (
        "    └ <b>Dodi Kurniawan</b> — ⏳ awaiting approval · week 1/3 · Q4 – · "
        "1 awaiting approval · ⚠️ 1 copied from earlier reports · not on Telegram yet"
    )


async def test_team_chart_is_a_png(
    session: AsyncSession, fed: FedBot, telegram: FakeTelegramServer
) -> None:
    await seed_team(session)
    head = telegram.core.user(1002, "Siti", language_code="en")
    await fed.deliver(head.send("/team"))
    await fed.deliver(head.click_button("Chart"))
    photo = telegram.core.calls_of("sendPhoto")[0].files["photo"]
    assert photo.startswith(b"\x89PNG\r\n\x1a\n")
    height, width, _channels = matplotlib.image.imread(BytesIO(photo), format="png").shape
    assert width == 900 and height >= width


async def test_export_sends_the_months_activities(
    session: AsyncSession, fed: FedBot, telegram: FakeTelegramServer
) -> None:
    org = await seed_team(session)
    await link(session, org.head, 1002, "id")
    head = telegram.core.user(1002, "Siti", language_code="id")
    await fed.deliver(head.send("/ekspor 2026-13"))
    assert (await head.reply()).text == "Tulis bulan sebagai YYYY-MM, misalnya /ekspor 2026-03."
    await fed.deliver(head.send("/ekspor 2026-11"))
    document = telegram.core.calls_of("sendDocument")[0]
    workbook = load_workbook(BytesIO(document.files["document"]), read_only=True)
    activities, summary = workbook.worksheets
    rows = list(activities.iter_rows(values_only=True))
    assert rows[0][:3] == ("Tanggal", "NIP", "Nama")
    assert len(rows) == 1 + 5
    budi = [row for row in rows if row[2] == "Budi <Santoso>"]
    assert [(row[0].date(), row[3], float(row[5]), row[7]) for row in budi] == [
        (MONDAY, "IKU-1 Dokumen mutasi", 1.0, "dikembalikan"),
        (TODAY, "IKU-1 Dokumen mutasi", 12.0, "disetujui"),
    ]
    assert summary.title == "Ringkasan"
