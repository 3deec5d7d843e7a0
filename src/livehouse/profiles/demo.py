"""Demo profiles: the demo performer gets a performer page (stage name, categories, price,
invite code) and the default categories exist; the fan follows the performer."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.profiles import catalogue, performers, service, social

STAGE_NAME = "Pat Live"


async def load(session: AsyncSession, ctx: dict[str, Any]) -> None:
    await catalogue.ensure_default_categories(session)
    performer, fan = ctx["accounts"]["performer"], ctx["accounts"]["fan"]
    await service.update_profile(
        session, performer, {"display_name": STAGE_NAME, "bio": "Songs and jokes, live."}
    )
    await performers.save(
        session,
        performer.id,
        {
            "stage_name": STAGE_NAME,
            "biography": "Pat sings, plays and tells the odd joke — live every Friday.",
            "industry": "music",
            "genre": "acoustic pop",
            "links": [{"name": "website", "value": "https://demo.livehouse.dev/pat"}],
            "price": {"amount": 1500, "currency": "EUR"},
            "categories": ["streamer", "comedian"],
            "active": True,
        },
        replace=False,
    )
    await social.follow(session, fan, social.Target("user", performer.id, performer.public_id))
    await describe(session, ctx)


async def describe(session: AsyncSession, ctx: dict[str, Any]) -> None:
    from livehouse.identity.demo import ACCOUNTS
    from livehouse.identity.service import find_by_login

    account = await find_by_login(session, ACCOUNTS["performer"][0])
    performer = await performers.of_account(session, account.id) if account else None
    if performer is not None:
        ctx["credentials"]["performer page"] = (
            f"{performer.stage_name} (invite code {performer.invite_code})"
        )
