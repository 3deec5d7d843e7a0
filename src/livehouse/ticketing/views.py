"""Rows → API models (internal ids become public ids)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.db import rows_by_id
from livehouse.events.models import Event, Occurrence
from livehouse.payments import service as payments
from livehouse.payments.models import Payment
from livehouse.payments.schemas import PaymentOut
from livehouse.ticketing import catalog, holds, orders, passes
from livehouse.ticketing.models import Hold, Order, OrderLine, Ticket, TicketType, TicketVariation
from livehouse.ticketing.schemas import (
    HoldOut,
    OrderLineOut,
    OrderOut,
    QuoteOut,
    TicketOut,
    TicketTypeOut,
    VariationOut,
)


async def ticket_types(
    session: AsyncSession,
    types: Sequence[TicketType],
    available: dict[int, int | None] | None = None,
) -> list[TicketTypeOut]:
    variations = await catalog.variations_of(session, [t.id for t in types])
    return [
        TicketTypeOut(
            id=t.public_id,
            name=t.name,
            description=t.description,
            category=t.category,
            display_order=t.display_order,
            quantity=t.quantity,
            available=(available or {}).get(t.id),
            max_per_customer=t.max_per_customer,
            min_per_order=t.min_per_order,
            donation_minimum=t.donation_minimum,
            section=t.section,
            table_number=t.table_number,
            interval_minutes=t.interval_minutes,
            reduction_bp=t.reduction_bp,
            booking_starts_at=t.booking_starts_at,
            booking_ends_at=t.booking_ends_at,
            sell_at_venue=t.sell_at_venue,
            price_includes_service_charge=t.price_includes_service_charge,
            digital_pass=t.digital_pass,
            waiting_list=t.waiting_list,
            early_bird=t.early_bird,
            restricted=sorted({r["type"] for r in t.restrictions}),
            custom_attributes=t.custom_attributes,
            active=t.active,
            variations=[
                VariationOut(
                    id=v.public_id,
                    name=v.name,
                    price=v.price,
                    quantity_included=v.quantity_included,
                )
                for v in variations.get(t.id, [])
            ],
        )
        for t in types
    ]


async def hold(session: AsyncSession, row: Hold) -> HoldOut:
    occurrence_public = await session.scalar(
        select(Occurrence.public_id).where(Occurrence.id == row.occurrence_id)
    )
    return HoldOut(
        id=row.public_id,
        status=row.status,
        expires_at=row.expires_at,
        occurrence_id=occurrence_public,
        lines=await holds.lines_for_view(session, row),
        quote=QuoteOut(**row.quote),
    )


async def tickets(
    session: AsyncSession, rows: Sequence[Ticket], *, with_pass: bool
) -> list[TicketOut]:
    if not rows:
        return []
    orders = await rows_by_id(session, Order, {r.order_id for r in rows})
    events = await rows_by_id(session, Event, {r.event_id for r in rows})
    occurrences = await rows_by_id(session, Occurrence, {r.occurrence_id for r in rows})
    types = await rows_by_id(
        session, TicketType, {r.ticket_type_id for r in rows if r.ticket_type_id}
    )
    variations = await rows_by_id(
        session, TicketVariation, {r.variation_id for r in rows if r.variation_id}
    )
    out = []
    for r in rows:
        label = types[r.ticket_type_id].name if r.ticket_type_id in types else None
        variation = variations.get(r.variation_id)
        if label and variation is not None and variation.name:
            label = f"{label} — {variation.name}"
        out.append(
            TicketOut(
                id=r.public_id,
                order_id=orders[r.order_id].public_id,
                event_id=events[r.event_id].public_id,
                occurrence_id=occurrences[r.occurrence_id].public_id,
                ticket_type=label,
                holder_name=r.holder_name,
                holder_email=r.holder_email,
                table_number=r.table_number,
                status=r.status,
                checked_in_at=r.checked_in_at,
                answers=r.answers or {},
                pass_code=(
                    await passes.pass_code(session, r)
                    if with_pass and r.status == "valid"
                    else None
                ),
            )
        )
    return out


async def order(session: AsyncSession, row: Order, *, with_passes: bool = False) -> OrderOut:
    made = orders.made_here(session, row.public_id)
    lines: Sequence[OrderLine]
    issued: Sequence[Ticket]
    if made is not None:  # made in this request: its rows are at hand
        lines, issued = made.lines, made.tickets
    else:
        lines = (
            await session.scalars(
                select(OrderLine).where(OrderLine.order_id == row.id).order_by(OrderLine.id)
            )
        ).all()
        issued = (
            await session.scalars(
                select(Ticket).where(Ticket.order_id == row.id).order_by(Ticket.id)
            )
        ).all()
    payment = await session.get(Payment, row.payment_id) if row.payment_id else None
    event_public = (await rows_by_id(session, Event, {row.event_id}))[row.event_id].public_id
    occurrence_public = (await rows_by_id(session, Occurrence, {row.occurrence_id}))[
        row.occurrence_id
    ].public_id
    return OrderOut(
        id=row.public_id,
        number=row.number,
        status=row.status,
        event_id=event_public,
        occurrence_id=occurrence_public,
        buyer_name=row.buyer_name,
        buyer_email=row.buyer_email,
        currency=row.currency,
        subtotal=row.subtotal,
        discount=row.discount,
        service_charge=row.service_charge,
        tax=row.tax,
        total=row.total,
        refunded=row.refunded,
        created_at=row.created_at,
        paid_at=row.paid_at,
        lines=[
            OrderLineOut(
                kind=ln.kind,
                description=ln.description,
                unit_price=ln.unit_price,
                quantity=ln.quantity,
                amount=ln.amount,
            )
            for ln in lines
        ],
        payment=PaymentOut.model_validate(payments.view(payment)) if payment else None,
        tickets=await tickets(session, issued, with_pass=with_passes),
        answers=(row.answers or {}).get("buyer") or {},
    )
