"""A fake Telegram Bot API for tests.

``FakeTelegram`` is the state: queued updates, chats with the messages in them, recorded calls
and injected failures. ``FakeTelegramServer`` serves it over HTTP on 127.0.0.1 for end-to-end
tests; ``RecordingSession`` is an aiogram session answering from it in-process for fast
``Dispatcher.feed_update`` tests. Both go through ``FakeTelegram.handle_async``, so they behave
the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import html
import json
import mimetypes
import re
import time
from collections import deque
from collections.abc import AsyncGenerator, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import count
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Self, cast

from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods.base import TelegramType
from aiogram.utils.token import extract_bot_id
from aiohttp import BodyPartReader, web

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import TelegramMethod
    from aiogram.types import InputFile

TOKEN = "123456:TEST-token_abcdefghijklmnopqrstuvwxyz"
BOT_ID = 123456

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_POLL_TIMEOUT = 30
MAX_UPLOAD_SIZE = 50 * 1024 * 1024
#: Methods that count as the bot answering a user (see ``FakeUser.reply``).
REPLY_METHODS = frozenset({"sendmessage", "editmessagetext", "sendphoto", "senddocument"})

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
_DEFAULT_FAILURE = "Internal Server Error"
_FAILURE_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request",
}
# Parameters whose form-encoded value is JSON; everything else (text, caption, data...) stays str.
_JSON_PARAMS = frozenset(
    {
        "allow_sending_without_reply",
        "allowed_updates",
        "cache_time",
        "caption_entities",
        "chat_id",
        "commands",
        "disable_notification",
        "disable_web_page_preview",
        "drop_pending_updates",
        "entities",
        "from_chat_id",
        "has_spoiler",
        "is_personal",
        "limit",
        "link_preview_options",
        "max_connections",
        "media",
        "message_id",
        "message_ids",
        "message_thread_id",
        "offset",
        "protect_content",
        "reply_markup",
        "reply_parameters",
        "reply_to_message_id",
        "scope",
        "show_alert",
        "show_caption_above_media",
        "timeout",
        "user_id",
    }
)
_MESSAGE_CONTENT = ("text", "entities", "photo", "document", "caption", "caption_entities")
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")

Params = dict[str, Any]
Uploads = dict[str, tuple[str, bytes]]  # field name -> (file name, content)


@dataclass
class ApiCall:
    """One request the fake answered."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(repr=False)
    at: float
    result: Any
    status: int

    @property
    def text(self) -> str | None:
        """The ``text`` (or ``caption``) sent, if any."""
        value = self.params.get("text", self.params.get("caption"))
        return value if isinstance(value, str) else None


class _ApiError(Exception):
    """An error answer: raised by method handlers, turned into ``{"ok": false, ...}``."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def answer(self) -> dict[str, Any]:
        answer = error_answer(self.status, self.description)
        if self.retry_after is not None:
            answer["parameters"] = {"retry_after": self.retry_after}
        return answer


def error_answer(status: int, description: str) -> dict[str, Any]:
    """The Bot API's JSON body for an error."""
    return {"ok": False, "error_code": status, "description": description}


