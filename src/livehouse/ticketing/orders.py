"""Orders: from a hold to a paid order with issued tickets — and back (refunds, cancellation).

    hold ─checkout─► order pending ─payment succeeded─► paid (tickets issued, hold converted)
                          │                     └──► (hold lost meanwhile and sold out) refunded
                          └─payment failed/canceled, or hold expired─► cancelled | expired

The order follows its payment through `payments.service.on_status("order", …)`, in the same
transaction as the payment's change, so "paid" and "tickets issued" commit together.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock, realtime
from livehouse.core.db import before_commit, write_new
from livehouse.core.errors import Conflict, NotFound, ValidationFailed
from livehouse.core.ids import new_public_id
from livehouse.core.money import Money
from livehouse.events.models import Event, Occurrence
from livehouse.identity.models import Account
from livehouse.notify import delivery
from livehouse.payments import service as payments
from livehouse.payments.models import Payment
from livehouse.payments.providers.base import Card
from livehouse.ticketing import forms, guests, holds, inventory
from livehouse.ticketing.models import Hold, Order, OrderLine, Ticket

PURPOSE = "order"
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out loud at a box office
assert 256 % len(_ALPHABET) == 0


def _order_number() -> str:
    # One read of the system's randomness, not one per character (secrets.choice); 32 letters
    # divide 256, so `byte % 32` picks each of them equally often.
    raw = "".join(_ALPHABET[byte % len(_ALPHABET)] for byte in secrets.token_bytes(8))
    return f"LH-{raw[:4]}-{raw[4:]}"


@dataclass(frozen=True)
class BuyerDetails:
    """What the buyer tells at checkout: contact (defaults from the account or the hold) and
    the order form's answers, for the order and for each attendee."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    attendees: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Made:
    """An order made in this unit of work and the rows made for it. Until COMMIT nobody else can
    see the order, let alone lock it, and its lines and tickets are known without a query.
    `written`: the order is in the database (else its rows, and a hold made with it, are
    written once the payment has had its say — in their final state)."""

    order: Order
    hold: Hold
    lines: list[OrderLine]
    tickets: list[Ticket] = field(default_factory=list)
    written: bool = False


def made_here(session: AsyncSession, order_public_id: uuid.UUID) -> Made | None:
    made: dict[uuid.UUID, Made] = session.info.get("ticketing_orders_made", {})
    return made.get(order_public_id)


async def checkout(
    session: AsyncSession,
    hold: Hold,
    *,
    account: Account | None,
    buyer: BuyerDetails,
) -> Order:
    """Turn an active hold into a pending order with its payment (a free one is paid at once)."""
    if hold.status != "active" or hold.expires_at <= clock.now():
        raise Conflict("This hold has expired; choose your tickets again")
    if await session.scalar(select(Order.id).where(Order.hold_id == hold.id)) is not None:
        raise Conflict("This hold is already being paid for")
    hold.expires_at = max(hold.expires_at, holds.payable_until())
    return await _place(session, hold, account=account, buyer=buyer, card=None)


async def purchase(
    session: AsyncSession,
    event: Event,
    basket: holds.Basket,
    *,
    account: Account | None,
    ip: str,
    buyer: BuyerDetails,
    card: Card | None,
) -> Order:
    """Hold, check out and pay by card in one transaction: the checks and outcome of
    `holds.create_hold` → `checkout` → paying the payment with `card`. Nobody can see the hold
    before COMMIT, so it is written only if the order waits for its payment (a card challenge;
    see `_write`). The card provider here moves no money until commit, so the stock counters
    are taken at the very end, right before COMMIT (after the answer is built): a hot counter
    row stays locked only for those statements and the commit, and if it is sold out, all of
    this rolls back unseen."""
    hold = await holds.price_hold(session, event, basket, account=account, ip=ip, for_checkout=True)
    order = await _place(session, hold, account=account, buyer=buyer, card=card)
    if order.status == "pending" and card is None:
        raise ValidationFailed.field("card", "Needed to pay this order")
    need = holds.need_of(hold)
    before_commit(session, lambda: inventory.take(session, need))
    return order


