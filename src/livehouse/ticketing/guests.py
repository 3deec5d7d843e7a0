"""Guest checkout: buyers without an account (when the event allows guests).

A guest's order is reached only with an order token: 256 random bits, handed out once in the
checkout response (`guest_token`) and again in the e-mail with their passes, stored as keyed
hashes (several per order: each hand-out mints its own). The guest routes take it in the
`X-Order-Token` header — never in a URL the access logs would keep — and compare it in
constant time; wrong tokens are limited per order and per IP (SecretGuard). Paid guest orders
are confirmed by e-mail with every pass code and a link to the order page.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.errors import NotFound
from livehouse.core.money import Money
from livehouse.core.ratelimit import SecretGuard
from livehouse.core.runtime import current
from livehouse.core.security import constant_time_equals, keyed_hash, random_token
from livehouse.events.models import Event
from livehouse.notify import delivery
from livehouse.ticketing import passes
from livehouse.ticketing.models import Order, OrderAccessToken, Ticket, TicketType

HASH_PURPOSE = "guest-order"


async def issue_token(session: AsyncSession, order: Order) -> str:
    token = random_token(32)
    session.add(OrderAccessToken(order_id=order.id, token_hash=keyed_hash(token, HASH_PURPOSE)))
    await session.flush()
    return token


def _guard() -> SecretGuard:
    runtime = current()
    return SecretGuard(
        runtime.limiter,
        "guest-order",
        runtime.settings.secret_rate_per_account,
        runtime.settings.secret_rate_per_ip,
    )


async def order_for(
    session: AsyncSession, public_id: uuid.UUID, token: str, ip: str, *, lock: bool = False
) -> Order:
    """The order whose token this is, or 404 (for a wrong token as for a wrong id)."""
    guard = _guard()
    await guard.before(str(public_id), ip)
    query = select(Order).where(Order.public_id == public_id)
    order = await session.scalar(query.with_for_update() if lock else query)
    wanted = keyed_hash(token, HASH_PURPOSE)
    hashes = (
        (
            await session.scalars(
                select(OrderAccessToken.token_hash).where(OrderAccessToken.order_id == order.id)
            )
        ).all()
        if order is not None
        else []
    )
    if not any(constant_time_equals(h, wanted) for h in hashes):
        await guard.failed(str(public_id))
        raise NotFound("No such order")
    assert order is not None
    return order


def order_link(order: Order, token: str) -> str:
    settings = current().settings
    return settings.ticket_guest_order_url.format(
        base_url=settings.base_url.rstrip("/"), order_id=order.public_id, token=token
    )


async def confirm(session: AsyncSession, order: Order) -> None:
    """A paid guest order: e-mail the passes (guests have no account to find them in)."""
    if not order.buyer_email:
        return
    event = await session.get(Event, order.event_id)
    assert event is not None
    tickets = (
        await session.scalars(select(Ticket).where(Ticket.order_id == order.id).order_by(Ticket.id))
    ).all()
    names = dict(
        (
            await session.execute(
                select(TicketType.id, TicketType.name).where(
                    TicketType.id.in_({t.ticket_type_id for t in tickets if t.ticket_type_id})
                )
            )
        ).all()
    )
    lines = []
    for n, ticket in enumerate(tickets, 1):
        lines.append(
            f"{n}. {names.get(ticket.ticket_type_id, 'Ticket')} — {ticket.holder_name or ''}\n"
            f"   pass: {await passes.pass_code(session, ticket)}"
        )
    link = order_link(order, await issue_token(session, order))
    total = Money(order.total, order.currency)
    delivery.email(
        session,
        to=order.buyer_email,
        subject=f"Your tickets — order {order.number}",
        text=(
            f"Thank you! Order {order.number} for {event.name} is paid "
            f"({total.to_decimal()} {total.currency}).\n\nYour passes (show them at the door; "
            f"the order page shows them as QR codes): {link}\n\n" + "\n".join(lines) + "\n\n"
            "Keep this e-mail: the link is the key to your order.\n"
        ),
    )
