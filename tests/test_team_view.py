"""/tim figures and pages, its chart and the /ekspor spreadsheet, via feed_update."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any

import matplotlib.image
import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.formatting import MESSAGE_BUDGET
from handlers.team import PAGE_SIZE
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
    assert len(lines) == 3 and "Page" not in text  # one page: no page line, no ◀ / ▶
    assert button_rows(head.last_message()) == [["📊 Chart", "📥 Spreadsheet"]]


def button_rows(message: Mapping[str, Any]) -> list[list[str]]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [[button["text"] for button in row] for row in rows]


def member_names(text: str) -> list[str]:
    """The names in the member lines of a /tim message, with their tree indentation."""
    lines = text.split("\n\n")[2].splitlines()
    return [line.split("</b>")[0].replace("<b>", "") for line in lines]


async def add_staff(session: AsyncSession, org: Org, count: int) -> None:
    """`count` more direct subordinates of the head, named Staf 01, Staf 02, ..."""
    session.add_all(
        Employee(
            nip=f"19960606202001{number:04d}",
            name=f"Staf {number:02d}",
            unit_id=org.division.id,
            supervisor_id=org.head.id,
        )
        for number in range(1, count + 1)
    )
    await session.commit()


SUMMARY = "Today 2 of 17 reported · 2 awaiting approval · 1 returned this week"
PAGE_ONE = [
    "Budi &lt;Santoso&gt;",
    "Rina Wulandari",
    "    └ Dodi Kurniawan",
    *[f"Staf {number:02d}" for number in range(1, 10)],
]
PAGE_TWO = [f"Staf {number:02d}" for number in range(10, 15)]


async def test_team_pages_turn_in_place(
    session: AsyncSession, fed: FedBot, telegram: FakeTelegramServer
) -> None:
    assert PAGE_SIZE == 12
    org = await seed_team(session)
    await add_staff(session, org, 14)  # 17 members: pages of 12 and 5
    head = telegram.core.user(1002, "Siti", language_code="en")
    await fed.deliver(head.send("/team"))
    first = await head.reply()
    assert first.method == "sendMessage"
    assert SUMMARY in first.text
    assert member_names(first.text) == PAGE_ONE
    assert first.text.endswith("Page 1 of 2 · members 1–12")
    assert button_rows(head.last_message()) == [["▶"], ["📊 Chart", "📥 Spreadsheet"]]

    await fed.deliver(head.click_button("▶"))
    second = await head.reply()
    assert second.method == "editMessageText"
    assert SUMMARY in second.text  # the whole team's figures on every page
    assert member_names(second.text) == PAGE_TWO
    assert second.text.endswith("Page 2 of 2 · members 13–17")
    assert button_rows(head.last_message()) == [["◀"], ["📊 Chart", "📥 Spreadsheet"]]
    assert len(telegram.core.chat_messages(head.id)) == 1  # edited, not sent again

    await fed.deliver(head.click_button("Chart"))  # of page 2's members
    assert (await head.reply()).method == "sendPhoto"

    team_message = telegram.core.chat_messages(head.id)[0]  # as edited
    await fed.deliver(head.click_button("◀", message=team_message))
    assert member_names((await head.reply()).text) == PAGE_ONE

    await fed.deliver(head.click("tp:9", message=first.result))  # stale or forged: the last
    assert member_names((await head.reply()).text) == PAGE_TWO
    await fed.deliver(head.click("tp:-3", message=first.result))
    assert member_names((await head.reply()).text) == PAGE_ONE


async def test_a_page_press_by_a_non_supervisor_changes_nothing(
    session: AsyncSession, fed: FedBot, telegram: FakeTelegramServer
) -> None:
    org = await seed_team(session)
    await add_staff(session, org, 14)
    await link(session, org.staff, 1003, "en")
    head = telegram.core.user(1002, "Siti", language_code="en")
    await fed.deliver(head.send("/team"))
    shown = (await head.reply()).result
    budi = telegram.core.user(1003, "Budi", language_code="en")
    for data in ("tp:2", "tm:chart:2"):
        await fed.deliver(budi.click(data, message=shown))
        answer = telegram.core.calls_of("answerCallbackQuery")[-1].params
        assert answer["text"] == "This button has expired. Please start again."
        assert answer["show_alert"] is True
    assert telegram.core.calls_of("editMessageText") == []
    assert telegram.core.calls_of("sendPhoto") == []
    assert head.last_message()["text"] == shown["text"]


async def test_the_longest_lines_fit_one_message(
    session: AsyncSession, fed: FedBot, telegram: FakeTelegramServer
) -> None:
    """Every member deep in the tree, with a long name and every warning, in Indonesian."""
    org = await seed_team(session)
    await link(session, org.head, 1002, "id")
    boss, people = org.head, []
    for number in range(PAGE_SIZE):
        person = Employee(
            nip=f"19970707202001{number:04d}",
            name=f"{number:02d} " + "Pegawai Dengan Nama Sangat Panjang Sekali " * 4,
            unit_id=org.division.id,
            supervisor_id=boss.id,
        )
        session.add(person)
        await session.commit()
        for day in (date(2026, 11, 16), YESTERDAY, TODAY):
            await add_report(session, person, day, ReportStatus.SUBMITTED, [(None, "1")])
        await add_report(session, person, MONDAY, ReportStatus.RETURNED, [(None, "1")])
        boss = person
        people.append(person.id)
    await session.exec(  # every report says the same
        update(Activity)
        .where(col(Activity.employee_id).in_(people))
        .values(description="Rapat", description_hash=description_digest("Rapat"))
    )
    await session.commit()
    head = telegram.core.user(1002, "Siti", language_code="id")
    await fed.deliver(head.send("/tim"))
    text = (await head.reply()).text
    assert text.count("3 sama persis dengan laporan sebelumnya") == PAGE_SIZE
    assert len(text) <= MESSAGE_BUDGET


async def test_team_chart_is_a_png(
    session: AsyncSession, fed: FedBot, telegram: FakeTelegramServer
) -> None:
    await seed_team(session)
    head = telegram.core.user(1002, "Siti", language_code="en")
    await fed.deliver(head.send("/team"))
    await fed.deliver(head.click_button("Chart"))
    assert telegram.core.calls_of("answerCallbackQuery")[0].params["text"] == "Preparing…"
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
