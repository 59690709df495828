"""End to end over HTTP: the /lapor flow, refusals that keep the flow going, restarts, stale
buttons, double submits and re-delivered updates."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.callbacks import PickIndicator, ReportAction, ReportStep
from storage.models import Activity, DailyReport, Evidence, ReportStatus
from tests.factories import Org, add_indicator, fixed_clock, link, seed_org
from tests.fake_telegram import FakeTelegramServer, FakeUser
from tests.harness import Fetch, PollingBot

# 11:00 WITA on Wednesday 25 November 2026 (the seeded units are in Asia/Makassar).
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


async def prepare(session: AsyncSession, polling_bot: PollingBot) -> Org:
    org = await seed_org(session)
    await link(session, org.staff, 1001, "en")
    await link(session, org.head, 1002, "id")
    await add_indicator(session, org.staff, "IKU-1", "Menyusun dokumen mutasi", "dokumen", "120")
    await add_indicator(session, org.staff, "IKU-2", "Layanan konsultasi", "orang", "200")
    polling_bot.clock = fixed_clock(NOW)
    await polling_bot.start()
    return org


async def say(user: FakeUser, text: str) -> str:
    user.send(text)
    return (await user.reply()).text or ""


async def press(user: FakeUser, button: str) -> str:
    user.click_button(button)
    return (await user.reply()).text or ""


async def test_report_with_two_activities_and_a_photo_is_submitted(
    session: AsyncSession, polling_bot: PollingBot, telegram: FakeTelegramServer, fetch: Fetch
) -> None:
    await prepare(session, polling_bot)
    staff = telegram.core.user(1001, "Budi", language_code="en")
    head = telegram.core.user(1002, "Siti", language_code="id")

    opening = await say(staff, "/report")
    assert "Report for Wednesday, 25 November 2026." in opening
    assert "Describe the activity" in await press(staff, "IKU-1")

    too_long = await say(staff, "x" * 1001)
    assert "That is 1001 characters; the limit is 1000." in too_long
    assert await say(staff, "Menyusun draf SK mutasi pegawai") == (
        "How many dokumen? For example 3 or 2,5."
    )
    assert (await say(staff, "tiga")).startswith("That is not a number. How many dokumen?")
    assert (await say(staff, "-2")).startswith("The quantity must be more than zero.")
    assert (await say(staff, "1.000")).startswith("Write the number without a thousands")
    assert (await say(staff, "20000")).startswith("That is more than 10000.")
    assert "Send photos or documents as evidence" in await say(staff, "2,5")

    staff.send_photo(caption="SK mutasi")
    edited = await staff.reply()
    assert edited.method == "editMessageText"
    assert edited.text.startswith("Evidence received: 1.")
    review = await press(staff, "Done")
    assert "Menyusun dokumen mutasi — 2.5 dokumen · 📎 1" in review

    assert "Which indicator" in await press(staff, "Add activity")
    assert "Describe the activity" in await press(staff, "Additional task")
    await say(staff, "Rapat koordinasi mutasi")
    assert "How much of it did you do?" not in await say(staff, "1")
    review = await press(staff, "Skip")
    assert "2. <i>Additional task</i> — 1" in review

    submitted = await press(staff, "Submit")
    assert submitted.startswith("✅ Report submitted. Sent for approval to Siti Rahmawati.")
    notice = await head.reply()
    assert notice.text.startswith("📥 Laporan harian baru")
    assert "Budi &lt;Santoso&gt;" in notice.text
    assert "Menyusun draf SK mutasi pegawai" in notice.text
    assert "Rapat koordinasi mutasi" in notice.text

    reports = await fetch(select(DailyReport))
    assert [(r.work_date.isoformat(), r.status) for r in reports] == [
        ("2026-11-25", ReportStatus.SUBMITTED)
    ]
    activities = await fetch(select(Activity.description, Activity.quantity).order_by(Activity.id))
    assert activities == [
        ("Menyusun draf SK mutasi pegawai", Decimal("2.50")),
        ("Rapat koordinasi mutasi", Decimal("1.00")),
    ]
    evidence = await fetch(select(Evidence.kind, Evidence.caption))
    assert evidence == [("photo", "SK mutasi")]


async def test_double_submit_redelivery_and_stale_buttons_change_nothing(
    session: AsyncSession, polling_bot: PollingBot, telegram: FakeTelegramServer, fetch: Fetch
) -> None:
    await prepare(session, polling_bot)
    staff = telegram.core.user(1001, "Budi", language_code="en")
    await say(staff, "/report")
    indicator_message = staff.last_message()
    await press(staff, "IKU-2")
    await say(staff, "Konsultasi kenaikan pangkat")
    await say(staff, "4")
    await press(staff, "Skip")
    review_message = staff.last_message()
    report_id = (await fetch(select(DailyReport.id)))[0]
    submit = ReportStep(report_id=report_id, action=ReportAction.SUBMIT).pack()

    first = staff.click(submit, message=review_message)
    second = staff.click(submit, message=review_message)  # a double tap
    alert = await telegram.core.wait_for_call(
        "answerCallbackQuery", lambda c: c.params.get("show_alert") is True
    )
    assert alert.params["text"] == "This report was already submitted."
    delivered = next(u for u in telegram.core.pending_updates if u["update_id"] == first)
    telegram.core.push_update({"callback_query": delivered["callback_query"]}, update_id=first)
    staff.send("/help")  # handled after the re-delivered update
    await telegram.core.wait_for_call("sendMessage", lambda c: "What you can do" in (c.text or ""))
    notices = [c for c in telegram.core.calls_of("sendMessage") if c.params["chat_id"] == 1002]
    assert len(notices) == 1
    assert second != first

    stale = PickIndicator(report_id=report_id, indicator_id=0).pack()
    staff.click(stale, message=indicator_message)
    expired = await telegram.core.wait_for_call(
        "answerCallbackQuery", lambda c: "expired" in (c.params.get("text") or "")
    )
    assert expired.params["show_alert"] is True

    head = telegram.core.user(1002, "Siti", language_code="id")
    foreign = ReportStep(report_id=report_id, action=ReportAction.REMOVE_LAST).pack()
    head.click(foreign, message=review_message)
    await telegram.core.wait_for_call(
        "answerCallbackQuery", lambda c: "kedaluwarsa" in (c.params.get("text") or "")
    )
    assert await fetch(select(func.count()).select_from(Activity)) == [1]
    assert await fetch(select(DailyReport.status)) == [ReportStatus.SUBMITTED]


async def test_draft_survives_a_restart(
    session: AsyncSession, polling_bot: PollingBot, telegram: FakeTelegramServer, fetch: Fetch
) -> None:
    await prepare(session, polling_bot)
    staff = telegram.core.user(1001, "Budi", language_code="en")
    await say(staff, "/report")
    await press(staff, "IKU-1")
    await say(staff, "Verifikasi berkas")
    await polling_bot.stop()
    await polling_bot.start()  # conversation state in memory is gone; the draft is not

    assert await say(staff, "/report") == "How many dokumen? For example 3 or 2,5."
    assert "Send photos or documents" in await say(staff, "3")
    assert "Verifikasi berkas" in await press(staff, "Skip")
    assert "✅ Report submitted." in await press(staff, "Submit")
    assert await fetch(select(Activity.quantity).where(col(Activity.description) != "")) == [
        Decimal("3.00")
    ]
