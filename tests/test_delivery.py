"""Updates are never dropped nor handled twice; Telegram's errors don't lose a reply."""

from __future__ import annotations

import pytest
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Employee, ProcessedUpdate, UserPreference
from tests.factories import STAFF_NIP, invite_codes, seed_org
from tests.fake_telegram import FakeTelegramServer
from tests.harness import FedBot, Fetch, PollingBot


async def test_message_sent_while_stopped_is_answered_after_start(
    polling_bot: PollingBot, telegram: FakeTelegramServer
) -> None:
    user = telegram.core.user(3001, "Rina", language_code="id")
    user.send("/bantuan")  # the bot is not running yet
    await polling_bot.start()
    assert "<b>Yang dapat Anda lakukan</b>" in (await user.reply()).text


async def test_update_redelivered_across_restart_is_handled_once(
    session: AsyncSession, polling_bot: PollingBot, telegram: FakeTelegramServer, fetch: Fetch
) -> None:
    await seed_org(session)
    codes = await invite_codes(session)
    staff = telegram.core.user(1001, "Budi", language_code="id")
    await polling_bot.start()
    join = staff.send(f"/start {codes[STAFF_NIP]}")
    delivered = next(u for u in telegram.core.pending_updates if u["update_id"] == join)
    assert "Akun Telegram Anda kini terhubung" in (await staff.reply()).text
    await polling_bot.stop()

    # Telegram never got the confirmation (the process died): it delivers the update again.
    telegram.core.push_update({"message": delivered["message"]}, update_id=join)
    await polling_bot.start()
    staff.send("/bantuan")
    assert "<b>Yang dapat Anda lakukan</b>" in (await staff.reply()).text

    replies = [c for c in telegram.core.calls_of("sendMessage") if c.params["chat_id"] == 1001]
    assert len(replies) == 2  # the greeting once, then the help
    assert await fetch(select(Employee.telegram_id).where(Employee.nip == STAFF_NIP)) == [1001]
    assert join in await fetch(select(ProcessedUpdate.update_id))


async def test_duplicate_update_fed_twice_answers_once(
    session: AsyncSession, fed_bot: FedBot, telegram: FakeTelegramServer, fetch: Fetch
) -> None:
    user = telegram.core.user(3002, "Rina", language_code="en")
    update_id = user.send("/language")
    await fed_bot.deliver(update_id)
    await fed_bot.deliver(update_id)
    assert len(telegram.core.calls_of("sendMessage")) == 1
    assert await fetch(select(func.count()).select_from(ProcessedUpdate)) == [1]


async def test_language_of_unregistered_user_is_saved_under_a_hash(
    fed_bot: FedBot, telegram: FakeTelegramServer, fetch: Fetch
) -> None:
    user = telegram.core.user(3003, "Rina", language_code="id")
    await fed_bot.deliver(user.send("/bahasa"))
    await fed_bot.deliver(user.click_button("English"))
    await fed_bot.deliver(user.send("/start"))
    assert (await user.reply()).text.startswith("Welcome to Kinerja")
    rows = await fetch(select(UserPreference))
    assert [row.language for row in rows] == ["en"]
    assert "3003" not in rows[0].user_key and len(rows[0].user_key) == 64


async def test_flood_wait_is_honoured_and_the_reply_arrives(
    polling_bot: PollingBot, telegram: FakeTelegramServer
) -> None:
    await polling_bot.start()
    telegram.core.fail("sendMessage", status=429, retry_after=1, times=1)
    telegram.core.fail("sendMessage", status=502, times=1, description="Bad Gateway")
    user = telegram.core.user(3004, "Rina", language_code="en")
    user.send("/help")
    reply = await user.reply(timeout=10)
    assert "<b>What you can do</b>" in reply.text
    statuses = [c.status for c in telegram.core.calls_of("sendMessage")]
    assert statuses == [429, 502, 200]


async def test_handler_failure_gets_an_apology_and_nothing_is_saved(
    session: AsyncSession,
    fed_bot: FedBot,
    telegram: FakeTelegramServer,
    fetch: Fetch,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await seed_org(session)
    codes = await invite_codes(session)

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr("handlers.start.load_actor", broken)
    user = telegram.core.user(1001, "Budi", language_code="id")
    await fed_bot.deliver(user.send(f"/start {codes[STAFF_NIP]}"))
    assert "terjadi kesalahan" in (await user.reply()).text
    assert await fetch(select(Employee.telegram_id).where(Employee.nip == STAFF_NIP)) == [None]
    assert await fetch(select(func.count()).select_from(ProcessedUpdate)) == [0]


async def test_an_employee_who_blocked_the_bot_is_reachable_again_when_writing(
    session: AsyncSession, fed_bot: FedBot, telegram: FakeTelegramServer, fetch: Fetch
) -> None:
    org = await seed_org(session)
    org.staff.telegram_id, org.staff.reachable = 1001, False
    session.add(org.staff)
    await session.commit()
    user = telegram.core.user(1001, "Budi", language_code="id")
    await fed_bot.deliver(user.send("/bantuan"))
    assert "Yang dapat Anda lakukan" in (await user.reply()).text
    assert await fetch(select(Employee.reachable).where(Employee.nip == STAFF_NIP)) == [True]
