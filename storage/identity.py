"""Keyed hashes of Telegram ids, for people whose ids are never stored in clear."""

from __future__ import annotations

import hashlib
import hmac


def user_key(secret: bytes, telegram_id: int) -> str:
    """HMAC-SHA256 of a Telegram user id under the server secret, as 64 hex characters."""
    return hmac.new(secret, str(telegram_id).encode(), hashlib.sha256).hexdigest()
