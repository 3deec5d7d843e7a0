"""What other capabilities may ask ticketing about who holds what (read-only): the ticket types
(tiers) of an event, and which of them an account holds a valid ticket of.

A ticket counts for an account when the account bought it or it names the account's e-mail
address as its holder (a friend's ticket), as for reviews (`events_bridge._mine`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.events.models import Occurrence
from livehouse.identity.models import Account
from livehouse.ticketing.models import Ticket, TicketType


@dataclass(frozen=True, slots=True)
class Tier:
    id: int
    public_id: uuid.UUID
    name: str
    event_id: int


def _tier(row: TicketType) -> Tier:
    return Tier(row.id, row.public_id, row.name, row.event_id)


async def tiers_of_event(
    session: AsyncSession, event_id: int, public_ids: Iterable[uuid.UUID] | None = None
) -> list[Tier]:
    """The event's ticket types (withdrawn ones too), or those of them among `public_ids`."""
    statement = select(TicketType).where(TicketType.event_id == event_id)
    if public_ids is not None:
        statement = statement.where(TicketType.public_id.in_(list(public_ids)))
    rows = await session.scalars(statement.order_by(TicketType.display_order, TicketType.id))
    return [_tier(row) for row in rows]


async def tiers_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, Tier]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await session.scalars(select(TicketType).where(TicketType.id.in_(wanted)))
    return {row.id: _tier(row) for row in rows}


async def held_tiers(
    session: AsyncSession,
    event_id: int,
    account_id: int,
    *,
    occurrence_id: int | None = None,
    not_ended_at: datetime | None = None,
) -> set[int | None]:
    """Ids of the ticket types the account holds a valid ticket of, for the event — at one
    occurrence, or (with `not_ended_at`) at occurrences still running or to come then. None
    stands for a ticket whose type was deleted since (it still admits its holder). Empty: no
    valid ticket."""
    email = await session.scalar(select(Account.email).where(Account.id == account_id))
    mine = or_(
        Ticket.account_id == account_id,
        and_(
            Ticket.holder_email.is_not(None),
            func.lower(Ticket.holder_email) == (email or "").lower(),
        ),
    )
    statement = select(Ticket.ticket_type_id).where(
        Ticket.event_id == event_id, Ticket.status == "valid", mine
    )
    if occurrence_id is not None:
        statement = statement.where(Ticket.occurrence_id == occurrence_id)
    elif not_ended_at is not None:
        statement = statement.join(Occurrence, Occurrence.id == Ticket.occurrence_id).where(
            Occurrence.ends_at > not_ended_at
        )
    return set((await session.scalars(statement.distinct())).all())
