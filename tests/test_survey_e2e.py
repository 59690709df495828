"""End to end over HTTP: a citizen rates a service counter from its QR code's deep link."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.logs import quiet_parameter_loggers
from bot.skm import ELEMENTS
from storage.db import SessionMaker
from storage.identity import user_key
from storage.models import OutboxMessage, ServiceCounter, SurveyResponse, SurveyStage
from storage.models import metadata as schema
from tests.factories import Org, fixed_clock, link, seed_org
from tests.fake_telegram import ApiCall, FakeTelegramServer
from tests.harness import Fetch, PollingBot

CITIZEN_ID = 7_312_845_901  # long enough that finding it in a row cannot be a coincidence
HEAD_CHAT = 1002
SCORES = (4, 3, 4, 4, 3, 4, 4, 1, 3)  # U8 gets the lowest answer
LATE_EVENING = datetime(2026, 11, 25, 17, 30, tzinfo=UTC)


async def seed_counters(session: AsyncSession) -> Org:
    """The organisation, its division head on Telegram, a full and a quick-mode counter."""
    org = await seed_org(session)
    await link(session, org.head, HEAD_CHAT)
    session.add_all(
        [
            ServiceCounter(
                code="MUT-01",
                unit_id=org.division.id or 0,
                name="Loket 1 Mutasi",
                service="Layanan Mutasi ASN",
            ),
            ServiceCounter(
                code="MUT-Q",
                unit_id=org.division.id or 0,
                name="Loket Cepat",
                service="Legalisir SK",
                quick=True,
            ),
        ]
    )
    await session.commit()
    return org


async def test_citizen_completes_the_survey_and_the_head_is_alerted(
    session: AsyncSession,
    polling_bot: PollingBot,
    telegram: FakeTelegramServer,
    fetch: Fetch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    quiet_parameter_loggers()  # as the CLI does: SQL parameters hold Telegram ids
    caplog.set_level(logging.DEBUG)
    await seed_counters(session)
    await polling_bot.start()
    citizen = telegram.core.user(CITIZEN_ID, "Warga", language_code="id")

    citizen.send("/start c_MUT-01")
    greeting = (await citizen.reply()).text or ""
    assert "Survei kepuasan layanan" in greeting
    assert "Bidang Mutasi · Loket 1 Mutasi" in greeting and "Layanan Mutasi ASN" in greeting
    assert "1/9 · Persyaratan" in greeting
    buttons = [
        b["text"] for row in citizen.last_message()["reply_markup"]["inline_keyboard"] for b in row
    ]
    assert buttons == ["Sangat sesuai", "Sesuai", "Kurang sesuai", "Tidak sesuai"]

    first = citizen.last_message()["message_id"]
    citizen.click_button("Sangat sesuai")
    second = await citizen.reply()
    assert "2/9 · Sistem, Mekanisme, dan Prosedur" in (second.text or "")
    assert second.params["message_id"] == first
    for item, score in zip(ELEMENTS[1:], SCORES[1:], strict=True):
        citizen.click_button(item.answers_id[score - 1])
        edited = await citizen.reply()
        assert edited.method == "editMessageText" and edited.params["message_id"] == first
    assert "saran atau pengaduan" in (citizen.last_message()["text"])

    alert = await telegram.core.wait_for_call(
        "sendMessage", lambda c: c.params.get("chat_id") == HEAD_CHAT
    )
    assert "Warga memberi nilai terendah" in (alert.text or "")
    assert "Loket 1 Mutasi (Layanan Mutasi ASN), Bidang Mutasi" in (alert.text or "")
    assert "Penanganan Pengaduan, Saran dan Masukan: Tidak ada" in (alert.text or "")
    assert str(CITIZEN_ID) not in (alert.text or "") and "Warga</" not in (alert.text or "")

    citizen.send("Antrean terlalu lama, mohon tambah petugas.")
    profile = await citizen.reply()
    assert "Jenis kelamin" in (profile.text or "")
    complaint = await telegram.core.wait_for_call(
        "sendMessage",
        lambda c: c.params.get("chat_id") == HEAD_CHAT and "pengaduan" in (c.text or ""),
    )
    assert "«Antrean terlalu lama, mohon tambah petugas.»" in (complaint.text or "")

    citizen.click_button("Perempuan")
    assert "Usia" in ((await citizen.reply()).text or "")
    citizen.click_button("30–39")
    assert "Pendidikan terakhir" in ((await citizen.reply()).text or "")
    citizen.click_button("Lewati")
    assert "Pekerjaan utama" in ((await citizen.reply()).text or "")
    citizen.click_button("Lainnya")
    thanks = (await citizen.reply()).text or ""
    assert "Terima kasih! Penilaian Anda telah disimpan" in thanks and "/hapusdata" in thanks

    [response] = await fetch(select(SurveyResponse))
    assert [getattr(response, f"u{n}") for n in range(1, 10)] == list(SCORES)
    assert response.comment == "Antrean terlalu lama, mohon tambah petugas."
    assert (response.sex, response.age_band, response.education, response.occupation) == (
        "f",
        "30s",
        "",
        "other",
    )
    assert response.stage == SurveyStage.DONE and response.answered_at is not None
    key = user_key(polling_bot.settings.identity_key(), CITIZEN_ID)
    assert response.respondent_key == key
    kinds = sorted(m.kind for m in await fetch(select(OutboxMessage)))
    assert kinds == ["skm_comment", "skm_low"]

    citizen.send("/start c_MUT-01")
    again = (await citizen.reply()).text or ""
    assert "Anda sudah menilai layanan ini hari ini" in again
    assert len(await fetch(select(SurveyResponse))) == 1

    citizen.send("/lapor")
    assert "Anda belum terdaftar sebagai pegawai." in ((await citizen.reply()).text or "")

    assert await rows_mentioning(fetch, str(CITIZEN_ID)) == []
    assert str(CITIZEN_ID) not in caplog.text and "Warga" not in caplog.text


async def rows_mentioning(fetch: Fetch, needle: str) -> list[tuple[str, Any]]:
    """Every (table, row) of the database with `needle` anywhere in it."""
    found = []
    for table in schema.sorted_tables:
        for row in await fetch(text(f"SELECT * FROM {table.name}")):
            if needle in " ".join(str(value) for value in row):
                found.append((table.name, row))
    return found


def expired(call: ApiCall) -> bool:
    return "expired" in (call.text or "")


async def test_stale_forged_and_repeated_answers_change_nothing(
    session: AsyncSession,
    polling_bot: PollingBot,
    telegram: FakeTelegramServer,
    fetch: Fetch,
) -> None:
    await seed_counters(session)
    await polling_bot.start()
    citizen = telegram.core.user(CITIZEN_ID, "Warga", language_code="en")
    citizen.send("/start c_MUT-01")
    asked = await citizen.reply()
    assert "1/9 · Requirements" in (asked.text or "")
    question = citizen.last_message()
    citizen.click_button("Very suitable")
    await citizen.reply()
    [response] = await fetch(select(SurveyResponse))

    citizen.click(f"sa:{response.id}:U1:1", question)  # the first question's button, again
    stale = await telegram.core.wait_for_call("answerCallbackQuery", expired)
    assert stale.params["show_alert"] is True

    intruder = telegram.core.user(4242, "Orang Lain", language_code="en")
    intruder.send("/start")
    await intruder.reply()
    mark = len(telegram.core.calls)
    intruder.click(f"sa:{response.id}:U2:1", intruder.last_message())  # someone else's survey
    await telegram.core.wait_for_call("answerCallbackQuery", expired, start=mark)
    mark = len(telegram.core.calls)
    citizen.click(f"sa:{response.id}:U2:9")  # a score no button offers
    await telegram.core.wait_for_call("answerCallbackQuery", expired, start=mark)

    [after] = await fetch(select(SurveyResponse))
    assert (after.u1, after.u2) == (4, None) and after.stage == SurveyStage.ELEMENTS

    citizen.send("/start c_MUT-01")  # scanning again mid-survey resumes it
    resumed = await citizen.reply()
    assert "2/9 · System, mechanism and procedure" in (resumed.text or "")
    assert len(await fetch(select(SurveyResponse))) == 1

    citizen.send("/start c_NO-SUCH")
    assert "does not belong to any service counter" in ((await citizen.reply()).text or "")
    citizen.send("/start c_bad!code")
    assert "does not belong to any service counter" in ((await citizen.reply()).text or "")


async def test_quick_mode_restart_and_delete_my_data(
    session: AsyncSession,
    polling_bot: PollingBot,
    telegram: FakeTelegramServer,
    fetch: Fetch,
) -> None:
    await seed_counters(session)
    await polling_bot.start()
    citizen = telegram.core.user(CITIZEN_ID, "Warga", language_code="en")
    citizen.send("/start c_MUT-Q")
    asked = (await citizen.reply()).text or ""
    assert "One quick question" in asked and "How satisfied are you" in asked

    await polling_bot.stop()  # the bot restarts between the question and the answer
    await polling_bot.start()
    citizen.click_button("😠")
    prompt = await citizen.reply()
    assert "suggestion or a complaint" in (prompt.text or "")
    alert = await telegram.core.wait_for_call(
        "sendMessage", lambda c: c.params.get("chat_id") == HEAD_CHAT
    )
    assert "Kepuasan keseluruhan: 😠 Sangat tidak puas" in (alert.text or "")

    citizen.click_button("Skip")
    assert "Thank you! Your rating has been saved" in ((await citizen.reply()).text or "")
    [response] = await fetch(select(SurveyResponse))
    assert (response.overall, response.u1, response.comment, response.stage) == (
        1,
        None,
        None,
        SurveyStage.DONE,
    )

    citizen.send("/deletemydata")
    assert "1 service rating is no longer linked" in ((await citizen.reply()).text or "")
    [forgotten] = await fetch(select(SurveyResponse))
    assert forgotten.respondent_key is None and forgotten.overall == 1
    citizen.send("/deletemydata")
    assert "No service ratings are linked" in ((await citizen.reply()).text or "")

    citizen.send("/start c_MUT-Q")  # unlinked: the bot no longer knows this citizen rated
    assert "How satisfied are you" in ((await citizen.reply()).text or "")


async def test_the_counters_local_day_decides_one_response_per_day(
    session: AsyncSession,
    settings: Settings,
    sessionmaker: SessionMaker,
    telegram: FakeTelegramServer,
    fetch: Fetch,
) -> None:
    await seed_counters(session)
    # 17:30 UTC on 25 November is 01:30 on 26 November in Makassar (WITA), the unit's zone.
    late = PollingBot(settings, sessionmaker, telegram.core, clock=fixed_clock(LATE_EVENING))
    await late.start()
    citizen = telegram.core.user(CITIZEN_ID, "Warga", language_code="en")
    citizen.send("/start c_MUT-Q")
    await citizen.reply()
    citizen.click_button("😀")
    await citizen.reply()
    citizen.click_button("Skip")
    await citizen.reply()
    citizen.send("/start c_MUT-Q")
    assert "already rated this service today" in ((await citizen.reply()).text or "")
    await late.stop()
    [response] = await fetch(select(SurveyResponse))
    assert response.local_date == date(2026, 11, 26)


async def add_answered(
    session: AsyncSession, counter: ServiceCounter, scores: tuple[int, ...], day: date
) -> None:
    """A finished response of an anonymous citizen."""
    values = {f"u{number}": score for number, score in enumerate(scores, start=1)}
    session.add(
        SurveyResponse(
            counter_id=counter.id or 0,
            unit_id=counter.unit_id,
            respondent_key=None,
            local_date=day,
            stage=SurveyStage.DONE,
            answered_at=LATE_EVENING,
            **values,
        )
    )


async def test_unit_head_sees_the_index_and_gets_the_spreadsheet(
    session: AsyncSession,
    polling_bot: PollingBot,
    telegram: FakeTelegramServer,
    fetch: Fetch,
) -> None:
    org = await seed_counters(session)
    await link(session, org.staff, 1001)
    [counter] = await fetch(select(ServiceCounter).where(ServiceCounter.code == "MUT-01"))
    await add_answered(session, counter, (4,) * 9, date(2026, 10, 1))
    await add_answered(session, counter, (3, 3, 3, 3, 3, 3, 3, 1, 3), date(2026, 11, 24))
    await add_answered(session, counter, (1,) * 9, date(2026, 9, 30))  # last quarter
    await session.commit()
    await polling_bot.start()

    head = telegram.core.user(HEAD_CHAT, "Siti", language_code="id")
    head.send("/ikm")
    shown = (await head.reply()).text or ""
    # Totals 7 per element but U8 5 over 2 respondents: NRR 3.5 and 2.5; IKM = 30.5 / 9
    # = 3.3888..., converted x25 = 84.7222... -> 84,72, grade B (Baik).
    assert "Indeks kepuasan masyarakat</b> · Bidang Mutasi" in shown
    assert "IKM <b>84,72</b> · B (Baik) · 2 responden, 278 dibutuhkan" in shown
    elements = shown.split("terendah dulu")[1]
    assert elements.index("U8 Penanganan Pengaduan, Saran dan Masukan: 2,50") < elements.index(
        "U1 Persyaratan: 3,50"
    )
    assert "Loket Cepat (Legalisir SK)" in shown and "mode cepat: belum ada penilaian" in shown

    head.click_button("Lembar kerja")
    document = await telegram.core.wait_for_call("sendDocument")
    assert document.params["chat_id"] == HEAD_CHAT
    workbook = load_workbook(BytesIO(document.files["document"]), read_only=True)
    values = [cell for row in workbook.worksheets[0].iter_rows(values_only=True) for cell in row]
    assert values.count(4) >= 9 and "Baik" in values  # the two respondents and the grade
    assert str(CITIZEN_ID) not in " ".join(str(value) for value in values)

    staff = telegram.core.user(1001, "Budi", language_code="id")
    staff.send("/ikm")
    assert "Hanya kepala unit dan admin" in ((await staff.reply()).text or "")
    citizen = telegram.core.user(CITIZEN_ID, "Warga", language_code="id")
    citizen.send("/ikm")
    assert "Anda belum terdaftar sebagai pegawai." in ((await citizen.reply()).text or "")