async def _place(
    session: AsyncSession,
    hold: Hold,
    *,
    account: Account | None,
    buyer: BuyerDetails,
    card: Card | None,
) -> Order:
    """The order of a hold (active and free to check out, or new and not yet written) and its
    payment, paid with `card` if given."""
    event = await session.get(Event, hold.event_id)
    assert event is not None
    email = buyer.email or (account.email if account else None) or hold.buyer_email
    if not email:
        raise ValidationFailed.field("buyer.email", "Needed to send the tickets")
    seats = sum(line.get("seats", 0) for line in hold.lines)
    if len(buyer.attendees) > seats:
        raise ValidationFailed.field("attendees", f"This order has {seats} places")
    answers, attendees = await forms.check_answers(session, hold, buyer.answers, buyer.attendees)
    quote = hold.quote
    order = Order(
        public_id=new_public_id(),  # the payment names it before it is written
        org_id=event.org_id,
        event_id=event.id,
        occurrence_id=hold.occurrence_id,
        account_id=account.id if account else None,
        coupon_id=hold.coupon_id,
        status="pending",
        number=_order_number(),
        buyer_name=buyer.name or (account.full_name if account else None),
        buyer_email=email,
        buyer_phone=buyer.phone or (account.phone if account else None),
        answers={"buyer": answers, "attendees": attendees},
        currency=quote["currency"],
        subtotal=quote["subtotal"],
        discount=quote["discount"],
        service_charge=quote["service_charge"],
        tax=quote["tax"],
        total=quote["total"],
        refunded=0,
    )
    made = Made(order, hold, _lines(order, hold))
    session.info.setdefault("ticketing_orders_made", {})[order.public_id] = made
    payment = await payments.create(
        session,
        amount=Money(order.total, order.currency),
        purpose=PURPOSE,
        reference=str(order.public_id),
        org_id=order.org_id,
        account_id=order.account_id,
        description=f"{event.name} — order {order.number}",
        payer_email=email,
        payer_phone=order.buyer_phone,
        card=card,
    )
    await _write(session, made, payment)
    if payment.status == "succeeded" and order.status == "pending":
        await _paid(session, order, payment)  # the hook normally got there first (free orders)
    return order


async def _write(session: AsyncSession, made: Made, payment: Payment) -> None:
    """Write a new order as it stands now: its hold if that is new too and still needed, its
    payment, the order naming both, its lines. Once.

    A hold made with its order and already converted (the card paid in this request) is not
    written: nobody ever saw it, and a paid order is undone from its own rows (its tickets give
    the seats back, `void_tickets`), so the row would only cost an INSERT on every sale."""
    if made.written:
        return
    made.written = True
    hold = made.hold
    if hold.id is None and hold.status != "converted":
        session.add(hold)
        await session.flush()  # the order names it
    await write_new(session, payment)
    order = made.order
    order.hold_id, order.payment_id = hold.id, payment.id
    await write_new(session, order)
    for line in made.lines:
        line.order_id = order.id
    await write_new(session, *made.lines)


def _lines(order: Order, hold: Hold) -> list[OrderLine]:
    lines = []
    for line in hold.lines:
        lines.append(
            OrderLine(
                kind=line["kind"],
                ticket_type_id=line.get("ticket_type_id"),
                variation_id=line.get("variation_id"),
                product_id=line.get("product_id"),
                description=line["description"][:200],
                unit_price=line["unit_price"],
                quantity=line.get("units", line.get("quantity", 1)),
                amount=line["amount"],
            )
        )
    tax_label = "Tax (included)" if hold.quote.get("tax_inclusive") else "Tax"
    for kind, amount, label in (
        ("discount", -order.discount, "Discount"),
        ("service_charge", order.service_charge, "Service charge"),
        ("tax", order.tax, tax_label),
    ):
        if amount:
            lines.append(
                OrderLine(
                    kind=kind,
                    description=label,
                    unit_price=amount,
                    quantity=1,
                    amount=amount,
                )
            )
    return lines


async def _order_of(session: AsyncSession, payment: Payment) -> Order | None:
    if payment.reference is None:
        return None
    made = made_here(session, uuid.UUID(payment.reference))
    if made is not None:
        return made.order  # ours alone until COMMIT: no lock to take
    return await session.scalar(
        select(Order).where(Order.public_id == uuid.UUID(payment.reference)).with_for_update()
    )


async def on_payment_status(session: AsyncSession, payment: Payment, old: str) -> None:
    order = await _order_of(session, payment)
    if order is None or order.status != "pending":
        return  # a free order is handled by checkout; a final order ignores late news
    if payment.status == "succeeded":
        await _paid(session, order, payment)
    elif payment.status in ("failed", "canceled"):
        await _cancel_pending(session, order, "cancelled")


