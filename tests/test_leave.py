"""/cuti: dates validated, leave stored, listed and cancelled."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from storage.db import SessionMaker
from storage.models import Leave
from tests.factories import fixed_clock, link, seed_org
from tests.fake_telegram import FakeTelegramServer
from tests.harness import FedBot, Fetch

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


async def test_leave_dates_are_checked_stored_listed_and_cancelled(
    session: AsyncSession,
    settings: Settings,
    sessionmaker: SessionMaker,
    telegram: FakeTelegramServer,
    fetch: Fetch,
) -> None:
    org = await seed_org(session)
    await link(session, org.staff, 1001, "id")
    fed = FedBot(settings, sessionmaker, telegram.core, clock=fixed_clock(NOW))
    staff = telegram.core.user(1001, "Budi", language_code="id")

    async def say(text: str) -> str:
        await fed.deliver(staff.send(text))
        return (await staff.reply()).text or ""

    try:
        assert await say("/cuti 2026-12-31 2026-12-21") == (
            "Tanggal akhir cuti sebelum tanggal mulainya."
        )
        assert await say("/cuti 31-02-2026 2026-03-01") == (
            "Tulis tanggal sebagai YYYY-MM-DD atau DD-MM-YYYY."
        )
        assert (await say("/cuti 2026-12-01 2027-06-01")).startswith("Cuti paling lama 90 hari")
        assert await say("/cuti 2026-11-02 2026-11-06") == "Cuti itu sudah lewat."
        saved = await say("/cuti 21-12-2026 2026-12-31")
        assert saved == (
            "Cuti tersimpan: tidak ada pengingat harian dari Senin, 21 Desember 2026 "
            "sampai Kamis, 31 Desember 2026."
        )
        assert await fetch(select(Leave.first_day, Leave.last_day)) == [
            (date(2026, 12, 21), date(2026, 12, 31))
        ]
        listing = await say("/cuti")
        assert "• Senin, 21 Desember 2026 – Kamis, 31 Desember 2026" in listing
        assert await say("/cuti hapus") == "Cuti yang akan datang dibatalkan: 1."
        assert await fetch(select(Leave.id)) == []
    finally:
        await fed.close()
