"""End to end over HTTP: onboarding by invite, language switch, refusals."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.commands import MENU
from storage.models import Employee
from tests.factories import HEAD_NIP, STAFF_NIP, invite_codes, seed_org
from tests.fake_telegram import FakeTelegramServer
from tests.harness import Fetch, PollingBot


async def test_employee_and_supervisor_join_by_invite(
    session: AsyncSession,
    polling_bot: PollingBot,
    telegram: FakeTelegramServer,
    fetch: Fetch,
) -> None:
    await seed_org(session)
    codes = await invite_codes(session)
    await polling_bot.start()

    staff = telegram.core.user(1001, "Budi", language_code="id")
    staff.send(f"/start {codes[STAFF_NIP]}")
    greeting = (await staff.reply()).text
    assert "Selamat datang, Budi &lt;Santoso&gt;! Akun Telegram Anda kini terhubung." in greeting
    assert "Bidang Mutasi" in greeting
    assert "Peran: pegawai" in greeting

    head = telegram.core.user(1002, "Siti", language_code="en")
    head.send(f"/start {codes[HEAD_NIP]}")
    greeting = (await head.reply()).text
    assert "Welcome, Siti Rahmawati! Your Telegram account is now linked." in greeting
    assert "Role: employee, supervisor" in greeting

    linked = dict(await fetch(select(Employee.nip, Employee.telegram_id)))
    assert linked[STAFF_NIP] == 1001 and linked[HEAD_NIP] == 1002

    staff.send("/bahasa")
    choice = await staff.reply()
    assert choice.text == "Pilih bahasa Anda:"
    staff.click_button("English")
    saved = await staff.reply()
    assert saved.method == "editMessageText"
    assert saved.text.startswith("Language saved: English.")
    menu = await telegram.core.wait_for_call("setMyCommands", lambda c: "scope" in c.params)
    names = [c["command"] for c in menu.params["commands"]]
    assert names == [spec.english for spec in MENU]  # the English names, in menu order
    assert {"report", "help", "language", "cancel"} <= set(names)

    staff.send("/bantuan")
    help_text = (await staff.reply()).text
    assert "<b>What you can do</b>" in help_text and "/language" in help_text
    assert await fetch(select(Employee.language).where(Employee.nip == STAFF_NIP)) == ["en"]


async def test_unregistered_user_and_bad_codes_are_refused(
    session: AsyncSession,
    polling_bot: PollingBot,
    telegram: FakeTelegramServer,
    fetch: Fetch,
) -> None:
    await seed_org(session)
    codes = await invite_codes(session)
    await polling_bot.start()

    stranger = telegram.core.user(2001, "Joko", language_code="id")
    stranger.send("/lapor")
    assert "Anda belum terdaftar sebagai pegawai." in (await stranger.reply()).text

    stranger.send("/start iNotARealInviteCode123")
    assert "Tautan undangan ini tidak valid" in (await stranger.reply()).text

    stranger.send("/start")
    assert "pindai kode QR" in (await stranger.reply()).text

    staff = telegram.core.user(1001, "Budi", language_code="id")
    staff.send(f"/start {codes[STAFF_NIP]}")
    await staff.reply()
    stranger.send(f"/start {codes[STAFF_NIP]}")
    assert "sudah digunakan" in (await stranger.reply()).text

    staff.send(f"/start {codes[HEAD_NIP]}")
    assert "sudah terhubung dengan pegawai lain" in (await staff.reply()).text

    staff.send("/tidakada")
    assert "Saya tidak mengenal perintah /tidakada." in (await staff.reply()).text

    staff.click("lang:xx")
    alert = await telegram.core.wait_for_call("answerCallbackQuery")
    assert alert.params["show_alert"] is True
    assert "kedaluwarsa" in alert.params["text"]

    linked = dict(await fetch(select(Employee.nip, Employee.telegram_id)))
    assert linked == {STAFF_NIP: 1001, HEAD_NIP: None, "198503032010011003": None}
