"""Who may see or manage an event. Organisation rights come only from `orgs.service.authorize`.

- Anyone may read a published, unsuspended event (listed or not: an unlisted event is reachable
  by its id); everything else needs `event.read` on its organisation.
- Managing needs the route's scope on the event's organisation. Outsiders get 404 for events
  they cannot see, so other tenants' drafts are not revealed.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.errors import Forbidden, NotFound
from livehouse.events.models import Event
from livehouse.identity.auth import Principal
from livehouse.orgs import service as orgs


def is_public(event: Event) -> bool:
    return event.publishing == "published" and event.suspended_at is None


async def get_event(
    session: AsyncSession, public_id: uuid.UUID, *, for_update: bool = False
) -> Event:
    statement = select(Event).where(Event.public_id == public_id)
    if for_update:
        statement = statement.with_for_update()
    event = await session.scalar(statement)
    if event is None:
        raise NotFound("No such event")
    return event


async def may(session: AsyncSession, principal: Principal | None, org_id: int, scope: str) -> bool:
    """Does `principal` hold `scope` on the organisation? (No error either way.)"""
    if principal is None:
        return False
    try:
        await orgs.authorize(session, principal, org_id, scope)
    except (NotFound, Forbidden):
        return False
    return True


async def readable_event(
    session: AsyncSession, principal: Principal | None, public_id: uuid.UUID
) -> tuple[Event, bool]:
    """The event if the caller may see it, and whether they see its private data."""
    event = await get_event(session, public_id)
    private = await may(session, principal, event.org_id, "event.read")
    if not private and not is_public(event):
        raise NotFound("No such event")
    return event, private


async def managed_event(
    session: AsyncSession,
    principal: Principal,
    public_id: uuid.UUID,
    scope: str,
    *,
    lock: bool = True,
) -> Event:
    """The event, if `principal` holds `scope` on its organisation (locked for a change)."""
    event = await get_event(session, public_id, for_update=lock)
    try:
        await orgs.authorize(session, principal, event.org_id, scope)
    except NotFound as exc:
        raise NotFound("No such event") from exc
    return event


async def readable_org_ids(session: AsyncSession, principal: Principal | None) -> set[int]:
    """The organisations whose every event (drafts too) `principal` may read."""
    if principal is None:
        return set()
    if principal.kind in ("client", "api_key"):
        candidates = [principal.org_id] if principal.org_id is not None else []
    else:
        assert principal.account_id is not None
        candidates = [org.id for org, _ in await orgs.orgs_of(session, principal.account_id)]
    return {org_id for org_id in candidates if await may(session, principal, org_id, "event.read")}