def _bad_request(detail: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {detail}")


def decode_params(params: Mapping[str, Any]) -> Params:
    """JSON-decode the string values of structured parameters (idempotent)."""
    decoded = dict(params)
    for key, value in params.items():
        if key in _JSON_PARAMS and isinstance(value, str):
            with contextlib.suppress(ValueError):
                decoded[key] = json.loads(value)
    return decoded


def _int_param(params: Params, key: str, default: int) -> int:
    value = params.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad_request(f'field "{key}" must be an integer')
    return value


def _visible_text(text: str, parse_mode: Any) -> str:
    """The text a user would see (HTML tags removed) for length and emptiness checks."""
    if isinstance(parse_mode, str) and parse_mode.lower() == "html":
        return html.unescape(re.sub(r"<[^>]*>", "", text))
    return text


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe(index: int, call: ApiCall) -> str:
    params = ", ".join(f"{key}={_short(value)}" for key, value in call.params.items())
    files = f" files={sorted(call.files)}" if call.files else ""
    return f"  #{index} {call.method} -> {call.status}: {params}{files}"


def _resolve_uploads(params: Params, files: Uploads) -> Uploads:
    """Key uploaded files by the parameter referencing them (``photo="attach://x"`` -> "photo",
    ``media[i].media`` -> "media.i"); parts nobody references keep their own name."""
    references = [(key, value) for key, value in params.items() if key != "media"]
    media = params.get("media")
    if isinstance(media, list):
        references += [
            (f"media.{index}", item.get("media"))
            for index, item in enumerate(media)
            if isinstance(item, dict)
        ]
    resolved: Uploads = {}
    used: set[str] = set()
    for key, value in references:
        if isinstance(value, str) and value.startswith("attach://"):
            name = value.removeprefix("attach://")
            if name not in files:
                raise _bad_request(f"file {name!r} referenced by {key} was not uploaded")
            resolved[key] = files[name]
            used.add(name)
    for name, upload in files.items():
        if name not in used:
            resolved.setdefault(name, upload)
    return resolved


def _buttons(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button for row in rows for button in row]


def _find_button(message: Mapping[str, Any], text: str) -> dict[str, Any] | None:
    """The inline button whose text equals ``text``, else the first one containing it."""
    buttons = _buttons(message)
    exact = [button for button in buttons if button["text"] == text]
    return next(iter(exact or [button for button in buttons if text in button["text"]]), None)


class _Notifier:
    """Wakes every coroutine waiting in ``wait`` when ``notify`` is called."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    async def wait(self, seconds: float) -> None:
        """Return on the next ``notify`` or after ``seconds``."""
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait({waiter}, timeout=seconds)
        finally:
            self._waiters.discard(waiter)

    def notify(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)


@dataclass
class _QueuedUpdate:
    update: dict[str, Any]
    redelivery: bool  # pushed with an already used id: delivered once whatever the offset
    delivered: bool = False

    @property
    def update_id(self) -> int:
        return cast(int, self.update["update_id"])

    @property
    def kind(self) -> str:
        return next((key for key in self.update if key != "update_id"), "")

    def deliverable(self, offset: int) -> bool:
        return self.update_id >= offset or (self.redelivery and not self.delivered)


@dataclass
class _Chat:
    info: dict[str, Any]
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)  # user and bot messages
    last_message_id: int = 0


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_name: str | None = None


@dataclass
class _Failure:
    method: str  # lower-case method name or "*"
    remaining: int
    error: _ApiError

    def matches(self, method: str) -> bool:
        method = method.lower()
        return self.method == method or (self.method == "*" and method != "getupdates")


def _fits(window: deque[float], per_second: float, now: float) -> bool:
    """Whether one more call at ``now`` keeps ``window`` (call times) within ``per_second``.

    Calls are counted over the last second, or over ``1 / per_second`` seconds when slower
    than one a second; the times that fell out of the window are dropped.
    """
    span = max(1.0, 1.0 / per_second)
    while window and window[0] <= now - span:
        window.popleft()
    return len(window) + 1 <= per_second * span


@dataclass
class _RateLimit:
    """Telegram's flood control: calls over the budget are answered 429 and not counted."""

    per_second: float
    per_chat_per_second: float | None
    retry_after: int
    recent: deque[float] = field(default_factory=deque)
    recent_by_chat: dict[Any, deque[float]] = field(default_factory=dict)

    def admit(self, params: Params, now: float) -> bool:
        """Count this call if it fits both budgets."""
        chat_calls = None
        if self.per_chat_per_second is not None and params.get("chat_id") is not None:
            chat_calls = self.recent_by_chat.setdefault(params["chat_id"], deque())
            if not _fits(chat_calls, self.per_chat_per_second, now):
                return False
        if not _fits(self.recent, self.per_second, now):
            return False
        self.recent.append(now)
        if chat_calls is not None:
            chat_calls.append(now)
        return True

    def error(self) -> _ApiError:
        return _ApiError(
            429, f"Too Many Requests: retry after {self.retry_after}", self.retry_after
        )


class FakeTelegram:
    """Core state of the fake Bot API: updates queue, sent messages, recorded calls, failure
    injection."""

    def __init__(self, token: str = TOKEN, bot_username: str = "kinerja_test_bot") -> None:
        self.token = token
        self.bot_user: dict[str, Any] = {
            "id": extract_bot_id(token),
            "is_bot": True,
            "first_name": "Kinerja",
            "username": bot_username,
        }
        self.calls: list[ApiCall] = []
        self.confirmed_offset = 0
        self.allowed_updates: list[str] | None = None  # as last given to getUpdates
        self.webhook_url = ""
        self._queue: list[_QueuedUpdate] = []
        self._last_update_id = 0
        self._chats: dict[int, _Chat] = {}
        self._files: dict[str, _StoredFile] = {}
        self._commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self._callback_query_ids: set[str] = set()
        self._failures: list[_Failure] = []
        self._rate_limit: _RateLimit | None = None
        self._ids = count(1)
        self._release_epoch = 0
        self._updates_changed = _Notifier()
        self._calls_changed = _Notifier()
        self._methods: dict[str, Callable[[Params, Uploads], Any]] = {
            name.lower(): handler
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "logOut": self._accept,
                "close": self._accept,
                "setMyDescription": self._accept,
                "setMyShortDescription": self._accept,
                "setChatMenuButton": self._accept,
                "sendMessage": self._send_message,
                "sendPhoto": self._send_photo,
                "sendDocument": self._send_document,
                "sendMediaGroup": self._send_media_group,
                "copyMessage": self._copy_message,
                "editMessageText": self._edit_message_text,
                "editMessageCaption": self._edit_message_caption,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_callback_query,
                "sendChatAction": self._send_chat_action,
                "setMyCommands": self._set_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "getMyCommands": self._get_my_commands,
                "getFile": self._get_file,
            }.items()
        }

    # --- answering calls ---

    def handle(
        self, method: str, params: Mapping[str, Any], files: Uploads, *, token: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        """Answer one API call -> (http_status, response_json); getUpdates never waits here.

        ``params`` may be form-encoded strings (decoded here) or already decoded values;
        ``files`` maps multipart part names to (file name, content). A ``token`` other than
        this bot's answers 401.
        """
        return self._answer(method, decode_params(params), files, token, time.monotonic())

    async def handle_async(
        self,
        method: str,
        params: Mapping[str, Any],
        files: Uploads,
        *,
        token: str | None = None,
        max_wait: float | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """Like ``handle``, but getUpdates long-polls for up to its ``timeout`` (capped at
        ``MAX_POLL_TIMEOUT`` and ``max_wait``) while there is nothing to deliver."""
        received = time.monotonic()
        decoded = decode_params(params)
        wait = self._long_poll_seconds(method, decoded, token)
        if max_wait is not None:
            wait = min(wait, max_wait)
        if wait > 0:
            await self._wait_for_updates(decoded, wait)
        return self._answer(method, decoded, files, token, received)

    def release_waiters(self) -> None:
        """End every pending getUpdates long poll now (with whatever is queued)."""
        self._release_epoch += 1
        self._updates_changed.notify()

    def _answer(
        self, method: str, params: Params, files: Uploads, token: str | None, received: float
    ) -> tuple[int, dict[str, Any]]:
        uploads: Uploads = {}
        result: Any = None
        try:
            uploads = _resolve_uploads(params, files)
            result = self._execute(method, params, uploads, token, received)
            status, answer = 200, {"ok": True, "result": result}
        except _ApiError as error:
            status, answer = error.status, error.answer()
        except Exception as error:  # malformed input must never crash the fake
            status, answer = 400, error_answer(400, f"Bad Request: {type(error).__name__}: {error}")
        files_by_field = {key: content for key, (_, content) in uploads.items()}
        call = ApiCall(method, params, files_by_field, received, copy.deepcopy(result), status)
        self.calls.append(call)
        self._calls_changed.notify()
        return status, answer

    def _execute(
        self, method: str, params: Params, uploads: Uploads, token: str | None, received: float
    ) -> Any:
        if token is not None and token != self.token:
            raise _ApiError(401, "Unauthorized")
        handler = self._methods.get(method.lower())
        if handler is None:
            raise _ApiError(404, "Not Found: method not found")
        failure = self._take_failure(method)
        if failure is not None:
            raise failure
        limit = self._rate_limit
        if (
            limit is not None
            and method.lower() != "getupdates"
            and not limit.admit(params, received)
        ):
            raise limit.error()
        return handler(params, uploads)

    # --- acting as users ---

    def user(
        self,
        user_id: int,
        first_name: str = "Budi",
        language_code: str | None = "id",
        username: str | None = None,
    ) -> FakeUser:
        """A user talking to the bot in a private chat (chat id == user id)."""
        user = FakeUser(self, user_id, first_name, language_code, username)
        self._chat(user_id).info = user.chat_dict()
        return user

    def push_update(self, payload: dict[str, Any], update_id: int | None = None) -> int:
        """Queue an update (``{"message": {...}}``, ``{"callback_query": {...}}``...).

        Without ``update_id`` the next id is assigned. An already used id simulates Telegram
        re-delivering that update: it is delivered once more even if the bot confirmed it.
        """
        redelivery = update_id is not None and update_id <= self._last_update_id
        if update_id is None:
            update_id = self._last_update_id + 1
        self._last_update_id = max(self._last_update_id, update_id)
        body = {key: value for key, value in copy.deepcopy(payload).items() if key != "update_id"}
        self._queue.append(_QueuedUpdate({"update_id": update_id, **body}, redelivery))
        self._updates_changed.notify()
        return update_id

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not dropped yet by an offset confirmation, in push order."""
        return [queued.update for queued in self._queue]

    def _receive(self, user: FakeUser, content: dict[str, Any]) -> int:
        """Store a message from ``user`` in their chat and queue it as an update."""
        message = self._store(self._chat(user.id), user.as_dict(), content)
        return self.push_update({"message": message})

    def _press(self, user: FakeUser, data: str, message: Mapping[str, Any]) -> int:
        """Queue a callback_query for pressing a button with ``data`` on ``message``."""
        chat = self._chats.get(message.get("chat", {}).get("id", user.id))
        current = chat.messages.get(message.get("message_id", 0), message) if chat else message
        query_id = str(next(self._ids))
        self._callback_query_ids.add(query_id)
        query = {
            "id": query_id,
            "from": user.as_dict(),
            "chat_instance": f"ci-{user.id}",
            "data": data,
            "message": current,
        }
        return self.push_update({"callback_query": query})

    # --- failure injection ---

    def fail(
        self,
        method: str,
        *,
        status: int = 500,
        times: int = 1,
        retry_after: int | None = None,
        description: str = _DEFAULT_FAILURE,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (case-insensitive; "*" = any method
        except getUpdates) with an error. 429 says "retry after N" (N = ``retry_after`` or 1);
        403 and other 4xx get Telegram's usual text unless ``description`` is given."""
        if status == 429:
            retry_after = 1 if retry_after is None else retry_after
            if description == _DEFAULT_FAILURE:
                description = f"Too Many Requests: retry after {retry_after}"
        elif status < 500 and description == _DEFAULT_FAILURE:
            description = _FAILURE_DESCRIPTIONS.get(status, f"Error {status}")
        error = _ApiError(status, description, retry_after)
        self._failures.append(_Failure(method.lower(), times, error))

    def limit_rate(
        self,
        per_second: float,
        per_chat_per_second: float | None = None,
        retry_after: int = 1,
    ) -> None:
        """Flood control: calls (any method except getUpdates) beyond ``per_second`` over the
        last second, or beyond ``per_chat_per_second`` to one ``chat_id``, are answered 429
        "retry after ``retry_after``". Refused calls do not count against the budget."""
        self._rate_limit = _RateLimit(per_second, per_chat_per_second, retry_after)

    def _take_failure(self, method: str) -> _ApiError | None:
        for failure in self._failures:
            if failure.matches(method):
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
                return failure.error
        return None

    # --- inspection ---

    def calls_of(self, method: str) -> list[ApiCall]:
        """Recorded calls of ``method`` (case-insensitive), oldest first."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the documented test API
        start: int = 0,
    ) -> ApiCall:
        """Wait for a call of ``method`` ("*" = any) at index >= ``start`` matching
        ``predicate``; AssertionError with a dump of recent calls on timeout."""
        return (await self._next_call(method, predicate, seconds=timeout, start=start))[1]

    async def _next_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None,
        *,
        seconds: float,
        start: int,
        what: str | None = None,
    ) -> tuple[int, ApiCall]:
        """(index, call) of the first matching call at index >= ``start``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        checked = start
        while True:
            for index in range(checked, len(self.calls)):
                call = self.calls[index]
                wanted = method == "*" or call.method.lower() == method.lower()
                if wanted and (predicate is None or predicate(call)):
                    return index, call
            checked = max(checked, len(self.calls))
            remaining = deadline - loop.time()
            if remaining <= 0:
                what = what or f"a {method} call"
                raise AssertionError(self._timeout_report(method, what, seconds, start))
            await self._calls_changed.wait(remaining)

    def _timeout_report(self, method: str, what: str, seconds: float, start: int) -> str:
        """Readable list of the recent calls (getUpdates left out unless waited for)."""
        keep_polls = method.lower() == "getupdates"
        recent = [
            (index, call)
            for index, call in enumerate(self.calls)
            if keep_polls or call.method.lower() != "getupdates"
        ][-15:]
        lines = [_describe(index, call) for index, call in recent] or ["  (none)"]
        omitted = "" if keep_polls else " (getUpdates omitted)"
        return (
            f"timed out after {seconds}s waiting for {what} (calls from #{start}); "
            f"{len(self.calls)} calls recorded, the recent ones{omitted}:\n" + "\n".join(lines)
        )

    def chat_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Current state of every (not deleted) message the bot sent to the chat, oldest first."""
        chat = self._chats.get(chat_id)
        messages = chat.messages.values() if chat else []
        return [copy.deepcopy(m) for m in messages if m["from"]["id"] == self.bot_user["id"]]

    def file_content(self, file_path: str) -> bytes:
        """Bytes served for a getFile path (placeholder bytes for unknown paths)."""
        for stored in self._files.values():
            if stored.file_path == file_path:
                return stored.content
        return f"fake file {file_path}".encode()

    # --- chats, messages and files ---

    def _chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id > 0:
                info = {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
            else:
                kind = "supergroup" if str(chat_id).startswith("-100") else "group"
                info = {"id": chat_id, "type": kind, "title": f"Chat {chat_id}"}
            chat = self._chats[chat_id] = _Chat(info)
        return chat

    def _chat_for(self, params: Params, key: str = "chat_id") -> _Chat:
        chat_id = params.get(key)
        if isinstance(chat_id, int) and not isinstance(chat_id, bool):
            return self._chat(chat_id)
        if not chat_id:
            raise _bad_request(f"{key} is empty")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self._chats.values():
                if chat.info.get("username") == chat_id[1:]:
                    return chat
        raise _bad_request("chat not found")

    def _store(
        self, chat: _Chat, sender: dict[str, Any], content: dict[str, Any]
    ) -> dict[str, Any]:
        chat.last_message_id += 1
        message = {
            "message_id": chat.last_message_id,
            "date": int(time.time()),
            "chat": dict(chat.info),
            "from": dict(sender),
            **content,
        }
        chat.messages[chat.last_message_id] = message
        return message

    def _post(self, chat: _Chat, content: dict[str, Any], params: Params) -> dict[str, Any]:
        """Store a bot message (with the inline keyboard and replied message) and return it."""
        markup = self._inline_markup(params)
        if markup is not None:
            content["reply_markup"] = markup
        reply_parameters = params.get("reply_parameters")
        if isinstance(reply_parameters, dict):
            replied = chat.messages.get(reply_parameters.get("message_id", 0))
            if replied is not None:
                content["reply_to_message"] = {
                    key: value for key, value in replied.items() if key != "reply_to_message"
                }
        return copy.deepcopy(self._store(chat, self.bot_user, content))

    @staticmethod
    def _text(params: Params) -> str:
        text = params.get("text", "")
        if not isinstance(text, str):
            raise _bad_request("message text must be a string")
        visible = _visible_text(text, params.get("parse_mode"))
        if not visible.strip():
            raise _bad_request("message text is empty")
        if len(visible) > MAX_TEXT_LENGTH:
            raise _bad_request("message is too long")
        return text

    @staticmethod
    def _caption(params: Params) -> dict[str, Any]:
        """``caption``/``caption_entities`` of a media message (None when absent)."""
        caption = params.get("caption") or None
        if caption is not None:
            if not isinstance(caption, str):
                raise _bad_request("caption must be a string")
            if len(_visible_text(caption, params.get("parse_mode"))) > MAX_CAPTION_LENGTH:
                raise _bad_request("message caption is too long")
        return {"caption": caption, "caption_entities": params.get("caption_entities") or None}

    @staticmethod
    def _inline_markup(params: Params) -> dict[str, Any] | None:
        """A validated, non-empty inline keyboard; other keyboards are not part of a Message."""
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is None:
            return None
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
            )
        for button in (button for row in rows for button in row):
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise _bad_request("can't parse inline keyboard button: Text must be a string")
            if set(button) <= {"text"}:
                raise _bad_request(
                    "can't parse inline keyboard button: Text buttons are "
                    "unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not (isinstance(data, str) and 1 <= len(data.encode()) <= 64):
                raise _bad_request("BUTTON_DATA_INVALID")
        return markup if any(rows) else None

    def _editable(self, params: Params) -> dict[str, Any]:
        """The stored bot message addressed by chat_id + message_id."""
        chat = self._chat_for(params)
        message_id = params.get("message_id")
        if isinstance(message_id, bool) or not isinstance(message_id, int):
            raise _bad_request("message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None:
            raise _bad_request("message to edit not found")
        if message["from"]["id"] != self.bot_user["id"]:
            raise _bad_request("message can't be edited")
        return message

    @staticmethod
    def _apply_edit(message: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        """Set (or, for None, remove) ``changes`` on a stored message; 400 if nothing changes."""
        if all(message.get(key) == value for key, value in changes.items()):
            raise _bad_request(NOT_MODIFIED)
        for key, value in changes.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        message["edit_date"] = int(time.time())
        return copy.deepcopy(message)

    def _new_file(
        self,
        kind: str,
        content: bytes | None = None,
        *,
        file_id: str | None = None,
        file_unique_id: str | None = None,
        file_name: str | None = None,
    ) -> _StoredFile:
        number = next(self._ids)
        file_id = file_id or f"{kind}-file-{number}"
        if kind == "document":
            file_path = f"documents/{file_id}{PurePosixPath(file_name or '').suffix}"
        else:
            file_path = f"photos/{file_id}.jpg"
        if content is None:
            magic = b"\xff\xd8\xff\xe0" if kind == "photo" else b"%PDF-1.4\n"
            content = magic + f"fake {kind} {file_id}".encode()
        stored = _StoredFile(
            file_id, file_unique_id or f"unique-{number}", file_path, content, file_name
        )
        self._files[file_id] = stored
        return stored

    def _input_file(self, kind: str, value: Any, uploads: Uploads, key: str) -> _StoredFile:
        """The file given as an upload, a file_id (unknown ids are accepted) or a URL."""
        if key in uploads:
            file_name, content = uploads[key]
            return self._new_file(kind, content, file_name=file_name)
        if not isinstance(value, str) or not value:
            raise _bad_request(f"there is no {kind} in the request")
        if value in self._files:
            return self._files[value]
        if value.startswith(("http://", "https://")):
            return self._new_file(kind, file_name=value.rsplit("/", 1)[-1])
        return self._new_file(kind, file_id=value)

    @staticmethod
    def _media(kind: str, stored: _StoredFile) -> dict[str, Any]:
        """Message content for a photo (two PhotoSizes) or a document."""
        if kind == "photo":
            sizes = [
                (f"{stored.file_id}-s", f"{stored.file_unique_id}-s", 90, 68),
                (stored.file_id, stored.file_unique_id, 1280, 960),
            ]
            return {
                "photo": [
                    {
                        "file_id": file_id,
                        "file_unique_id": unique_id,
                        "width": width,
                        "height": height,
                        "file_size": len(stored.content),
                    }
                    for file_id, unique_id, width, height in sizes
                ]
            }
        file_name = stored.file_name or "document"
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mimetypes.guess_type(file_name)[0] or "application/octet-stream",
            "file_size": len(stored.content),
        }
        return {"document": document}

    # --- method handlers: (decoded params, resolved uploads) -> result ---

    def _accept(self, params: Params, uploads: Uploads) -> bool:
        return True

    def _get_me(self, params: Params, uploads: Uploads) -> dict[str, Any]:
        return {**self.bot_user, "can_join_groups": True, "supports_inline_queries": False}

    def _allowed(self, params: Params) -> list[str] | None:
        allowed = params.get("allowed_updates", self.allowed_updates)
        if allowed is not None and not (
            isinstance(allowed, list) and all(isinstance(kind, str) for kind in allowed)
        ):
            raise _bad_request("can't parse allowed updates")
        return allowed

    def _deliverable(self, offset: int, allowed: list[str] | None) -> list[_QueuedUpdate]:
        ready = [
            queued
            for queued in self._queue
            if queued.deliverable(offset) and (not allowed or queued.kind in allowed)
        ]
        return sorted(ready, key=lambda queued: queued.update_id)

    def _long_poll_seconds(self, method: str, params: Params, token: str | None) -> float:
        """How long getUpdates may wait for updates (0 if it must answer at once)."""
        if method.lower() != "getupdates" or token not in (None, self.token) or self.webhook_url:
            return 0.0
        if any(failure.matches(method) for failure in self._failures):
            return 0.0
        try:
            offset = _int_param(params, "offset", 0)
            timeout = _int_param(params, "timeout", 0)
            if self._deliverable(offset, self._allowed(params)):
                return 0.0
        except _ApiError:
            return 0.0
        return float(min(max(timeout, 0), MAX_POLL_TIMEOUT))

    async def _wait_for_updates(self, params: Params, wait: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        epoch = self._release_epoch
        offset, allowed = _int_param(params, "offset", 0), self._allowed(params)
        while not self._deliverable(offset, allowed) and epoch == self._release_epoch:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            await self._updates_changed.wait(remaining)

    def _get_updates(self, params: Params, uploads: Uploads) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _int_param(params, "offset", 0)
        limit = min(max(_int_param(params, "limit", 100), 1), 100)
        _int_param(params, "timeout", 0)  # validated only: handle_async does the waiting
        self.allowed_updates = self._allowed(params)
        if offset < 0:  # keep only the last -offset updates
            del self._queue[:offset]
        elif offset > 0:
            self._queue = [queued for queued in self._queue if queued.deliverable(offset)]
            self.confirmed_offset = max(self.confirmed_offset, offset)
        batch = self._deliverable(offset, self.allowed_updates)[:limit]
        for queued in batch:
            queued.delivered = True
        return [copy.deepcopy(queued.update) for queued in batch]

    def _set_webhook(self, params: Params, uploads: Uploads) -> bool:
        url = params.get("url")
        if not isinstance(url, str):
            raise _bad_request("url must be a string")
        self.webhook_url = url
        if params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    def _delete_webhook(self, params: Params, uploads: Uploads) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    def _get_webhook_info(self, params: Params, uploads: Uploads) -> dict[str, Any]:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }

    def _send_message(self, params: Params, uploads: Uploads) -> dict[str, Any]:
        chat = self._chat_for(params)
        content = {"text": self._text(params), "entities": params.get("entities")}
        return self._post(chat, {k: v for k, v in content.items() if v}, params)

    def _send_file(self, kind: str, params: Params, uploads: Uploads) -> dict[str, Any]:
        chat = self._chat_for(params)
        caption = {k: v for k, v in self._caption(params).items() if v is not None}
        stored = self._input_file(kind, params.get(kind), uploads, kind)
        return self._post(chat, {**self._media(kind, stored), **caption}, params)

    def _send_photo(self, params: Params, uploads: Uploads) -> dict[str, Any]:
        return self._send_file("photo", params, uploads)

    def _send_document(self, params: Params, uploads: Uploads) -> dict[str, Any]:
        return self._send_file("document", params, uploads)

    def _send_media_group(self, params: Params, uploads: Uploads) -> list[dict[str, Any]]:
        chat = self._chat_for(params)
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise _bad_request("media must include 2-10 items")
        if not all(
            isinstance(item, dict) and item.get("type") in ("photo", "document") for item in media
        ):
            raise _bad_request("only photo and document media are supported by the fake")
        group_id = str(next(self._ids))
        messages = []
        for index, item in enumerate(media):
            caption = {k: v for k, v in self._caption(item).items() if v is not None}
            stored = self._input_file(item["type"], item.get("media"), uploads, f"media.{index}")
            content = {"media_group_id": group_id, **self._media(item["type"], stored), **caption}
            messages.append(self._post(chat, content, {}))
        return messages

    def _copy_message(self, params: Params, uploads: Uploads) -> dict[str, int]:
        source = self._chat_for(params, "from_chat_id").messages.get(params.get("message_id", 0))
        if source is None:
            raise _bad_request("message to copy not found")
        chat = self._chat_for(params)
        content = {key: copy.deepcopy(source[key]) for key in _MESSAGE_CONTENT if key in source}
        if "caption" in params:
            content.update(self._caption(params))
            content = {key: value for key, value in content.items() if value is not None}
        return {"message_id": self._post(chat, content, params)["message_id"]}

    def _edit_message_text(self, params: Params, uploads: Uploads) -> dict[str, Any] | bool:
        text, markup = self._text(params), self._inline_markup(params)
        if "inline_message_id" in params:
            return True
        message = self._editable(params)
        if "text" not in message:
            raise _bad_request("there is no text in the message to edit")
        changes = {"text": text, "entities": params.get("entities") or None, "reply_markup": markup}
        return self._apply_edit(message, changes)

    def _edit_message_caption(self, params: Params, uploads: Uploads) -> dict[str, Any] | bool:
        caption, markup = self._caption(params), self._inline_markup(params)
        if "inline_message_id" in params:
            return True
        message = self._editable(params)
        if "text" in message:
            raise _bad_request("there is no caption in the message to edit")
        return self._apply_edit(message, {**caption, "reply_markup": markup})

    def _edit_message_reply_markup(self, params: Params, uploads: Uploads) -> dict[str, Any] | bool:
        markup = self._inline_markup(params)
        if "inline_message_id" in params:
            return True
        return self._apply_edit(self._editable(params), {"reply_markup": markup})

    def _delete_message(self, params: Params, uploads: Uploads) -> bool:
        chat = self._chat_for(params)
        if chat.messages.pop(params.get("message_id", 0), None) is None:
            raise _bad_request("message to delete not found")
        return True

    def _answer_callback_query(self, params: Params, uploads: Uploads) -> bool:
        query_id = params.get("callback_query_id")
        if query_id not in self._callback_query_ids:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self._callback_query_ids.discard(query_id)
        return True

    def _send_chat_action(self, params: Params, uploads: Uploads) -> bool:
        self._chat_for(params)
        return True

    @staticmethod
    def _commands_key(params: Params) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _set_my_commands(self, params: Params, uploads: Uploads) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_RE.fullmatch(
                str(command.get("command", ""))
            ):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("command description must be 1-256 characters")
        self._commands[self._commands_key(params)] = [
            {"command": command["command"], "description": command["description"]}
            for command in commands
        ]
        return True

    def _delete_my_commands(self, params: Params, uploads: Uploads) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    def _get_my_commands(self, params: Params, uploads: Uploads) -> list[dict[str, str]]:
        return copy.deepcopy(self._commands.get(self._commands_key(params), []))

    def _get_file(self, params: Params, uploads: Uploads) -> dict[str, Any]:
        file_id = params.get("file_id")
        if not isinstance(file_id, str) or not file_id:
            raise _bad_request("invalid file_id")
        stored = self._files.get(file_id) or self._new_file("photo", file_id=file_id)
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }


class FakeUser:
    """A Telegram user writing to the bot in their private chat (chat id == user id)."""

    def __init__(
        self,
        core: FakeTelegram,
        user_id: int,
        first_name: str = "Budi",
        language_code: str | None = "id",
        username: str | None = None,
    ) -> None:
        self.core = core
        self.id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.username = username
        self._mark = 0  # index of the first call that may answer this user's last action

    def as_dict(self) -> dict[str, Any]:
        """This user as a Telegram ``User`` object."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code is not None:
            user["language_code"] = self.language_code
        if self.username is not None:
            user["username"] = self.username
        return user

    def chat_dict(self) -> dict[str, Any]:
        """This user's private chat as a Telegram ``Chat`` object."""
        chat: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.username is not None:
            chat["username"] = self.username
        return chat

    def _act(self, content: dict[str, Any]) -> int:
        self._mark = len(self.core.calls)
        return self.core._receive(self, content)

    def send(self, text: str) -> int:
        """Send a text message (a leading /command gets a bot_command entity); -> update_id."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            length = _utf16_length(command)
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._act(content)

    def send_photo(self, caption: str | None = None, file_unique_id: str | None = None) -> int:
        """Send a photo; ``file_unique_id`` (of the largest size) simulates re-sending a photo."""
        stored = self.core._new_file("photo", file_unique_id=file_unique_id)
        content = FakeTelegram._media("photo", stored)
        if caption is not None:
            content["caption"] = caption
        return self._act(content)

    def send_document(self, file_name: str = "bukti.pdf", caption: str | None = None) -> int:
        """Send a document with this file name."""
        stored = self.core._new_file("document", file_name=file_name)
        content = FakeTelegram._media("document", stored)
        if caption is not None:
            content["caption"] = caption
        return self._act(content)

    def click(self, callback_data: str, message: Mapping[str, Any] | None = None) -> int:
        """Press an inline button with this data on ``message`` (default: the last bot
        message in this chat); -> update_id."""
        target = message if message is not None else self.last_message()
        self._mark = len(self.core.calls)
        return self.core._press(self, callback_data, target)

    def click_button(self, text: str, message: Mapping[str, Any] | None = None) -> int:
        """Press the inline button whose text equals (else contains) ``text`` on ``message``
        (default: the newest bot message in this chat having one); -> update_id."""
        candidates: Iterable[Mapping[str, Any]] = (
            [message] if message is not None else reversed(self.core.chat_messages(self.id))
        )
        seen: list[str] = []
        for candidate in candidates:
            button = _find_button(candidate, text)
            if button is not None:
                if not isinstance(button.get("callback_data"), str):
                    raise AssertionError(f"button {button['text']!r} has no callback_data")
                return self.click(button["callback_data"], candidate)
            seen += [button["text"] for button in _buttons(candidate)]
        raise AssertionError(
            f"no inline button matching {text!r} in chat {self.id}; buttons seen: {seen}"
        )

    async def reply(
        self,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the documented test API
        start: int | None = None,
    ) -> ApiCall:
        """Wait for the bot's next successful sendMessage/editMessageText/sendPhoto/
        sendDocument to this chat, from call index ``start`` (default: where this user's last
        send/click happened, or just after the previous reply returned here)."""

        def to_me(call: ApiCall) -> bool:
            return (
                call.status == 200
                and call.method.lower() in REPLY_METHODS
                and call.params.get("chat_id") == self.id
            )

        index, call = await self.core._next_call(
            "*",
            to_me,
            seconds=timeout,
            start=self._mark if start is None else start,
            what=f"a reply to user {self.id}",
        )
        self._mark = index + 1
        return call

    def last_message(self) -> dict[str, Any]:
        """Newest bot message in this chat (current state)."""
        messages = self.core.chat_messages(self.id)
        if not messages:
            raise AssertionError(f"the bot has sent no message to chat {self.id}")
        return messages[-1]


async def _read_request(request: web.Request) -> tuple[dict[str, Any], Uploads]:
    """Query string plus a JSON, form-urlencoded or multipart body -> (params, files)."""
    params: dict[str, Any] = dict(request.query)
    files: Uploads = {}
    if not request.body_exists:
        return params, files
    if request.content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("JSON body must be an object")
        params.update(body)
    elif request.content_type == "multipart/form-data":
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename is None:
                params[part.name] = await part.text()
            else:
                files[part.name] = (part.filename, bytes(await part.read()))
    else:
        form = await request.post()
        params.update({key: value for key, value in form.items() if isinstance(value, str)})
    return params, files


class FakeTelegramServer:
    """aiohttp server on 127.0.0.1 (random free port) serving POST/GET /bot<token>/<method> and
    GET /file/bot<token>/<path> from a ``FakeTelegram``."""

    def __init__(self, core: FakeTelegram | None = None) -> None:
        self.core = core if core is not None else FakeTelegram()
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._closing = False

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_UPLOAD_SIZE)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        app.router.add_route("*", "/{tail:.*}", self._unknown_path)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        self._closing = False

    async def close(self) -> None:
        """Stop serving; pending getUpdates long polls are answered at once."""
        self._closing = True
        self.core.release_waiters()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _api(self, request: web.Request) -> web.Response:
        try:
            params, files = await _read_request(request)
        except web.HTTPRequestEntityTooLarge:
            return web.json_response(error_answer(413, "Request Entity Too Large"), status=413)
        except Exception as error:  # malformed body: answer, never raise into aiohttp
            answer = error_answer(400, f"Bad Request: can't parse request: {error}")
            return web.json_response(answer, status=400)
        status, answer = await self.core.handle_async(
            request.match_info["method"],
            params,
            files,
            token=request.match_info["token"],
            max_wait=0 if self._closing else None,
        )
        return web.json_response(answer, status=status)

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.core.token:
            return web.json_response(error_answer(401, "Unauthorized"), status=401)
        content = self.core.file_content(request.match_info["path"])
        return web.Response(body=content, content_type="application/octet-stream")

    async def _unknown_path(self, request: web.Request) -> web.Response:
        return web.json_response(error_answer(404, "Not Found"), status=404)


async def _read_input_file(file: InputFile, bot: Bot) -> bytes:
    return b"".join([chunk async for chunk in file.read(bot)])


class RecordingSession(BaseSession):
    """aiogram session answering in-process from a ``FakeTelegram`` core (no network), for
    ``Dispatcher.feed_update`` tests. Requests are serialized like ``AiohttpSession`` does."""

    def __init__(self, core: FakeTelegram, **kwargs: Any) -> None:
        kwargs.setdefault("api", TelegramAPIServer.from_base("http://fake-telegram.invalid"))
        super().__init__(**kwargs)
        self.core = core

    async def close(self) -> None:
        """Nothing to release: no connection is ever opened."""

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - BaseSession's signature
    ) -> TelegramType:
        files: dict[str, InputFile] = {}
        params: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if prepared:  # AiohttpSession skips empty values too
                params[key] = prepared
        uploads = {
            key: (file.filename or key, await _read_input_file(file, bot))
            for key, file in files.items()
        }
        status, answer = await self.core.handle_async(
            method.__api_method__, params, uploads, token=bot.token
        )
        response = self.check_response(
            bot=bot, method=method, status_code=status, content=self.json_dumps(answer)
        )
        return cast(TelegramType, response.result)

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 - BaseSession's signature
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        file_path = url.partition("/file/bot")[2].partition("/")[2]
        content = self.core.file_content(file_path)
        for start in range(0, len(content), chunk_size):
            yield content[start : start + chunk_size]
