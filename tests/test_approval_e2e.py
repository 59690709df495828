"""End to end over HTTP: supervisors approve and return reports; nobody else can."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.callbacks import Decide, Verdict
from storage.approvals import delegate, revoke
from storage.models import DailyReport, ReportStatus
from tests.factories import ADMIN_NIP, HEAD_NIP, Org, add_report, fixed_clock, link, seed_org
from tests.fake_telegram import ApiCall, FakeTelegramServer, FakeUser
from tests.harness import Fetch, PollingBot

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 11:00 WITA
TODAY = date(2026, 11, 25)


async def start(session: AsyncSession, polling_bot: PollingBot) -> Org:
    org = await seed_org(session)
    await link(session, org.staff, 1001, "en")
    await link(session, org.head, 1002, "id")
    await link(session, org.admin, 1003, "en")
    polling_bot.clock = fixed_clock(NOW)
    await polling_bot.start()
    return org


async def submit_today(user: FakeUser, activity: str) -> None:
    """The staff member reports one additional task and submits (English)."""
    for step in ("/report", "Additional task", activity, "1", "Skip", "Submit"):
        if step.startswith("/") or step in (activity, "1"):
            user.send(step)
        else:
            user.click_button(step)
        await user.reply()


async def notice_to(telegram: FakeTelegramServer, chat_id: int, start: int = 0) -> ApiCall:
    return await telegram.core.wait_for_call(
        "sendMessage",
        lambda c: c.params["chat_id"] == chat_id and "reply_markup" in c.params,
        start=start,
    )


async def alert(telegram: FakeTelegramServer, contains: str) -> ApiCall:
    return await telegram.core.wait_for_call(
        "answerCallbackQuery", lambda c: contains in (c.params.get("text") or "")
    )


async def test_approve_shows_who_and_when_and_tells_the_employee(
    session: AsyncSession, polling_bot: PollingBot, telegram: FakeTelegramServer, fetch: Fetch
) -> None:
    org = await start(session, polling_bot)
    staff = telegram.core.user(1001, "Budi", language_code="en")
    head = telegram.core.user(1002, "Siti", language_code="id")
    await submit_today(staff, "Menyusun telaahan staf")
    notice = await notice_to(telegram, 1002)
    assert "Menyusun telaahan staf" in notice.text
    head.click_button("Setujui")
    edited = await telegram.core.wait_for_call(
        "editMessageText", lambda c: c.params.get("chat_id") == 1002
    )
    assert "✅ Disetujui oleh Siti Rahmawati · 25 Nov 2026 11:00 WITA" in edited.text
    assert "reply_markup" not in edited.params
    told = await staff.reply()
    assert told.text == (
        "✅ Your report for Wednesday, 25 November 2026 was approved by Siti Rahmawati."
    )
    rows = await fetch(select(DailyReport.status, DailyReport.decided_by_id))
    assert rows == [(ReportStatus.APPROVED, org.head.id)]

    head.click(
        notice.result["reply_markup"]["inline_keyboard"][0][0]["callback_data"],
        message=notice.result,
    )  # a double tap on the old message
    assert "sudah diputuskan" in (await alert(telegram, "sudah")).params["text"]
    approvals = [
        c
        for c in telegram.core.calls_of("sendMessage")
        if c.params["chat_id"] == 1001 and "approved" in (c.text or "")
    ]
    assert len(approvals) == 1


async def test_return_with_reason_then_edit_resubmit_and_approve(
    session: AsyncSession, polling_bot: PollingBot, telegram: FakeTelegramServer, fetch: Fetch
) -> None:
    await start(session, polling_bot)
    staff = telegram.core.user(1001, "Budi", language_code="en")
    head = telegram.core.user(1002, "Siti", language_code="id")
    await submit_today(staff, "Rapat")
    first = await notice_to(telegram, 1002)
    head.click_button("Kembalikan")
    assert "Mengapa" in (await head.reply()).text
    head.send("Uraian terlalu singkat, sebutkan agenda rapat.")
    assert (await head.reply()).text.startswith("↩️")
    told = await staff.reply()
    assert "Reason: Uraian terlalu singkat, sebutkan agenda rapat." in told.text
    assert await fetch(select(DailyReport.status)) == [ReportStatus.RETURNED]

    staff.click_button("Edit report")
    review = await staff.reply()
    assert "Returned because: Uraian terlalu singkat" in review.text
    for step in ("Remove last", "Additional task"):
        staff.click_button(step)
        await staff.reply()
    staff.send("Rapat koordinasi mutasi: agenda usulan kenaikan pangkat April")
    await staff.reply()
    staff.send("1")
    await staff.reply()
    for step in ("Skip", "Submit"):
        staff.click_button(step)
        await staff.reply()
    mark = len(telegram.core.calls)
    updated = await telegram.core.wait_for_call(
        "sendMessage", lambda c: c.params["chat_id"] == 1002 and "diperbarui" in (c.text or "")
    )
    assert "agenda usulan kenaikan pangkat" in updated.text

    head.click_button("Setujui", message=first.result)  # the old version's button
    await telegram.core.wait_for_call(
        "answerCallbackQuery",
        lambda c: "mengubah laporan" in (c.params.get("text") or ""),
        start=mark,
    )
    head.click_button("Setujui", message=updated.result)
    await staff.reply()
    assert await fetch(select(DailyReport.status, DailyReport.revision)) == [
        (ReportStatus.APPROVED, 2)
    ]


async def test_nobody_else_can_decide_even_with_forged_data(
    session: AsyncSession, polling_bot: PollingBot, telegram: FakeTelegramServer, fetch: Fetch
) -> None:
    org = await start(session, polling_bot)
    report = await add_report(session, org.staff, TODAY, ReportStatus.SUBMITTED, [(None, "1")])
    admin = telegram.core.user(1003, "Andi", language_code="en")
    staff = telegram.core.user(1001, "Budi", language_code="en")
    for presser in (admin, staff):
        for verdict in (Verdict.APPROVE, Verdict.RETURN, Verdict.EVIDENCE):
            forged = Decide(report_id=report.id or 0, revision=0, verdict=verdict).pack()
            presser.click(
                forged,
                message={
                    "message_id": 1,
                    "chat": {"id": presser.id, "type": "private"},
                    "date": 0,
                    "text": "x",
                },
            )
            await alert(telegram, "You may not decide")
    assert await fetch(select(DailyReport.status, DailyReport.decided_by_id)) == [
        (ReportStatus.SUBMITTED, None)
    ]


async def test_approve_all_after_confirmation(
    session: AsyncSession, polling_bot: PollingBot, telegram: FakeTelegramServer, fetch: Fetch
) -> None:
    org = await start(session, polling_bot)
    for day in (23, 24, 25):
        await add_report(
            session, org.staff, date(2026, 11, day), ReportStatus.SUBMITTED, [(None, "1")]
        )
    head = telegram.core.user(1002, "Siti", language_code="id")
    head.send("/persetujuan")
    header = await head.reply()
    assert header.text.startswith("Laporan yang menunggu persetujuan Anda: 3")
    for _ in range(3):
        await head.reply()
    head.click_button("Setujui semua (3)", message=header.result)
    confirm = await head.reply()
    assert confirm.text == (
        "Setujui semua 3 laporan yang menunggu Anda tanpa membukanya satu per satu?"
    )
    head.click_button("Ya, setujui semua")
    done = await telegram.core.wait_for_call(
        "editMessageText", lambda c: "Disetujui 3 laporan" in (c.text or "")
    )
    assert done.params["chat_id"] == 1002
    statuses = await fetch(select(DailyReport.status))
    assert statuses == [ReportStatus.APPROVED] * 3


async def test_acting_supervisor_may_decide_until_revoked(
    session: AsyncSession, polling_bot: PollingBot, telegram: FakeTelegramServer, fetch: Fetch
) -> None:
    org = await start(session, polling_bot)
    first = await add_report(
        session, org.staff, date(2026, 11, 24), ReportStatus.SUBMITTED, [(None, "1")]
    )
    second = await add_report(session, org.staff, TODAY, ReportStatus.SUBMITTED, [(None, "2")])
    await delegate(session, HEAD_NIP, ADMIN_NIP, date(2026, 11, 30), TODAY)
    await session.commit()
    acting = telegram.core.user(1003, "Andi", language_code="en")
    acting.send("/pending")
    assert (await acting.reply()).text.startswith("Reports waiting for your approval: 2")
    acting.click(Decide(report_id=first.id or 0, revision=0, verdict=Verdict.APPROVE).pack())
    await alert(telegram, "Approved.")

    await revoke(session, HEAD_NIP, ADMIN_NIP, NOW)
    await session.commit()
    acting.click(Decide(report_id=second.id or 0, revision=0, verdict=Verdict.APPROVE).pack())
    await alert(telegram, "You may not decide")
    rows = await fetch(
        select(DailyReport.work_date, DailyReport.status, DailyReport.decided_by_id).order_by(
            DailyReport.work_date
        )
    )
    assert rows == [
        (date(2026, 11, 24), ReportStatus.APPROVED, org.admin.id),
        (TODAY, ReportStatus.SUBMITTED, None),
    ]
