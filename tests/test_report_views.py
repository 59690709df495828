"""/progres, /riwayat, /target and the less common paths of /lapor, through feed_update."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.callbacks import PickDay
from bot.config import Settings
from storage.db import SessionMaker
from storage.models import DailyReport, Evidence, ReportStatus
from tests.factories import Org, add_indicator, add_report, fixed_clock, link, seed_org
from tests.fake_telegram import FakeTelegramServer, FakeUser
from tests.harness import FedBot, Fetch

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # Wednesday, 11:00 WITA
APPROVED, SUBMITTED = ReportStatus.APPROVED, ReportStatus.SUBMITTED


@pytest.fixture
async def fed(
    settings: Settings, sessionmaker: SessionMaker, telegram: FakeTelegramServer
) -> AsyncIterator[FedBot]:
    bot = FedBot(settings, sessionmaker, telegram.core, clock=fixed_clock(NOW))
    yield bot
    await bot.close()


@pytest.fixture
async def org(session: AsyncSession) -> Org:
    org = await seed_org(session)
    await link(session, org.staff, 1001)
    await link(session, org.head, 1002, "id")
    return org


async def say(fed: FedBot, user: FakeUser, text: str) -> str:
    await fed.deliver(user.send(text))
    return (await user.reply()).text or ""


async def press(fed: FedBot, user: FakeUser, button: str) -> str:
    await fed.deliver(user.click_button(button))
    return (await user.reply()).text or ""


async def test_progress_separates_approved_and_pending_per_quarter_and_year(
    session: AsyncSession, org: Org, fed: FedBot, telegram: FakeTelegramServer
) -> None:
    docs = await add_indicator(session, org.staff, "IKU-1", "Menyusun dokumen", "dokumen", "120")
    people = await add_indicator(
        session,
        org.staff,
        "IKU-2",
        "Konsultasi",
        "orang",
        "100",
        q1="10",
        q2="20",
        q3="30",
        q4="40",
    )
    await add_report(session, org.staff, date(2026, 2, 10), APPROVED, [(docs, "18")])
    await add_report(session, org.staff, date(2026, 3, 11), SUBMITTED, [(docs, "5")])
    await add_report(session, org.staff, date(2026, 11, 2), APPROVED, [(docs, "7"), (people, "10")])
    await add_report(session, org.staff, date(2026, 11, 3), APPROVED, [(docs, "5"), (None, "1")])
    await add_report(session, org.staff, date(2026, 11, 24), SUBMITTED, [(docs, "2.5")])
    await add_report(session, org.staff, date(2026, 11, 25), ReportStatus.DRAFT, [(docs, "9")])
    await add_report(session, org.head, date(2026, 11, 4), APPROVED, [(docs, "50")])

    staff = telegram.core.user(1001, "Budi", language_code="en")
    text = await say(fed, staff, "/progress")
    assert "<b>Progress · Q4 2026</b>" in text
    assert "Q4: ▓▓▓▓░░░░░░ 40% — 12 of 30 dokumen approved, 2.5 awaiting approval" in text
    assert "Year: ▓▓░░░░░░░░ 25% — 30 of 120 dokumen approved, 7.5 awaiting approval" in text
    assert "Q4: ▓▓░░░░░░░░ 25% — 10 of 40 orang approved, 0 awaiting approval" in text
    assert "Year: ▓░░░░░░░░░ 10% — 10 of 100 orang approved, 0 awaiting approval" in text
    assert "Days reported in November: 3 of 18 working days so far." in text

    head = telegram.core.user(1002, "Siti", language_code="id")
    text = await say(fed, head, "/progres")
    assert "<b>Capaian · TW 4 2026</b>" in text
    assert "Belum ada indikator kinerja untuk Anda pada tahun 2026." in text
    assert "Hari yang dilaporkan pada bulan November: 1 dari 18 hari kerja" in text


async def test_history_opens_a_report_and_sends_its_evidence(
    session: AsyncSession, org: Org, fed: FedBot, telegram: FakeTelegramServer
) -> None:
    docs = await add_indicator(session, org.staff, "IKU-1", "Menyusun dokumen", "dokumen", "120")
    report = await add_report(session, org.staff, date(2026, 11, 24), SUBMITTED, [(docs, "3")])
    await add_report(session, org.staff, date(2026, 11, 20), APPROVED, [(None, "1")])
    activity_id = report.id  # the first activity of the first report has the same id
    session.add_all(
        Evidence(
            activity_id=activity_id,
            kind=kind,
            file_id=f"file-{n}",
            file_unique_id=f"u-{n}",
            caption=f"bukti {n}",
        )
        for n, kind in enumerate(["photo", "photo", "document"])
    )
    await session.commit()

    staff = telegram.core.user(1001, "Budi", language_code="en")
    listing = await say(fed, staff, "/history")
    assert "⏳ Tue, 24 Nov — awaiting approval · 1 activity" in listing
    assert "✅ Fri, 20 Nov — approved · 1 activity" in listing
    detail = await press(fed, staff, "24 Nov")
    assert "<b>Daily report · Tuesday, 24 November 2026</b>" in detail
    assert "Menyusun dokumen — 3 dokumen · 📎 3" in detail

    await press(fed, staff, "Evidence (3)")
    album = telegram.core.calls_of("sendMediaGroup")
    assert len(album) == 1 and [m["media"] for m in album[0].params["media"]] == [
        "file-0",
        "file-1",
    ]
    assert telegram.core.calls_of("sendDocument")[0].params["document"] == "file-2"


async def test_targets_show_quarters_and_the_supported_indicator(
    session: AsyncSession, org: Org, fed: FedBot, telegram: FakeTelegramServer
) -> None:
    parent = await add_indicator(session, org.head, "IKU-B", "Mutasi tepat waktu", "%", "100")
    child = await add_indicator(
        session,
        org.staff,
        "RHK-1",
        "SK mutasi <terbit>",
        "dokumen",
        "120,5".replace(",", "."),
        q1="30",
        q2="30",
        q3="30",
        q4="30.5",
    )
    child.parent_id = parent.id
    session.add(child)
    await session.commit()
    staff = telegram.core.user(1001, "Budi", language_code="id")
    text = await say(fed, staff, "/target")
    assert "<b>Indikator kinerja 2026</b>" in text
    assert "<b>RHK-1</b> SK mutasi &lt;terbit&gt;" in text
    assert "Target: 120,5 dokumen" in text
    assert "TW 1 30 · TW 2 30 · TW 3 30 · TW 4 30,5" in text
    assert "Mendukung: IKU-B Mutasi tepat waktu" in text


async def test_another_day_within_the_limit_and_never_the_future(
    org: Org, fed: FedBot, telegram: FakeTelegramServer, fetch: Fetch
) -> None:
    staff = telegram.core.user(1001, "Budi", language_code="en")
    await say(fed, staff, "/report")
    days = await press(fed, staff, "Another day")
    assert days == "Which day do you want to report for?"
    buttons = [
        b["text"] for row in staff.last_message()["reply_markup"]["inline_keyboard"] for b in row
    ]
    assert buttons == [
        "Today · Wed, 25 Nov",
        "Yesterday · Tue, 24 Nov",
        "Mon, 23 Nov",
        "Sun, 22 Nov",
    ]
    assert "Report for Tuesday, 24 November 2026." in await press(fed, staff, "Yesterday")

    for day, refusal in [
        ("2026-11-26", "You cannot report for a future day."),
        ("2026-11-01", "You can report for the last 3 days only."),
        ("garbage", "This button has expired. Please start again."),
    ]:
        await fed.deliver(staff.click(PickDay(day=day).pack()))
        alert = await telegram.core.wait_for_call(
            "answerCallbackQuery", lambda c, r=refusal: c.params.get("text") == r
        )
        assert alert.params["show_alert"] is True
    days_stored = await fetch(select(DailyReport.work_date).order_by(DailyReport.work_date))
    assert days_stored == [date(2026, 11, 24), date(2026, 11, 25)]


async def test_an_approved_report_is_locked(
    session: AsyncSession, org: Org, fed: FedBot, telegram: FakeTelegramServer
) -> None:
    await add_report(session, org.staff, date(2026, 11, 25), APPROVED, [(None, "2")])
    staff = telegram.core.user(1001, "Budi", language_code="en")
    text = await say(fed, staff, "/report")
    assert text.startswith(
        "The report for Wednesday, 25 November 2026 is approved and can no longer be changed."
    )
    assert staff.last_message().get("reply_markup") is None


async def test_documents_and_albums_count_and_a_repeated_photo_is_kept_once(
    session: AsyncSession, org: Org, fed: FedBot, telegram: FakeTelegramServer, fetch: Fetch
) -> None:
    staff = telegram.core.user(1001, "Budi", language_code="en")
    await say(fed, staff, "/report")
    await press(fed, staff, "Additional task")
    await say(fed, staff, "Apel pagi dan rapat staf")
    await say(fed, staff, "1")
    assert (await say(fed, staff, "not a file")).startswith("Send a photo or a document")
    await fed.deliver(staff.send_document("notulen.pdf"))
    await fed.deliver(staff.send_photo(file_unique_id="same-photo"))
    await fed.deliver(staff.send_photo(file_unique_id="same-photo"))
    assert (await staff.reply()).text.startswith("Evidence received: 2.")
    assert "1 · 📎 2" in await press(fed, staff, "Done")
    assert sorted(await fetch(select(Evidence.kind))) == ["document", "photo"]


async def test_employee_without_supervisor_is_told_who_the_admin_is(
    session: AsyncSession, org: Org, fed: FedBot, telegram: FakeTelegramServer
) -> None:
    head = telegram.core.user(1002, "Siti", language_code="en")  # chose Indonesian in the bot
    await say(fed, head, "/lapor")
    await press(fed, head, "Tugas tambahan")
    await say(fed, head, "Memimpin rapat bidang")
    await say(fed, head, "1")
    await press(fed, head, "Lewati")
    submitted = await press(fed, head, "Kirim")
    assert submitted.startswith(
        "✅ Laporan terkirim. Laporan Anda tersimpan. Atasan langsung Anda belum ditetapkan; "
        "admin unit Anda adalah Andi Pratama."
    )
