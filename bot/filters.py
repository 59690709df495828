"""Filters shared by feature routers."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Filter
from aiogram.types import TelegramObject

from storage.people import Actor


class IsEmployee(Filter):
    """Passes for linked, active employees; everyone else falls through to the fallback."""

    async def __call__(self, event: TelegramObject, actor: Actor | None = None) -> bool:
        return actor is not None and actor.is_employee


# Text that is not a /command: flows take it as an answer, commands still work mid-flow.
NOT_COMMAND = ~F.text.startswith("/")
