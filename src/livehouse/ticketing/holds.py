"""Holds: a basket reserved for a buyer for a few minutes.

Creating a hold checks everything that can be checked without the counters (the event is on
sale, the booking windows are open, the items exist and are within their limits, restrictions
pass, the coupon is valid), prices the basket, records the hold, and only then takes the
counters (inventory.take) — last, so hot counter rows stay locked as briefly as possible. A hold
that expires is released by the sweeper: its seats return to sale within seconds.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.db import keep
from livehouse.core.errors import Conflict, NotFound, ValidationFailed
from livehouse.core.ratelimit import SecretGuard
from livehouse.core.runtime import current
from livehouse.core.security import constant_time_equals, keyed_hash
from livehouse.events.access import is_public
from livehouse.events.models import Event, EventSession, Occurrence
from livehouse.identity.models import Account
from livehouse.identity.service import age_on
from livehouse.ticketing import catalog, hooks, inventory, pricing, salecache, soldout
from livehouse.ticketing.models import Hold, Product, TicketSettings, TicketType, TicketVariation


@dataclass(frozen=True, slots=True)
class TicketItem:
    ticket_type_id: uuid.UUID
    quantity: int
    variation_id: uuid.UUID | None = None
    donation_amount: int | None = None


@dataclass(frozen=True, slots=True)
class GoodsItem:
    product_id: uuid.UUID
    quantity: int


@dataclass(frozen=True, slots=True)
class Basket:
    occurrence_id: uuid.UUID | None
    tickets: list[TicketItem]
    goods: list[GoodsItem]
    coupon_code: str | None = None
    invitation_code: str | None = None
    buyer_email: str | None = None  # for guest checkout and e-mail-list restrictions
    invitation_token: str | None = None  # from an "invite to book" link


def _hold_minutes(settings: TicketSettings) -> int:
    return settings.hold_minutes or current().settings.ticket_hold_minutes


async def pick_occurrence(
    session: AsyncSession, event: Event, public_id: uuid.UUID | None
) -> Occurrence:
    """The date a sale is for: the one named, or the only upcoming one (through the sale
    cache: the next two upcoming dates stay right until the first of them ends)."""
    if public_id is None:
        upcoming = await salecache.cached(
            session,
            event.id,
            "upcoming",
            lambda: _upcoming(session, event),
            valid_until=lambda dates: min((d.ends_at for d in dates), default=None),
        )
        if len(upcoming) != 1:
            raise ValidationFailed.field(
                "occurrence_id",
                "This event has several dates; choose one"
                if upcoming
                else "This event has no upcoming date",
            )
        keep(session, upcoming[0])
        return upcoming[0]
    occurrence = await salecache.cached(
        session,
        event.id,
        ("date", public_id),
        lambda: session.scalar(
            select(Occurrence).where(
                Occurrence.public_id == public_id, Occurrence.event_id == event.id
            )
        ),
    )
    if occurrence is None:
        raise ValidationFailed.field("occurrence_id", "Not a date of this event")
    keep(session, occurrence)
    return occurrence


async def _upcoming(session: AsyncSession, event: Event) -> list[Occurrence]:
    """The event's next two dates that have not ended."""
    return list(
        (
            await session.scalars(
                select(Occurrence)
                .where(Occurrence.event_id == event.id, Occurrence.ends_at > clock.now())
                .order_by(Occurrence.starts_at)
                .limit(2)
            )
        ).all()
    )


def check_on_sale(event: Event, occurrence: Occurrence, settings: TicketSettings) -> None:
    now = clock.now()
    if not is_public(event) or event.cancelled_at is not None or event.ended_at is not None:
        raise Conflict("This event is not on sale")
    if settings.booking_starts_at and now < settings.booking_starts_at:
        raise Conflict(f"Booking opens at {settings.booking_starts_at.isoformat()}")
    closes = settings.booking_ends_at or occurrence.starts_at
    closes = min(closes, occurrence.starts_at - timedelta(minutes=settings.blockout_minutes))
    if now >= closes:
        raise Conflict("Booking for this date has closed")


def visible(ticket_type: TicketType) -> bool:
    """Shown to buyers: active, and not hidden until its sales start."""
    if not ticket_type.active:
        return False
    starts = ticket_type.booking_starts_at
    return not (ticket_type.hide_until_booking_starts and starts and clock.now() < starts)