payments.on_status(PURPOSE, on_payment_status)


async def _paid(session: AsyncSession, order: Order, payment: Payment) -> None:
    made = made_here(session, order.public_id)
    if made is not None:
        hold: Hold | None = made.hold
    else:
        hold = await session.get(Hold, order.hold_id) if order.hold_id else None
    assert hold is not None
    if order.status != "pending":
        return  # already settled: never issue twice
    if hold.id is None:
        hold.status = "converted"  # made with this order, not written yet: nobody else has it
    elif not await holds.convert(session, hold):
        await session.refresh(hold, ["status"])
        if hold.status == "converted":
            raise Conflict("This hold was already sold")
        # The hold ran out while the payment was on its way, and its seats went back on sale.
        # Take them again if they are still there; if not, the buyer gets their money back —
        # we never issue a seat that is not there.
        try:
            async with session.begin_nested():
                await inventory.take(session, holds.need_of(hold))
                hold.status = "converted"
        except Conflict:
            order.cancelled_at = clock.now()
            await payments.refund(session, payment, None, "Sold out while the payment was made")
            order.refunded = order.total
            order.status = "refunded"
            delivery.email(
                session,
                to=order.buyer_email or "",
                subject=f"Order {order.number}: refunded",
                text="The last places were sold while your payment was "
                "being confirmed. We refunded you in full.",
            )
            return
    order.status = "paid"
    order.paid_at = clock.now()
    if made is not None:
        await _write(session, made, payment)
    await _issue_tickets(session, order, hold)
    if order.account_id is None:
        await guests.confirm(session, order)  # no account to find the passes in: e-mail them
    else:
        _confirm(session, order)


async def _issue_tickets(session: AsyncSession, order: Order, hold: Hold) -> None:
    from livehouse.ticketing import passes

    await passes.ensure_key(session, order.org_id)
    attendees = list(order.answers.get("attendees") or [])
    index = 0
    tickets: list[Ticket] = []
    for line in hold.lines:
        if line["kind"] not in ("ticket", "donation"):
            continue
        for _ in range(line["seats"]):
            who = attendees[index] if index < len(attendees) else {}
            index += 1
            tickets.append(
                Ticket(
                    order_id=order.id,
                    event_id=order.event_id,
                    occurrence_id=order.occurrence_id,
                    ticket_type_id=line["ticket_type_id"],
                    variation_id=line.get("variation_id"),
                    account_id=order.account_id,
                    table_number=line.get("table_number"),
                    holder_name=who.get("name") or order.buyer_name,
                    holder_email=who.get("email") or order.buyer_email,
                    answers=who.get("answers") or {},
                )
            )
    await write_new(session, *tickets)
    made = made_here(session, order.public_id)
    if made is not None:
        made.tickets.extend(tickets)


def _confirm(session: AsyncSession, order: Order) -> None:
    if not order.buyer_email:
        return
    total = Money(order.total, order.currency)
    delivery.email(
        session,
        to=order.buyer_email,
        subject=f"Your tickets — order {order.number}",
        text=f"Thank you! Order {order.number} is paid ({total.to_decimal()} "
        f"{total.currency}). Your tickets and their passes are in your account.",
    )


async def _cancel_pending(session: AsyncSession, order: Order, status: str) -> None:
    order.status = status
    order.cancelled_at = clock.now()
    if order.hold_id:
        hold = await session.get(Hold, order.hold_id)
        if hold is not None:
            await holds.release(session, hold)


async def expire_hold(session: AsyncSession, hold: Hold) -> None:
    """The sweeper's work on one expired hold: release it; its unpaid order expires and the
    payment, if it had not started, is cancelled."""
    if not await holds.release(session, hold):
        return
    order = await session.scalar(select(Order).where(Order.hold_id == hold.id))
    if order is not None and order.status == "pending":
        order.status = "expired"
        order.cancelled_at = clock.now()
        payment = await session.get(Payment, order.payment_id) if order.payment_id else None
        if payment is not None and payment.status in ("requires_payment_method", "requires_action"):
            await payments.cancel(session, payment)


