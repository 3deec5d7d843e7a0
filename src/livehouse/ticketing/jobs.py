"""Ticketing in the life of the system: event cancellation, occurrences with sales, the payment
outcome hook (via `orders`), and the periodic release of expired holds. Imported by every
process — web or `livehouse worker` — through `capabilities.load_jobs`."""

from __future__ import annotations

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import scheduler
from livehouse.core.db import unit_of_work
from livehouse.events import hooks as event_hooks
from livehouse.notify import delivery
from livehouse.ticketing import (  # noqa: F401 (imported to register their hooks)
    events_bridge,  # sessions with sales, attendance, activity counters (events)
    invitations,  # the invitation_link restriction
    orders,  # the payment outcome
    waitlist,  # offers when capacity frees
)
from livehouse.ticketing.models import Hold, Order, Ticket


@event_hooks.on_cancelled
async def refund_cancelled_event(session: AsyncSession, cancelled: event_hooks.Cancelled) -> None:
    """The organiser cancelled: every paid order is refunded in full (the refund policy's
    deadlines are for buyers changing their minds, not for cancelled shows), and every buyer is
    told. Runs in the outbox job, at least once: paid orders are refunded once (status guard)."""
    paid = (
        await session.scalars(
            select(Order)
            .where(
                Order.event_id == cancelled.event_id,
                Order.status.in_(("paid", "partially_refunded")),
            )
            .with_for_update()
        )
    ).all()
    for order in paid:
        await orders.refund(
            session, order, None, f"{cancelled.name} was cancelled", release_seats=False
        )
        await orders.void_tickets(session, order, "cancelled")
    pending = (
        await session.scalars(
            select(Order).where(Order.event_id == cancelled.event_id, Order.status == "pending")
        )
    ).all()
    for order in pending:
        hold = await session.get(Hold, order.hold_id) if order.hold_id else None
        if hold is not None:
            await orders.expire_hold(session, hold)
        if order.buyer_email:
            delivery.email(
                session,
                to=order.buyer_email,
                subject=f"{cancelled.name} is cancelled",
                text=f"{cancelled.name} has been cancelled; your unpaid order "
                f"{order.number} is void.",
            )


@event_hooks.occurrences_with_sales
async def occurrences_with_sales(session: AsyncSession, ids: list[int]) -> set[int]:
    """Occurrences with tickets, orders or live holds must not disappear under a rule edit."""
    if not ids:
        return set()
    rows = await session.execute(
        union(
            select(Ticket.occurrence_id).where(Ticket.occurrence_id.in_(ids)),
            select(Order.occurrence_id).where(Order.occurrence_id.in_(ids)),
            select(Hold.occurrence_id).where(Hold.occurrence_id.in_(ids), Hold.status == "active"),
        )
    )
    return {row[0] for row in rows}


@scheduler.every(1.0, "release expired ticket holds")
async def release_expired_holds(runtime) -> int:
    released = 0
    while True:
        async with unit_of_work(runtime.database) as session:
            count = await orders.release_expired(session, limit=100)
        released += count
        if count < 100:
            return released