def _type_on_sale(ticket_type: TicketType, occurrence: Occurrence, field: str) -> None:
    now = clock.now()
    if ticket_type.occurrence_id is not None and ticket_type.occurrence_id != occurrence.id:
        raise ValidationFailed.field(field, "This ticket is not sold for that date")
    if ticket_type.booking_starts_at and now < ticket_type.booking_starts_at:
        if ticket_type.hide_until_booking_starts:
            raise ValidationFailed.field(field, "No such ticket type")
        raise ValidationFailed.field(field, "Sales of this ticket have not started")
    if ticket_type.booking_ends_at and now >= ticket_type.booking_ends_at:
        raise ValidationFailed.field(field, "Sales of this ticket have ended")


async def check_restrictions(
    session: AsyncSession,
    rules: list[dict[str, Any]],
    *,
    account: Account | None,
    basket: Basket,
    event: Event,
    field: str,
    ip: str,
) -> None:
    for rule in rules:
        kind = rule["type"]
        if kind == "age":
            if account is None or account.date_of_birth is None:
                raise ValidationFailed.field(
                    field,
                    "Add your date of birth to your account to "
                    "buy this ticket (it is age restricted)",
                )
            age = age_on(account.date_of_birth, clock.now().date())
            if rule.get("min") is not None and age < rule["min"]:
                raise ValidationFailed.field(field, f"You must be at least {rule['min']}")
            if rule.get("max") is not None and age > rule["max"]:
                raise ValidationFailed.field(field, f"This ticket is for ages up to {rule['max']}")
        elif kind == "invitation_code":
            await _check_invitation_code(rule, basket, event, ip)
        elif kind == "email_list":
            email = (account.email if account else basket.buyer_email) or ""
            if email.strip().casefold() not in rule["emails"]:
                raise ValidationFailed.field(field, "This ticket is for invited guests only")
        elif kind == "invitation_link":
            if not hooks.invitation_link:
                raise ValidationFailed.field(field, "This ticket is sold by invitation only")
            for check in hooks.invitation_link:
                await check(session, event, account, basket)


async def _check_invitation_code(
    rule: dict[str, Any], basket: Basket, event: Event, ip: str
) -> None:
    runtime = current()
    guard = SecretGuard(
        runtime.limiter,
        "invitation-code",
        runtime.settings.secret_rate_per_account,
        runtime.settings.login_rate_per_ip,
    )
    subject = f"{event.id}:{ip}"
    await guard.before(subject, ip)
    code = (basket.invitation_code or "").strip().casefold()
    if not code or not constant_time_equals(rule["code_hash"], keyed_hash(code, "invitation")):
        await guard.failed(subject)
        raise ValidationFailed.field("invitation_code", "The invitation code is wrong")


async def _resolve_tickets(
    session: AsyncSession, event: Event, occurrence: Occurrence, items: list[TicketItem]
) -> list[pricing.TicketPick]:
    if not items:
        return []
    types, variations = await catalog.types_on_sale(
        session, event, [i.ticket_type_id for i in items]
    )
    picks, seen = [], set()
    for n, item in enumerate(items):
        field = f"items.{n}"
        tt = types.get(item.ticket_type_id)
        if tt is None:
            raise ValidationFailed.field(f"{field}.ticket_type_id", "No such ticket type")
        _type_on_sale(tt, occurrence, f"{field}.ticket_type_id")
        if tt.session_id is not None:
            sess = await session.get(EventSession, tt.session_id)
            if sess is None or sess.occurrence_id != occurrence.id:
                raise ValidationFailed.field(
                    f"{field}.ticket_type_id", "This session ticket is not for that date"
                )
        options = variations.get(tt.id, [])
        if item.variation_id is None:
            if len(options) != 1:
                raise ValidationFailed.field(f"{field}.variation_id", "Choose a variation")
            variation = options[0]
        else:
            variation = next((v for v in options if v.public_id == item.variation_id), None)
            if variation is None:
                raise ValidationFailed.field(f"{field}.variation_id", "No such variation")
        if (tt.id, variation.id) in seen:
            raise ValidationFailed.field(field, "List each ticket once, with its quantity")
        seen.add((tt.id, variation.id))
        if item.quantity < tt.min_per_order:
            raise ValidationFailed.field(f"{field}.quantity", f"At least {tt.min_per_order}")
        seats = item.quantity * variation.quantity_included
        if tt.max_per_customer is not None and seats > tt.max_per_customer:
            raise ValidationFailed.field(
                f"{field}.quantity", f"At most {tt.max_per_customer} per customer"
            )
        donation = None
        if tt.category == "donation":
            donation = item.donation_amount
            if donation is None or donation < (tt.donation_minimum or 0):
                raise ValidationFailed.field(
                    f"{field}.donation_amount", f"Give at least {tt.donation_minimum or 0}"
                )
        elif item.donation_amount is not None:
            raise ValidationFailed.field(f"{field}.donation_amount", "Only for donation tickets")
        keep(session, tt, variation)  # the order's view names them again
        picks.append(pricing.TicketPick(tt, variation, item.quantity, donation))
    return picks


