"""Realtime demo: no rows, just the Pusher credentials `make run` prints."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.settings import get_settings
from livehouse.realtime.hub import DEMO_SECRET


async def load(session: AsyncSession, ctx: dict[str, Any]) -> None:
    await describe(session, ctx)


async def describe(session: AsyncSession, ctx: dict[str, Any]) -> None:
    settings = get_settings()
    # The demo secret is public anyway; a configured one is never printed.
    secret = settings.pusher_secret if settings.pusher_secret == DEMO_SECRET else "(configured)"
    ctx["credentials"]["pusher"] = (
        f"app id {settings.pusher_app_id}, key {settings.pusher_key}, secret {secret} "
        f"(ws {settings.base_url.replace('http', 'ws', 1)}/app/{settings.pusher_key})"
    )
