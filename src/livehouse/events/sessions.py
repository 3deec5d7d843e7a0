"""Sessions: parts of an event (talks, sets) with their own name, image and times.

A session lies within one occurrence of its event (start and end inside it); it is attached to
that occurrence, which is what ticketing sells when `sold_individually` is set. Times come in as
wall-clock times in the event's zone (or with an offset); a session must start in the future and
end after it starts. Sessions are kept when the rule changes: the rule cannot drop or shorten an
occurrence that holds sessions (see occurrences.py). A session with sales
(`hooks.sessions_with_sales`) is neither deleted nor moved to another occurrence.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.errors import Conflict, NotFound, ValidationFailed
from livehouse.core.pagination import OrderKey, PageParams, paginate
from livehouse.events import hooks, lifecycle, occurrences, recurrence
from livehouse.events.models import Event, EventSession, Occurrence
from livehouse.events.schemas import SessionCreate, SessionUpdate


def _instant(value: datetime, event: Event) -> datetime:
    zone = ZoneInfo(event.timezone)
    return recurrence.to_utc(recurrence.to_local(value, zone), zone)


async def _place(
    session: AsyncSession, event: Event, starts_at: datetime, ends_at: datetime
) -> Occurrence:
    if ends_at <= starts_at:
        raise ValidationFailed.field("ends_on", "The session must end after it starts")
    if starts_at <= clock.now():
        raise ValidationFailed.field("starts_on", "Must be in the future")
    occurrence = await occurrences.containing(session, event, starts_at, ends_at)
    if occurrence is None:
        raise ValidationFailed.field(
            "starts_on",
            "The session must lie within one occurrence of the event (between its start and end)",
        )
    return occurrence


async def create(session: AsyncSession, event: Event, payload: SessionCreate) -> EventSession:
    lifecycle.ensure_editable(event)
    starts_at, ends_at = _instant(payload.starts_on, event), _instant(payload.ends_on, event)
    occurrence = await _place(session, event, starts_at, ends_at)
    item = EventSession(
        event_id=event.id,
        occurrence_id=occurrence.id,
        name=payload.name,
        description=payload.description,
        image=payload.image,
        starts_at=starts_at,
        ends_at=ends_at,
        sold_individually=payload.sold_individually,
    )
    session.add(item)
    await session.flush()
    return item


async def update(
    session: AsyncSession, event: Event, item: EventSession, payload: SessionUpdate
) -> EventSession:
    lifecycle.ensure_editable(event)
    fields = payload.model_fields_set
    if "name" in fields and payload.name is None:
        raise ValidationFailed.field("name", "Cannot be empty")
    if {"starts_on", "ends_on"} & fields:
        if payload.starts_on is None and "starts_on" in fields:
            raise ValidationFailed.field("starts_on", "Cannot be empty")
        if payload.ends_on is None and "ends_on" in fields:
            raise ValidationFailed.field("ends_on", "Cannot be empty")
        starts_at = _instant(payload.starts_on, event) if payload.starts_on else item.starts_at
        ends_at = _instant(payload.ends_on, event) if payload.ends_on else item.ends_at
        occurrence = await _place(session, event, starts_at, ends_at)
        if occurrence.id != item.occurrence_id:
            await _refuse_if_sold(session, item, "moved to another occurrence")
        item.starts_at, item.ends_at, item.occurrence_id = starts_at, ends_at, occurrence.id
    for name in ("name", "description", "image", "sold_individually"):
        if name in fields and not (
            name == "sold_individually" and payload.sold_individually is None
        ):
            setattr(item, name, getattr(payload, name))
    await session.flush()
    return item


async def get(session: AsyncSession, event: Event, public_id: uuid.UUID) -> EventSession:
    item = await session.scalar(
        select(EventSession).where(
            EventSession.event_id == event.id, EventSession.public_id == public_id
        )
    )
    if item is None:
        raise NotFound("No such session")
    return item


async def delete(session: AsyncSession, event: Event, item: EventSession) -> None:
    lifecycle.ensure_editable(event)
    await _refuse_if_sold(session, item, "deleted")
    await session.delete(item)


async def _refuse_if_sold(session: AsyncSession, item: EventSession, what: str) -> None:
    for check in hooks.sessions_with_sales:
        if item.id in await check(session, [item.id]):
            raise Conflict(f"This session has sales and cannot be {what}")


async def list_page(
    session: AsyncSession, event: Event, page: PageParams, occurrence: Occurrence | None = None
) -> tuple[list[EventSession], str | None]:
    statement = select(EventSession).where(EventSession.event_id == event.id)
    if occurrence is not None:
        statement = statement.where(EventSession.occurrence_id == occurrence.id)
    return await paginate(
        session, statement, [OrderKey(EventSession.starts_at), OrderKey(EventSession.id)], page
    )


async def occurrence_ids(session: AsyncSession, items: list[EventSession]) -> dict[int, uuid.UUID]:
    """Public ids of the sessions' occurrences (for the responses)."""
    ids = {item.occurrence_id for item in items}
    if not ids:
        return {}
    rows = await session.execute(
        select(Occurrence.id, Occurrence.public_id).where(Occurrence.id.in_(ids))
    )
    return {row.id: row.public_id for row in rows}
