"""Demo tickets for "Friday Night Live" (ctx["event"]): General (Standard / Group of 4), VIP,
a VVIP table, the coupon FRIDAY10, a T-shirt, and one paid ticket (with its pass) for the demo
fan at the first Friday. Loading twice adds nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.events.demo import NAME as EVENT_NAME
from livehouse.events.models import Event, Occurrence
from livehouse.identity.demo import ACCOUNTS
from livehouse.identity.models import Account
from livehouse.payments import service as payments
from livehouse.payments.models import Payment
from livehouse.payments.providers.base import Card
from livehouse.ticketing import catalog, holds, orders
from livehouse.ticketing.models import Coupon, Order, Product, TicketType

COUPON = "FRIDAY10"
TYPES: list[dict[str, Any]] = [
    {
        "name": "General",
        "description": "Standing, all night.",
        "quantity": 150,
        "display_order": 1,
        "variations": [
            {"name": "Standard", "price": 2500, "quantity_included": 1},
            {"name": "Group of 4", "price": 9000, "quantity_included": 4},
        ],
    },
    {
        "name": "VIP",
        "description": "Balcony seats and the bar upstairs.",
        "quantity": 40,
        "max_per_customer": 4,
        "display_order": 2,
        "variations": [{"name": "", "price": 6000, "quantity_included": 1}],
    },
    {
        "name": "VVIP table",
        "description": "A table of eight by the stage, with bottle service.",
        "category": "table",
        "section": "VVIP",
        "table_number": 1,
        "quantity": 8,
        "display_order": 3,
        "variations": [{"name": "Table of 8", "price": 120000, "quantity_included": 8}],
    },
]


async def load(session: AsyncSession, ctx: dict[str, Any]) -> None:
    event: Event = ctx["event"]
    existing = {t.name for t in await catalog.list_types(session, event, include_inactive=True)}
    for fields in TYPES:
        if fields["name"] not in existing:
            await catalog.create_type(
                session, event, {**fields, "variations": list(fields["variations"])}
            )
    coupon = await session.scalar(
        select(Coupon).where(Coupon.event_id == event.id, Coupon.code_normalized == "friday10")
    )
    if coupon is None:
        await catalog.create_coupon(
            session,
            event,
            {
                "name": "Ten off Fridays",
                "code": COUPON,
                "discount_type": "percentage",
                "discount_value": 1000,
            },
        )
    org = ctx["org"]
    if (
        await session.scalar(
            select(Product).where(Product.org_id == org.id, Product.code == "TSHIRT")
        )
        is None
    ):
        await catalog.create_product(
            session,
            org.id,
            {
                "name": "Live House T-shirt",
                "code": "TSHIRT",
                "description": "Black, with this season's line-up on the back.",
                "price": 2500,
                "currency": event.currency,
                "qty_available": 100,
            },
        )
    await session.flush()
    fan: Account = ctx["accounts"]["fan"]
    if await _fans_order(session, event, fan) is None:
        await _sell_one(session, event, fan)
    await describe(session, ctx)


async def _fans_order(session: AsyncSession, event: Event, fan: Account) -> Order | None:
    return await session.scalar(
        select(Order)
        .where(Order.event_id == event.id, Order.account_id == fan.id, Order.status == "paid")
        .limit(1)
    )


async def _sell_one(session: AsyncSession, event: Event, fan: Account) -> None:
    """One General — Standard ticket at the first Friday, bought and paid the way the API
    does it (sandbox card)."""
    general = await session.scalar(
        select(TicketType).where(TicketType.event_id == event.id, TicketType.name == "General")
    )
    assert general is not None
    standard = next(
        v
        for v in (await catalog.variations_of(session, [general.id]))[general.id]
        if v.name == "Standard"
    )
    first = await session.scalar(
        select(Occurrence)
        .where(Occurrence.event_id == event.id, Occurrence.starts_at > clock.now())
        .order_by(Occurrence.starts_at)
        .limit(1)
    )
    assert first is not None, "the demo event is weekly, for weeks ahead"
    basket = holds.Basket(
        occurrence_id=first.public_id,
        tickets=[holds.TicketItem(general.public_id, 1, standard.public_id)],
        goods=[],
    )
    hold = await holds.create_hold(session, event, basket, account=fan, ip="demo")
    buyer = orders.BuyerDetails(name=fan.full_name, email=fan.email)
    order = await orders.checkout(session, hold, account=fan, buyer=buyer)
    payment = await session.get(Payment, order.payment_id)
    if payment is not None and payment.provider == "sandbox" and payment.status != "succeeded":
        card = Card("4242424242424242", 12, clock.now().year + 5, "123", holder_name="Frankie Fan")
        await payments.pay_with_card(session, payment, card)
    await session.flush()


async def describe(session: AsyncSession, ctx: dict[str, Any]) -> None:
    fan = await session.scalar(select(Account).where(Account.email == ACCOUNTS["fan"][0]))
    event = await session.scalar(select(Event).where(Event.name == EVENT_NAME).limit(1))
    if fan is None or event is None:
        return
    order = await _fans_order(session, event, fan)
    ctx["credentials"]["tickets"] = (
        f"General (Standard, Group of 4), VIP, VVIP table; coupon {COUPON}; T-shirt"
    )
    if order is not None:
        ctx["credentials"]["fan's order"] = (
            f"{order.number} — 1 x General, paid; sign in as the fan: "
            "GET /v1/me/tickets (pass code), /v1/me/tickets/{id}/qr"
        )
