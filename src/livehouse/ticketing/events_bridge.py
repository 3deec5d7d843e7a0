"""What ticketing tells events (registered into `events.hooks` on import, by `jobs.py`):
which sessions have sales, who attended (reviews), which events a person attends, and the
organisation activity counters (tickets sold, orders received, revenue)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.events import hooks
from livehouse.events.models import Occurrence
from livehouse.identity.models import Account
from livehouse.ticketing.models import Order, Ticket, TicketStock, TicketType

# Orders that were paid, whatever happened after (refunds lower the revenue, not the count).
SETTLED = ("paid", "partially_refunded", "refunded")


@hooks.sessions_with_sales
async def sessions_with_sales(session: AsyncSession, ids: list[int]) -> set[int]:
    """Sessions whose tickets were ever issued, or are held or sold right now."""
    if not ids:
        return set()
    rows = await session.execute(
        union(
            select(TicketType.session_id)
            .join(Ticket, Ticket.ticket_type_id == TicketType.id)
            .where(TicketType.session_id.in_(ids)),
            select(TicketType.session_id)
            .join(TicketStock, TicketStock.ticket_type_id == TicketType.id)
            .where(TicketType.session_id.in_(ids), TicketStock.taken > 0),
        )
    )
    return {row[0] for row in rows}


async def _mine(session: AsyncSession, account_id: int) -> object:
    """Tickets the account bought, or that name its address as the holder (a friend's ticket).
    Only inside one event: holder addresses are not indexed."""
    email = await session.scalar(select(Account.email).where(Account.id == account_id))
    return or_(
        Ticket.account_id == account_id,
        and_(
            Ticket.holder_email.is_not(None),
            func.lower(Ticket.holder_email) == (email or "").lower(),
        ),
    )


@hooks.review_eligibility
async def attended(session: AsyncSession, event_id: int, account_id: int) -> bool:
    """Attended: checked in, or holding a valid ticket for a date that has begun."""
    found = await session.scalar(
        select(Ticket.id)
        .join(Occurrence, Occurrence.id == Ticket.occurrence_id)
        .where(
            Ticket.event_id == event_id,
            await _mine(session, account_id),  # type: ignore[arg-type]
            or_(
                Ticket.checked_in_at.is_not(None),
                and_(Ticket.status == "valid", Occurrence.starts_at <= clock.now()),
            ),
        )
        .limit(1)
    )
    return found is not None


@hooks.attending_events
async def attending_events(session: AsyncSession, account_id: int) -> set[int]:
    """Events the account holds a valid ticket of (bought by it: the indexed column)."""
    rows = await session.scalars(
        select(Ticket.event_id)
        .where(Ticket.account_id == account_id, Ticket.status == "valid")
        .distinct()
    )
    return set(rows.all())


@hooks.activity_counters.register("tickets_sold")
async def tickets_sold(
    session: AsyncSession, event_ids: list[int], start: datetime, end: datetime
) -> dict[int, int]:
    """Tickets issued in [start, end) (a sale is a sale; refunds show in the revenue)."""
    rows = await session.execute(
        select(Ticket.event_id, func.count())
        .where(Ticket.event_id.in_(event_ids), Ticket.created_at >= start, Ticket.created_at < end)
        .group_by(Ticket.event_id)
    )
    return {event_id: int(n) for event_id, n in rows}


def _paid_in(event_ids: list[int], start: datetime, end: datetime) -> list[object]:
    return [
        Order.event_id.in_(event_ids),
        Order.status.in_(SETTLED),
        Order.paid_at >= start,
        Order.paid_at < end,
    ]


@hooks.activity_counters.register("orders_received")
async def orders_received(
    session: AsyncSession, event_ids: list[int], start: datetime, end: datetime
) -> dict[int, int]:
    rows = await session.execute(
        select(Order.event_id, func.count())
        .where(*_paid_in(event_ids, start, end))  # type: ignore[arg-type]
        .group_by(Order.event_id)
    )
    return {event_id: int(n) for event_id, n in rows}


@hooks.activity_counters.register("revenue_earned")
async def revenue_earned(
    session: AsyncSession, event_ids: list[int], start: datetime, end: datetime
) -> dict[int, int]:
    """What orders paid in [start, end) brought in, less what was refunded of them (minor
    units of each event's currency)."""
    rows = await session.execute(
        select(Order.event_id, func.coalesce(func.sum(Order.total - Order.refunded), 0))
        .where(*_paid_in(event_ids, start, end))  # type: ignore[arg-type]
        .group_by(Order.event_id)
    )
    return {event_id: int(n) for event_id, n in rows}