async def _resolve_goods(
    session: AsyncSession, event: Event, items: list[GoodsItem]
) -> list[pricing.GoodsPick]:
    picks = []
    for n, item in enumerate(items):
        field = f"merchandise.{n}"
        product = await session.scalar(
            select(Product).where(
                Product.public_id == item.product_id, Product.org_id == event.org_id, Product.active
            )
        )
        if product is None:
            raise ValidationFailed.field(f"{field}.product_id", "No such product")
        if product.currency != event.currency:
            raise ValidationFailed.field(
                f"{field}.product_id", f"Priced in {product.currency}, not {event.currency}"
            )
        if item.quantity < product.min_per_order or (
            product.max_per_order is not None and item.quantity > product.max_per_order
        ):
            raise ValidationFailed.field(
                f"{field}.quantity",
                f"Between {product.min_per_order} and "
                f"{product.max_per_order or 'any number'} per order",
            )
        picks.append(pricing.GoodsPick(product, item.quantity))
    return picks


def payable_until() -> datetime:
    """How long a hold at checkout lasts at least: long enough to pay (and answer a card
    challenge) without losing the seats meanwhile."""
    return clock.now() + timedelta(minutes=current().settings.checkout_payment_minutes)


async def create_hold(
    session: AsyncSession,
    event: Event,
    basket: Basket,
    *,
    account: Account | None,
    ip: str,
    waitlist_entry_id: int | None = None,
) -> Hold:
    """Check, price and record a hold, then take its counters."""
    hold = await price_hold(
        session, event, basket, account=account, ip=ip, waitlist_entry_id=waitlist_entry_id
    )
    session.add(hold)
    await session.flush()
    await inventory.take(session, need_of(hold))
    return hold


async def price_hold(
    session: AsyncSession,
    event: Event,
    basket: Basket,
    *,
    account: Account | None,
    ip: str,
    waitlist_entry_id: int | None = None,
    for_checkout: bool = False,
) -> Hold:
    """Everything a hold checks and its price — a new `Hold`, neither added to the session nor
    counted: the caller records it and must `inventory.take(session, need_of(hold))` before
    its transaction commits. `for_checkout`: checked out at once, so it is made as long as
    checkout would make it."""
    settings = await catalog.settings_of(session, event)
    if account is None and not settings.guest_checkout:
        raise ValidationFailed.field("buyer_email", "Sign in to buy tickets for this event")
    if account is None and not basket.buyer_email:
        raise ValidationFailed.field("buyer_email", "Guests give an e-mail address")
    if not basket.tickets and not basket.goods:
        raise ValidationFailed.field("items", "Choose at least one ticket")
    occurrence = await pick_occurrence(session, event, basket.occurrence_id)
    check_on_sale(event, occurrence, settings)
    tickets = await _resolve_tickets(session, event, occurrence, basket.tickets)
    if tickets and waitlist_entry_id is None:  # a waiting-list offer: places just came back
        known = soldout.refusal(
            session, event.id, occurrence.id, (t.ticket_type.id for t in tickets)
        )
        if known is not None:
            raise inventory.SoldOut(known.message, extra=dict(known.extra or {}))
    if basket.goods and not tickets:
        raise ValidationFailed.field("items", "Merchandise is sold with tickets")
    goods = await _resolve_goods(session, event, basket.goods)
    await check_restrictions(
        session,
        settings.restrictions,
        account=account,
        basket=basket,
        event=event,
        field="items",
        ip=ip,
    )
    for n, pick in enumerate(tickets):
        await check_restrictions(
            session,
            pick.ticket_type.restrictions,
            account=account,
            basket=basket,
            event=event,
            field=f"items.{n}",
            ip=ip,
        )
    coupon = (
        await catalog.find_coupon(session, event, basket.coupon_code)
        if basket.coupon_code
        else None
    )
    expires_at = clock.now() + timedelta(minutes=_hold_minutes(settings))
    if for_checkout:
        expires_at = max(expires_at, payable_until())
    quote = pricing.quote(
        currency=event.currency,
        tickets=tickets,
        goods=goods,
        settings=settings,
        coupon=coupon,
        tax_rate_bp=event.tax_rate_bp,
        at=clock.now(),
    )
    return Hold(
        event_id=event.id,
        occurrence_id=occurrence.id,
        account_id=account.id if account else None,
        coupon_id=coupon.id if coupon else None,
        status="active",
        lines=quote.lines,
        quote=quote.as_dict(),
        waitlist_entry_id=waitlist_entry_id,
        buyer_email=basket.buyer_email,
        expires_at=expires_at,
    )