async def release_expired(session: AsyncSession, limit: int = 200) -> int:
    """Release holds whose time is up. Safe on many nodes at once (guarded updates)."""
    expired = (
        await session.scalars(
            select(Hold).where(Hold.status == "active", Hold.expires_at <= clock.now()).limit(limit)
        )
    ).all()
    for hold in expired:
        await expire_hold(session, hold)
    return len(expired)


async def get_order(session: AsyncSession, public_id: uuid.UUID, *, lock: bool = False) -> Order:
    query = select(Order).where(Order.public_id == public_id)
    if lock:
        query = query.with_for_update()
    order = await session.scalar(query)
    if order is None:
        raise NotFound("No such order")
    return order


def refundable_amount(order: Order, policy: dict[str, Any], starts_at: Any) -> int:
    """What the buyer may still get back under the event's refund policy now (0: nothing):
    the policy's share of the order (a percentage, or the total less a fixed fee), less what
    has been refunded already."""
    if not policy.get("available"):
        return 0
    if clock.now() > starts_at - timedelta(days=policy.get("days_before", 0)):
        return 0
    if policy.get("type", "percentage") == "percentage":
        share = order.total * policy.get("value", 10_000) // 10_000
    else:
        share = order.total - policy.get("value", 0)
    return max(0, min(order.total - order.refunded, share - order.refunded))


async def refund(
    session: AsyncSession,
    order: Order,
    amount: int | None,
    reason: str | None,
    *,
    release_seats: bool = True,
) -> int:
    """Refund `amount` (or all that is left) of a paid order. A full refund voids the tickets
    and returns their seats to sale."""
    if order.status not in ("paid", "partially_refunded"):
        raise Conflict("Only a paid order can be refunded")
    left = order.total - order.refunded
    amount = left if amount is None else amount
    if amount <= 0 or amount > left:
        raise ValidationFailed.field("amount", f"Must be between 1 and {left}")
    payment = await session.get(Payment, order.payment_id) if order.payment_id else None
    if payment is not None and payment.provider is not None:
        await payments.refund(session, payment, amount, reason)
    order.refunded += amount
    order.status = "refunded" if order.refunded >= order.total else "partially_refunded"
    if order.status == "refunded" and release_seats:
        await void_tickets(session, order, "refunded")
    if order.buyer_email:
        money = Money(amount, order.currency)
        delivery.email(
            session,
            to=order.buyer_email,
            subject=f"Refund — order {order.number}",
            text=f"We refunded {money.to_decimal()} {money.currency} of order "
            f"{order.number}." + (f" Reason: {reason}" if reason else ""),
        )
    return amount


async def void_tickets(session: AsyncSession, order: Order, status: str) -> None:
    """Void an order's valid tickets and give their seats — and the order's goods — back (once:
    guarded by status). The coupon use stays spent."""
    tickets = (
        await session.scalars(
            select(Ticket).where(Ticket.order_id == order.id, Ticket.status == "valid")
        )
    ).all()
    if not tickets:
        return
    await session.execute(
        update(Ticket)
        .where(Ticket.order_id == order.id, Ticket.status == "valid")
        .values(status=status)
    )
    need = inventory.Need(order.occurrence_id, order.event_id, order.account_id)
    for ticket in tickets:
        if ticket.ticket_type_id is not None:
            need.seats[ticket.ticket_type_id] = need.seats.get(ticket.ticket_type_id, 0) + 1
    goods = await session.execute(
        select(OrderLine.product_id, OrderLine.quantity).where(
            OrderLine.order_id == order.id, OrderLine.kind == "merchandise"
        )
    )
    for product_id, quantity in goods:
        if product_id is not None:  # (a product deleted since keeps nothing to give back to)
            need.goods[product_id] = need.goods.get(product_id, 0) + quantity
    await inventory.give_back(session, need, coupon=False)
    # A voided ticket no longer opens the event's private and presence channels: its holders'
    # open subscriptions are re-checked at once rather than at the periodic re-check.
    holders = {t.account_id for t in tickets if t.account_id is not None}
    if holders:
        realtime.recheck_after_commit(
            session,
            accounts=await session.scalars(
                select(Account.public_id).where(Account.id.in_(holders))
            ),
        )
    from livehouse.ticketing import hooks

    await hooks.run_capacity_freed(session, order.event_id, order.occurrence_id, sorted(need.seats))


async def occurrence_start(session: AsyncSession, occurrence_id: int) -> Any:
    return await session.scalar(select(Occurrence.starts_at).where(Occurrence.id == occurrence_id))
