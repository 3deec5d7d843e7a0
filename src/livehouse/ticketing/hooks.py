"""Extension points inside ticketing, filled by its own later parts (waiting list, invitations)
or by other capabilities. Nothing registered means the documented default."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

# Seats of these ticket types at this occurrence went back on sale (a hold released, a ticket
# refunded). The waiting list offers them to the next people waiting. Default: nothing — the
# seats are simply for sale again.
CapacityFreed = Callable[[AsyncSession, int, int, list[int]], Awaitable[None]]
capacity_freed: list[CapacityFreed] = []

# Does this buyer hold a valid invitation link for the event? Raise a 422 if not.
# Default (nothing registered): an `invitation_link` restriction refuses everyone.
InvitationCheck = Callable[[AsyncSession, Any, Any, Any], Awaitable[None]]
invitation_link: list[InvitationCheck] = []


async def run_capacity_freed(
    session: AsyncSession, event_id: int, occurrence_id: int, type_ids: list[int]
) -> None:
    for fn in capacity_freed:
        await fn(session, event_id, occurrence_id, type_ids)
