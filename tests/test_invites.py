"""Invite codes: format, single use, expiry, revocation, unit filter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.invites import (
    DEEP_LINK_PAYLOAD,
    Redemption,
    UnknownUnitError,
    issue_invites,
    redeem_invite,
)
from storage.models import Employee, Invite
from storage.types import utcnow
from tests.factories import HEAD_NIP, STAFF_NIP, invite_codes, seed_org


async def test_codes_are_long_random_deep_link_payloads(session: AsyncSession) -> None:
    await seed_org(session)
    codes = await invite_codes(session)
    assert set(codes) == {HEAD_NIP, STAFF_NIP, "198503032010011003"}
    for code in codes.values():
        assert DEEP_LINK_PAYLOAD.match(code)
        assert len(code) <= 64
        assert len(code) - 1 >= 22  # 16 random bytes, base64url: 128 bits
    assert len(set(codes.values())) == 3
    stored = (await session.exec(select(Invite.code_hash))).all()
    assert not set(codes.values()) & set(stored)  # only hashes are stored


async def test_new_invites_revoke_old_ones(session: AsyncSession) -> None:
    await seed_org(session)
    first = await invite_codes(session)
    second = await invite_codes(session)
    now = utcnow()
    assert await redeem_invite(session, first[STAFF_NIP], 501, now) is Redemption.REVOKED
    assert await redeem_invite(session, second[STAFF_NIP], 501, now) is Redemption.LINKED


async def test_code_is_single_use_and_expires(session: AsyncSession) -> None:
    org = await seed_org(session)
    issued_at = utcnow() - timedelta(days=15)
    codes = await invite_codes(session, now=issued_at)
    assert await redeem_invite(session, codes[STAFF_NIP], 501, utcnow()) is Redemption.EXPIRED

    codes = await invite_codes(session)
    now = utcnow()
    assert await redeem_invite(session, codes[STAFF_NIP], 501, now) is Redemption.LINKED
    assert await redeem_invite(session, codes[STAFF_NIP], 501, now) is Redemption.ALREADY_YOURS
    assert await redeem_invite(session, codes[STAFF_NIP], 502, now) is Redemption.USED
    assert await redeem_invite(session, codes[HEAD_NIP], 501, now) is Redemption.ACCOUNT_TAKEN
    assert await redeem_invite(session, "i" + "x" * 22, 503, now) is Redemption.UNKNOWN
    assert await redeem_invite(session, "bad code!", 503, now) is Redemption.UNKNOWN
    await session.refresh(org.staff)
    assert org.staff.telegram_id == 501


async def test_linked_and_inactive_employees_get_no_invite(session: AsyncSession) -> None:
    org = await seed_org(session)
    org.staff.telegram_id = 777
    org.head.is_active = False
    session.add_all([org.staff, org.head])
    await session.commit()
    assert set(await invite_codes(session)) == {"198503032010011003"}


async def test_unit_filter_includes_sub_units(session: AsyncSession) -> None:
    await seed_org(session)
    now, ttl = utcnow(), timedelta(days=14)
    division = await issue_invites(session, now=now, ttl=ttl, unit_code="BKD-MUT")
    assert {item.nip for item in division} == {HEAD_NIP, STAFF_NIP}
    province = await issue_invites(session, now=now, ttl=ttl, unit_code="BKD")
    assert len(province) == 3
    with pytest.raises(UnknownUnitError):
        await issue_invites(session, now=now, ttl=ttl, unit_code="NOPE")
    live = await session.exec(
        select(func.count()).select_from(Invite).where(col(Invite.revoked_at).is_(None))
    )
    assert live.one() == 3
    assert (await session.exec(select(func.count()).select_from(Employee))).one() == 3
