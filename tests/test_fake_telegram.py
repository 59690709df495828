"""Tests of the fake Telegram Bot API, driven by a real aiogram Bot."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
import warnings
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)

from tests.fake_telegram import (
    BOT_ID,
    TOKEN,
    FakeTelegram,
    FakeTelegramServer,
    RecordingSession,
)

pytestmark = pytest.mark.asyncio

KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[
        [
            InlineKeyboardButton(text="Setuju", callback_data="vote:yes"),
            InlineKeyboardButton(text="Tolak", callback_data="vote:no"),
        ]
    ]
)
KEYBOARD_JSON = {
    "inline_keyboard": [
        [
            {"text": "Setuju", "callback_data": "vote:yes"},
            {"text": "Tolak", "callback_data": "vote:no"},
        ]
    ]
}


def http_bot(server: FakeTelegramServer, token: str = TOKEN) -> Bot:
    return Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(server.url)))


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as server:
        yield server


@pytest_asyncio.fixture
async def bot(server: FakeTelegramServer) -> AsyncIterator[Bot]:
    bot = http_bot(server)
    yield bot
    await bot.session.close()


async def test_get_me(bot: Bot, server: FakeTelegramServer) -> None:
    me = await bot.get_me()

    assert (me.id, me.is_bot, me.username) == (BOT_ID, True, "kinerja_test_bot")
    [call] = server.core.calls_of("getme")
    assert (call.method, call.status, call.result["id"]) == ("getMe", 200, BOT_ID)


async def test_send_message_is_recorded_with_decoded_params(
    bot: Bot, server: FakeTelegramServer
) -> None:
    message = await bot.send_message(42, "Halo <b>Budi</b>", reply_markup=KEYBOARD)
    number = await bot.send_message(42, "123")

    assert (message.message_id, message.chat.id, message.from_user.id) == (1, 42, BOT_ID)
    assert message.reply_markup.model_dump(exclude_none=True) == KEYBOARD_JSON
    first, second = server.core.calls_of("sendMessage")
    assert first.params["chat_id"] == 42
    assert first.params["reply_markup"] == KEYBOARD_JSON
    assert first.result["message_id"] == 1
    assert second.params["text"] == "123"  # free text is never JSON-decoded
    assert number.message_id == 2
    assert [m["text"] for m in server.core.chat_messages(42)] == ["Halo <b>Budi</b>", "123"]


async def test_send_message_validation(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(1, "")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(1, "x" * 4097)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message("@nobody", "hi")


async def test_edit_message_text(bot: Bot, server: FakeTelegramServer) -> None:
    sent = await bot.send_message(7, "Draf", reply_markup=KEYBOARD)

    edited = await bot.edit_message_text("Final", chat_id=7, message_id=sent.message_id)

    assert isinstance(edited, Message)
    assert (edited.message_id, edited.text, edited.reply_markup) == (sent.message_id, "Final", None)
    [stored] = server.core.chat_messages(7)
    assert stored["text"] == "Final" and "reply_markup" not in stored
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Final", chat_id=7, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("Final", chat_id=7, message_id=99)
    assert [call.status for call in server.core.calls_of("editMessageText")] == [200, 400, 400]


async def test_send_photo_upload_is_recorded_and_downloadable(
    bot: Bot, server: FakeTelegramServer
) -> None:
    content = b"\x89PNG fake chart"

    message = await bot.send_photo(
        5, BufferedInputFile(content, filename="chart.png"), caption="Grafik"
    )

    [call] = server.core.calls_of("sendPhoto")
    assert call.files == {"photo": content}
    assert message.caption == "Grafik"
    assert message.photo[-1].file_size == len(content)
    file = await bot.get_file(message.photo[-1].file_id)
    assert file.file_path == f"photos/{message.photo[-1].file_id}.jpg"
    downloaded = await bot.download_file(file.file_path)
    assert downloaded.read() == content


async def test_user_media_messages(bot: Bot, server: FakeTelegramServer) -> None:
    user = server.core.user(100, username="budi")
    user.send_photo(caption="bukti", file_unique_id="same-photo")
    user.send_document("laporan.xlsx")

    photo, document = [update.message for update in await bot.get_updates()]

    assert photo.caption == "bukti" and photo.photo[-1].file_unique_id == "same-photo"
    assert photo.from_user.username == "budi" and photo.chat.username == "budi"
    assert document.document.file_name == "laporan.xlsx"
    assert document.message_id == photo.message_id + 1


async def test_long_poll_returns_update_pushed_while_waiting(
    bot: Bot, server: FakeTelegramServer
) -> None:
    user = server.core.user(100)
    started = time.monotonic()
    polling = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.3)
    assert not polling.done()

    update_id = user.send("/start kode")

    [update] = await asyncio.wait_for(polling, 3)
    assert time.monotonic() - started < 3
    assert update.update_id == update_id
    assert update.message.text == "/start kode"
    assert update.message.entities[0].type == "bot_command"
    assert update.message.entities[0].length == len("/start")
    assert server.core.calls_of("getUpdates")[0].params["timeout"] == 10


async def test_offset_confirmation_drops_old_updates(bot: Bot, server: FakeTelegramServer) -> None:
    user = server.core.user(100)
    first, second = user.send("satu"), user.send("dua")

    assert [u.update_id for u in await bot.get_updates()] == [first, second]
    assert [u.update_id for u in await bot.get_updates(offset=second)] == [second]
    assert server.core.confirmed_offset == second
    assert [u["update_id"] for u in server.core.pending_updates] == [second]
    assert await bot.get_updates(offset=second + 1) == []
    assert server.core.pending_updates == []


async def test_pushed_duplicate_update_id_is_delivered_again(
    bot: Bot, server: FakeTelegramServer
) -> None:
    update_id = server.core.user(100).send("lapor")
    original = server.core.pending_updates[0]
    assert [u.update_id for u in await bot.get_updates()] == [update_id]
    assert await bot.get_updates(offset=update_id + 1) == []

    assert server.core.push_update({"message": original["message"]}, update_id=update_id) == (
        update_id
    )

    [again] = await bot.get_updates(offset=update_id + 1)
    assert (again.update_id, again.message.text) == (update_id, "lapor")
    assert await bot.get_updates(offset=update_id + 1) == []


async def test_retry_after_then_success(bot: Bot, server: FakeTelegramServer) -> None:
    server.core.fail("sendMessage", status=429, retry_after=1)

    with pytest.raises(TelegramRetryAfter) as error:
        await bot.send_message(1, "hai")
    assert error.value.retry_after == 1

    assert (await bot.send_message(1, "hai")).text == "hai"
    failed, succeeded = server.core.calls_of("sendMessage")
    assert (failed.status, failed.result) == (429, None)
    assert succeeded.status == 200


async def test_forbidden_error(bot: Bot, server: FakeTelegramServer) -> None:
    server.core.fail("*", status=403)

    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(1, "hai")
    assert await bot.get_updates() == []  # "*" never fails getUpdates


async def test_wrong_token_is_unauthorized(server: FakeTelegramServer) -> None:
    bot = http_bot(server, token="999:wrong-token")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await bot.get_me()
    finally:
        await bot.session.close()
    assert server.core.calls[-1].status == 401


async def test_raw_http_requests(server: FakeTelegramServer) -> None:
    api = f"{server.url}/bot{TOKEN}"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{api}/noSuchMethod") as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        async with http.post(
            f"{api}/sendMessage", data="{broken", headers={"Content-Type": "application/json"}
        ) as response:
            assert response.status == 400
            assert (await response.json())["ok"] is False
        async with http.post(f"{api}/sendMessage", json={"chat_id": 5, "text": "json"}) as response:
            assert (await response.json())["result"]["text"] == "json"
        async with http.get(f"{api}/getMe", params={"unused": "1"}) as response:
            assert (await response.json())["result"]["id"] == BOT_ID
        async with http.get(f"{server.url}/file/bot{TOKEN}/photos/x.jpg") as response:
            assert response.status == 200 and await response.read()
        async with http.get(f"{server.url}/elsewhere") as response:
            assert response.status == 404


async def test_click_button_sends_callback_query_with_message(
    bot: Bot, server: FakeTelegramServer
) -> None:
    user = server.core.user(200)
    sent = await bot.send_message(200, "Setuju?", reply_markup=KEYBOARD)

    update_id = user.click_button("Tolak")

    [update] = await bot.get_updates()
    query = update.callback_query
    assert update.update_id == update_id
    assert (query.data, query.from_user.id) == ("vote:no", 200)
    assert query.message.message_id == sent.message_id
    assert query.message.reply_markup.model_dump(exclude_none=True) == KEYBOARD_JSON
    assert await bot.answer_callback_query(query.id, text="Tercatat")
    with pytest.raises(AssertionError, match="no inline button"):
        user.click_button("Batal")


async def test_commands_per_scope(bot: Bot) -> None:
    scope = BotCommandScopeChat(chat_id=5)
    await bot.set_my_commands([BotCommand(command="start", description="Mulai")])
    await bot.set_my_commands([BotCommand(command="rekap", description="Rekap")], scope=scope)

    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    assert [c.command for c in await bot.get_my_commands(scope=scope)] == ["rekap"]
    assert await bot.get_my_commands(language_code="en") == []


async def test_reply_timeout_dumps_recent_calls(bot: Bot, server: FakeTelegramServer) -> None:
    user = server.core.user(100)
    await bot.send_message(999, "to someone else")
    user.send("halo")

    with pytest.raises(AssertionError, match=r"(?s)a reply to user 100.*sendMessage -> 200"):
        await user.reply(timeout=0.1, start=0)


async def test_close_releases_long_poll(bot: Bot, server: FakeTelegramServer) -> None:
    polling = asyncio.create_task(bot.get_updates(timeout=30))
    await asyncio.sleep(0.3)
    started = time.monotonic()

    await server.close()

    assert await asyncio.wait_for(polling, 5) == []
    assert time.monotonic() - started < 2


async def test_recording_session_send_message() -> None:
    core = FakeTelegram()
    bot = Bot(TOKEN, session=RecordingSession(core))

    message = await bot.send_message(9, "hai", reply_markup=KEYBOARD)
    await bot.send_document(9, BufferedInputFile(b"%PDF", filename="rekap.pdf"))
    core.fail("sendMessage", status=429, retry_after=2)
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(9, "lagi")

    assert isinstance(message, Message) and message.text == "hai"
    send, document, failed = core.calls
    assert send.params == {"chat_id": 9, "text": "hai", "reply_markup": KEYBOARD_JSON}
    assert document.files == {"document": b"%PDF"}
    assert document.result["document"]["file_name"] == "rekap.pdf"
    assert failed.status == 429
    await bot.session.close()


async def test_recording_session_feed_update() -> None:
    core = FakeTelegram()
    bot = Bot(TOKEN, session=RecordingSession(core))
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(f"Selamat datang, {message.from_user.first_name}!")

    user = core.user(77, first_name="Siti")
    user.send("/start")
    update = Update.model_validate(core.pending_updates[-1], context={"bot": bot})
    await dp.feed_update(bot, update)

    assert (await user.reply()).text == "Selamat datang, Siti!"
    assert user.last_message()["text"] == "Selamat datang, Siti!"


async def test_dispatcher_polling_echo(
    server: FakeTelegramServer, caplog: pytest.LogCaptureFixture
) -> None:
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    bot = http_bot(server)
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=1))
    user = server.core.user(300)

    user.send("hi")
    reply = await user.reply()
    user.send("lagi")
    second = await user.reply()

    assert (reply.params["chat_id"], reply.text) == (300, "hi")
    assert second.text == "lagi"
    await dp.stop_polling()
    await asyncio.wait_for(polling, 5)
    await server.close()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gc.collect()
    assert not [w for w in caught if "nclosed" in str(w.message)]
    problems = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not problems, [r.getMessage() for r in problems]
