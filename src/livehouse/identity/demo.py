"""Demo accounts: an organisation owner, a performer and a fan (credentials printed)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.identity import service

ACCOUNTS = {
    "owner": ("owner@demo.livehouse.dev", "demo-owner-2026!", "Olivia Owner", "olivia"),
    "performer": (
        "performer@demo.livehouse.dev",
        "demo-performer-2026!",
        "Pat Performer",
        "patlive",
    ),
    "fan": ("fan@demo.livehouse.dev", "demo-fan-2026!", "Frankie Fan", "frankie"),
}


async def load(session: AsyncSession, ctx: dict[str, Any]) -> None:
    ctx["accounts"] = {}
    for role, (email, password, name, username) in ACCOUNTS.items():
        account = await service.find_by_login(session, email)
        if account is None:
            account = await service.register(
                session,
                email=email,
                password=password,
                full_name=name,
                username=username,
                email_verified=True,
            )
        account.email_verified_at = account.email_verified_at or clock.now()
        ctx["accounts"][role] = account
    await session.flush()
    await describe(session, ctx)


async def describe(session: AsyncSession, ctx: dict[str, Any]) -> None:
    for role, (email, password, _, _) in ACCOUNTS.items():
        ctx["credentials"][role] = f"{email} / {password}"
