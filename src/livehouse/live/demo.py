"""The demo live show of "Friday Night Live" (ctx["event"]): guest categories for its tiers
(General → regular, VIP → vip, VVIP table → vvip), a brand, a live welcome banner, and the demo
performer on the organisation's team (members hold live.host) so they can start the show.
Loading twice adds nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.events.demo import NAME as EVENT_NAME
from livehouse.events.models import Event
from livehouse.identity.demo import ACCOUNTS
from livehouse.live import categories, overlays
from livehouse.live.models import Banner
from livehouse.orgs import service as orgs
from livehouse.ticketing import holdings

BANNER = "Welcome to Friday Night Live!"
CATEGORIES: list[tuple[str, dict[str, Any]]] = [
    ("General", {"name": "regular", "commenting": True, "guest_upgrade": True, "rank": 1}),
    (
        "VIP",
        {
            "name": "vip",
            "commenting": True,
            "live_tipping": True,
            "video_chat": True,
            "special_requests": True,
            "special_request_limit": 2,
            "cheerful_entry": True,
            "rank": 10,
        },
    ),
    (
        "VVIP table",
        {
            "name": "vvip",
            "commenting": True,
            "live_tipping": True,
            "video_chat": True,
            "special_requests": True,
            "special_request_limit": 5,
            "cheerful_entry": True,
            "rank": 20,
        },
    ),
]


async def load(session: AsyncSession, ctx: dict[str, Any]) -> None:
    event: Event = ctx["event"]
    performer = ctx["accounts"]["performer"]
    org = ctx["org"]
    if await orgs.membership_of(session, org.id, performer.id) is None:
        await orgs.add_member(session, org, performer.id, "member")
    tiers = {t.name: t for t in await holdings.tiers_of_event(session, event.id)}
    existing = {c.name for c in await categories.list_for(session, event)}
    for tier_name, fields in CATEGORIES:
        if fields["name"] not in existing and tier_name in tiers:
            await categories.create(
                session, event, {**fields, "ticket_type_ids": [tiers[tier_name].public_id]}
            )
    if await overlays.brand_of(session, event) is None:
        await overlays.put_brand(
            session,
            event,
            ctx["accounts"]["owner"].id,
            {"colour": "#ff6347", "overlay": "gray", "background": "#1a1a2e"},
            partial=False,
        )
    banner = await session.scalar(
        select(Banner.id).where(Banner.event_id == event.id, Banner.title == BANNER)
    )
    if banner is None:
        await overlays.create_banner(
            session,
            event,
            ctx["accounts"]["owner"].id,
            {"kind": "text", "title": BANNER, "scrollable": True, "status": "live"},
        )
    await session.flush()
    await describe(session, ctx)


async def describe(session: AsyncSession, ctx: dict[str, Any]) -> None:
    event = await session.scalar(select(Event).where(Event.name == EVENT_NAME).limit(1))
    if event is None:
        return
    ctx["credentials"]["live show"] = (
        f"sign in as the performer ({ACCOUNTS['performer'][0]}) and "
        f"POST /v1/events/{event.public_id}/live-sessions {{}}; the fan (General: regular) "
        f"comments with POST /v1/events/{event.public_id}/comments; "
        f"listen on channel event.{event.public_id}"
    )