def need_of(hold: Hold) -> inventory.Need:
    return inventory.Need.of_lines(
        hold.lines,
        occurrence_id=hold.occurrence_id,
        event_id=hold.event_id,
        account_id=hold.account_id,
        coupon_id=hold.coupon_id,
    )


async def get_hold(session: AsyncSession, public_id: uuid.UUID, *, lock: bool = False) -> Hold:
    query = select(Hold).where(Hold.public_id == public_id)
    if lock:
        query = query.with_for_update()
    hold = await session.scalar(query)
    if hold is None:
        raise NotFound("No such hold")
    return hold


async def release(session: AsyncSession, hold: Hold) -> bool:
    """Give an active hold's seats back — once, whoever asks (buyer, sweeper, another node)."""
    result = await session.execute(
        update(Hold)
        .where(Hold.id == hold.id, Hold.status == "active")
        .values(status="released", released_at=clock.now())
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    hold.status = "released"
    await inventory.give_back(session, need_of(hold))
    await hooks.run_capacity_freed(
        session, hold.event_id, hold.occurrence_id, sorted(inventory.seats_by_type(hold.lines))
    )
    return True


async def convert(session: AsyncSession, hold: Hold) -> bool:
    """Mark a hold sold; False if it was released meanwhile (its seats may be gone)."""
    result = await session.execute(
        update(Hold).where(Hold.id == hold.id, Hold.status == "active").values(status="converted")
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        hold.status = "converted"
        return True
    return False


def variation_ids(hold: Hold) -> list[int]:
    return [line["variation_id"] for line in hold.lines if line.get("variation_id")]


async def lines_for_view(session: AsyncSession, hold: Hold) -> list[dict[str, Any]]:
    """Hold lines with public ids instead of internal ones."""
    types = {
        t.id: t.public_id
        for t in (
            await session.scalars(
                select(TicketType).where(
                    TicketType.id.in_(
                        [ln["ticket_type_id"] for ln in hold.lines if "ticket_type_id" in ln]
                        or [-1]
                    )
                )
            )
        ).all()
    }
    variations = {
        v.id: v.public_id
        for v in (
            await session.scalars(
                select(TicketVariation).where(TicketVariation.id.in_(variation_ids(hold) or [-1]))
            )
        ).all()
    }
    products = {
        p.id: p.public_id
        for p in (
            await session.scalars(
                select(Product).where(
                    Product.id.in_(
                        [ln["product_id"] for ln in hold.lines if "product_id" in ln] or [-1]
                    )
                )
            )
        ).all()
    }
    out = []
    for line in hold.lines:
        view = {
            k: v
            for k, v in line.items()
            if k not in ("ticket_type_id", "variation_id", "product_id")
        }
        if "ticket_type_id" in line:
            view["ticket_type_id"] = types.get(line["ticket_type_id"])
            view["variation_id"] = variations.get(line["variation_id"])
        if "product_id" in line:
            view["product_id"] = products.get(line["product_id"])
        out.append(view)
    return out
