"""Studio guest categories (Imprxx guestCategory): per event, the perks of the viewers holding
one of the category's ticket tiers.

- Names are unique per event; a ticket type belongs to at most one category, and only to a
  category of its own event (ticketing's `holdings.tiers_of_event` says which those are).
- `special_requests` needs a positive `special_request_limit` (per live session).
- A viewer holding tickets of several tiers gets the category with the highest `rank` (then
  the oldest); a tier in no category gives no perks (the viewer may still watch).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.errors import Conflict, NotFound, ValidationFailed
from livehouse.events.models import Event
from livehouse.live.models import CategoryTier, GuestCategory
from livehouse.ticketing import holdings

PERKS = (
    "commenting",
    "live_tipping",
    "video_chat",
    "special_requests",
    "cheerful_entry",
    "guest_upgrade",
)


async def list_for(session: AsyncSession, event: Event) -> list[GuestCategory]:
    rows = await session.scalars(
        select(GuestCategory)
        .where(GuestCategory.event_id == event.id)
        .order_by(GuestCategory.rank.desc(), GuestCategory.id)
    )
    return list(rows)


async def get(session: AsyncSession, event: Event, public_id: uuid.UUID) -> GuestCategory:
    found = await session.scalar(
        select(GuestCategory).where(
            GuestCategory.event_id == event.id, GuestCategory.public_id == public_id
        )
    )
    if found is None:
        raise NotFound("No such guest category")
    return found


async def tiers_of(
    session: AsyncSession, categories: Iterable[GuestCategory]
) -> dict[int, list[holdings.Tier]]:
    """Each category's ticket tiers."""
    ids = [c.id for c in categories]
    rows = (
        await session.execute(
            select(CategoryTier.category_id, CategoryTier.ticket_type_id).where(
                CategoryTier.category_id.in_(ids or [-1])
            )
        )
    ).all()
    tiers = await holdings.tiers_by_id(session, {row.ticket_type_id for row in rows})
    out: dict[int, list[holdings.Tier]] = {i: [] for i in ids}
    for row in rows:
        if row.ticket_type_id in tiers:
            out[row.category_id].append(tiers[row.ticket_type_id])
    return out


def _check_requests(category: GuestCategory) -> None:
    if category.special_requests and category.special_request_limit < 1:
        raise ValidationFailed.field(
            "special_request_limit", "Special requests need a limit of at least 1"
        )


async def _set_tiers(
    session: AsyncSession, event: Event, category: GuestCategory, public_ids: list[uuid.UUID]
) -> None:
    wanted = set(public_ids)
    found = await holdings.tiers_of_event(session, event.id, wanted)
    missing = wanted - {t.public_id for t in found}
    if missing:
        raise ValidationFailed.field(
            "ticket_type_ids",
            f"Not ticket types of this event: {', '.join(sorted(map(str, missing)))}",
        )
    taken = (
        await session.execute(
            select(CategoryTier.ticket_type_id, GuestCategory.name)
            .join(GuestCategory, GuestCategory.id == CategoryTier.category_id)
            .where(
                CategoryTier.ticket_type_id.in_([t.id for t in found] or [-1]),
                CategoryTier.category_id != category.id,
            )
        )
    ).all()
    if taken:
        names = {t.id: t.name for t in found}
        raise ValidationFailed.field(
            "ticket_type_ids",
            "Already in another category: "
            + ", ".join(f"{names[row.ticket_type_id]} ({row.name})" for row in taken),
        )
    await session.execute(delete(CategoryTier).where(CategoryTier.category_id == category.id))
    session.add_all(CategoryTier(ticket_type_id=t.id, category_id=category.id) for t in found)


async def _save(session: AsyncSession, category: GuestCategory) -> None:
    try:
        async with session.begin_nested():
            session.add(category)
    except IntegrityError as exc:
        raise Conflict(
            "This event already has a guest category of that name",
            extra={"errors": [{"field": "name", "message": "Already taken"}]},
        ) from exc


async def create(session: AsyncSession, event: Event, fields: dict[str, Any]) -> GuestCategory:
    tier_ids = fields.pop("ticket_type_ids", None) or []
    category = GuestCategory(event_id=event.id, **fields)
    _check_requests(category)
    await _save(session, category)
    await _set_tiers(session, event, category, tier_ids)
    return category


async def update(
    session: AsyncSession, event: Event, category: GuestCategory, changes: dict[str, Any]
) -> GuestCategory:
    tier_ids = changes.pop("ticket_type_ids", None)
    for name, value in changes.items():
        if value is None:
            raise ValidationFailed.field(name, "Cannot be empty")
        setattr(category, name, value)
    _check_requests(category)
    await _save(session, category)
    if tier_ids is not None:
        await _set_tiers(session, event, category, tier_ids)
    return category


async def delete_category(session: AsyncSession, category: GuestCategory) -> None:
    await session.delete(category)


async def of_tiers(
    session: AsyncSession, event_id: int, tier_ids: set[int]
) -> GuestCategory | None:
    """The best category among those of the tiers held."""
    if not tier_ids:
        return None
    return await session.scalar(
        select(GuestCategory)
        .join(CategoryTier, CategoryTier.category_id == GuestCategory.id)
        .where(GuestCategory.event_id == event_id, CategoryTier.ticket_type_id.in_(tier_ids))
        .order_by(GuestCategory.rank.desc(), GuestCategory.id)
        .limit(1)
    )
