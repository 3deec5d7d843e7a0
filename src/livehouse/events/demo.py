"""Demo event: the demo organisation's weekly Friday show (hybrid: at the venue and streamed),
published, with two sessions in its first night. Later capabilities find it in ctx["event"]."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.events import lifecycle, service, sessions
from livehouse.events.models import Event
from livehouse.events.schemas import EventCreate, SessionCreate
from livehouse.identity.auth import Principal

NAME = "Friday Night Live"


async def load(session: AsyncSession, ctx: dict[str, Any]) -> None:
    org = ctx["org"]
    event = await session.scalar(select(Event).where(Event.org_id == org.id, Event.name == NAME))
    if event is None:
        event = await _create(session, org, ctx["accounts"]["owner"].id)
    ctx["event"] = event
    await describe(session, ctx)


async def _create(session: AsyncSession, org: Any, owner_id: int) -> Event:
    zone = ZoneInfo(org.timezone)
    today = clock.now().astimezone(zone).date()
    friday = today + timedelta(days=(4 - today.weekday()) % 7 or 7)  # the next Friday
    owner = Principal(kind="user", scopes=frozenset(), account_id=owner_id)
    payload = EventCreate.model_validate(
        {
            "name": NAME,
            "display_name": "Friday Night Live at the Demo Live House",
            "description": "Three bands every Friday, on stage and on the stream.",
            "event_type": "hybrid",
            "category": "music",
            "tags": ["live", "bands"],
            "tax": {"code": "VAT", "rate_basis_points": 1900},
            "capacity": 250,
            "banners": [{"name": "stage", "image": "https://demo.livehouse.dev/stage.jpg"}],
            "links": [{"name": "website", "value": "https://demo.livehouse.dev/fridays"}],
            "venue": {
                "name": "Demo Live House",
                "address": {
                    "address_line1": "Schönhauser Allee 36",
                    "city": "Berlin",
                    "post_code": "10435",
                    "country": "DE",
                },
                "latitude": 52.539,
                "longitude": 13.412,
            },
            "online": {"stream_url": "https://demo.livehouse.dev/stream/fridays"},
            "occurrence": {
                "type": "weekly",
                "starts_on": f"{friday.isoformat()}T20:00",
                "duration_minutes": 240,
                "days": ["friday"],
                "ends": {"after": 12},
            },
        }
    )
    event = await service.create(session, org, owner, payload)
    for name, start, end in (("Opening act", "20:00", "21:00"), ("Headliner", "21:30", "23:30")):
        await sessions.create(
            session,
            event,
            SessionCreate(
                name=name,
                starts_on=f"{friday.isoformat()}T{start}",  # type: ignore[arg-type]
                ends_on=f"{friday.isoformat()}T{end}",  # type: ignore[arg-type]
                sold_individually=name == "Headliner",
            ),
        )
    await lifecycle.publish(session, event)
    await session.flush()
    return event


async def describe(session: AsyncSession, ctx: dict[str, Any]) -> None:
    org = ctx.get("org")
    query = select(Event).where(Event.name == NAME)
    if org is not None:
        query = query.where(Event.org_id == org.id)
    event = await session.scalar(query.limit(1))
    if event is not None:
        ctx["credentials"]["event"] = f"{event.name} (id {event.public_id}, weekly, published)"
