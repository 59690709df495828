"""Sending evidence files (bukti dukung) back to a chat, in as few requests as possible."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import Bot
from aiogram.utils.media_group import MediaGroupBuilder

from storage.models import Evidence, EvidenceKind

ALBUM_SIZE = 10  # Telegram's limit per media group


async def send_evidence(bot: Bot, chat_id: int, files: Sequence[Evidence]) -> None:
    """Photos as albums, documents as albums of documents (Telegram does not mix them)."""
    for kind in (EvidenceKind.PHOTO, EvidenceKind.DOCUMENT):
        same_kind = [item for item in files if item.kind == kind]
        for start in range(0, len(same_kind), ALBUM_SIZE):
            chunk = same_kind[start : start + ALBUM_SIZE]
            if len(chunk) == 1:
                await _send_one(bot, chat_id, chunk[0])
                continue
            album = MediaGroupBuilder()
            for item in chunk:
                album.add(type=kind.value, media=item.file_id, caption=item.caption)
            await bot.send_media_group(chat_id, media=album.build())


async def _send_one(bot: Bot, chat_id: int, item: Evidence) -> None:
    if item.kind == EvidenceKind.PHOTO:
        await bot.send_photo(chat_id, photo=item.file_id, caption=item.caption)
    else:
        await bot.send_document(chat_id, document=item.file_id, caption=item.caption)
