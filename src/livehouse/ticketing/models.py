"""Ticketing tables.

Selling capacity is decided only by the *stock counters* (`ticket_stock`, `event_stock`,
`product_stock` in `products`, `coupon_uses` in `coupons`, `customer_purchases`): each sale
takes seats with one conditional UPDATE (`taken + n <= capacity`), so concurrent buyers can
never take more than exists. Holds, orders and tickets record *what* was taken; the counters say
*how much* is taken. `inventory.py` is the only module that changes counters.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from livehouse.core import clock
from livehouse.core.db import Base, BigId, IdMixin, TimestampMixin, UTCDateTime


class TicketSettings(Base):
    """Per-event selling settings (EventBookings `settings`, `refund`, `early_bird_discount`)."""

    __tablename__ = "ticket_settings"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    booking_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: now
    hide_until_booking_starts: Mapped[bool] = mapped_column(Boolean, default=False)
    booking_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: event start
    blockout_minutes: Mapped[int] = mapped_column(Integer, default=0)  # stop selling N min before
    guest_checkout: Mapped[bool] = mapped_column(Boolean, default=False)
    hold_minutes: Mapped[int | None] = mapped_column(Integer)  # None: the platform default
    service_charge_bp: Mapped[int] = mapped_column(Integer, default=0)  # basis points
    service_charge_fixed: Mapped[int] = mapped_column(BigId, default=0)  # per ticket, minor units
    tax_inclusive: Mapped[bool] = mapped_column(Boolean, default=True)
    early_bird: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {type, value, starts, ends}
    refund_policy: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    restrictions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    waiting_list: Mapped[bool] = mapped_column(Boolean, default=False)
    digital_pass: Mapped[bool] = mapped_column(Boolean, default=True)
    special_instruction: Mapped[str | None] = mapped_column(Text)
    # Bumped with every change to the event's dates, sessions, ticket types, variations or
    # order form: what the per-process sale cache checks its entries against (salecache.py).
    sale_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class TicketType(IdMixin, TimestampMixin, Base):
    """A level of ticket (EventBookings `levels`) — or a sectional viewing tier / table (Imprxx),
    or a donation ticket. Sold per occurrence; optionally only for one session."""

    __tablename__ = "ticket_types"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    occurrence_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_occurrences.id", ondelete="CASCADE")
    )  # None: every occurrence
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_sessions.id", ondelete="CASCADE")
    )  # None: the whole occurrence
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(16), default="ticket")  # ticket|donation|table
    display_order: Mapped[int] = mapped_column(Integer, default=0)
    quantity: Mapped[int | None] = mapped_column(Integer)  # seats per occurrence; None: unlimited
    max_per_customer: Mapped[int | None] = mapped_column(Integer)
    min_per_order: Mapped[int] = mapped_column(Integer, default=1)
    donation_minimum: Mapped[int | None] = mapped_column(BigId)
    # Sectional viewing (Imprxx): a named tier such as VVIP, a table, a time slot, a reduction.
    section: Mapped[str | None] = mapped_column(String(50))
    table_number: Mapped[int | None] = mapped_column(Integer)
    interval_minutes: Mapped[int | None] = mapped_column(Integer)
    reduction_bp: Mapped[int | None] = mapped_column(Integer)
    booking_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hide_until_booking_starts: Mapped[bool] = mapped_column(Boolean, default=False)
    booking_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sell_at_venue: Mapped[bool] = mapped_column(Boolean, default=False)
    price_includes_service_charge: Mapped[bool] = mapped_column(Boolean, default=False)
    digital_pass: Mapped[bool] = mapped_column(Boolean, default=True)
    waiting_list: Mapped[bool] = mapped_column(Boolean, default=False)
    early_bird: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    restrictions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    custom_attributes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class TicketVariation(IdMixin, Base):
    """A priced way to buy a ticket type: Gold (5 included, 250.00), Silver (3, 50.00)…
    A type without variations has exactly one, with an empty name."""

    __tablename__ = "ticket_variations"

    ticket_type_id: Mapped[int] = mapped_column(
        ForeignKey("ticket_types.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100), default="")
    price: Mapped[int] = mapped_column(BigId)  # minor units, per purchase unit
    quantity_included: Mapped[int] = mapped_column(Integer, default=1)  # seats per unit
    display_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class TicketStock(Base):
    """Seats of one ticket type at one occurrence: `taken` counts held and sold seats."""

    __tablename__ = "ticket_stock"
    __table_args__ = (UniqueConstraint("ticket_type_id", "occurrence_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_type_id: Mapped[int] = mapped_column(ForeignKey("ticket_types.id", ondelete="CASCADE"))
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("event_occurrences.id", ondelete="CASCADE"), index=True
    )
    capacity: Mapped[int | None] = mapped_column(Integer)
    taken: Mapped[int] = mapped_column(Integer, default=0)


class EventStock(Base):
    """Event-wide seats of one occurrence, across every ticket type."""

    __tablename__ = "event_stock"

    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("event_occurrences.id", ondelete="CASCADE"), primary_key=True
    )
    capacity: Mapped[int | None] = mapped_column(Integer)
    taken: Mapped[int] = mapped_column(Integer, default=0)


class CustomerPurchases(Base):
    """Seats one account holds or bought of a ticket type at an occurrence (per-customer limit)."""

    __tablename__ = "customer_purchases"
    __table_args__ = (UniqueConstraint("ticket_type_id", "occurrence_id", "account_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_type_id: Mapped[int] = mapped_column(ForeignKey("ticket_types.id", ondelete="CASCADE"))
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("event_occurrences.id", ondelete="CASCADE")
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    taken: Mapped[int] = mapped_column(Integer, default=0)


class Coupon(IdMixin, TimestampMixin, Base):
    __tablename__ = "coupons"
    __table_args__ = (UniqueConstraint("event_id", "code_normalized"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(50))
    code_normalized: Mapped[str] = mapped_column(String(50))
    discount_type: Mapped[str] = mapped_column(String(10))  # percentage|fixed
    discount_value: Mapped[int] = mapped_column(BigId)  # basis points, or minor units
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    uses_per_coupon: Mapped[int | None] = mapped_column(Integer)
    uses_per_customer: Mapped[int | None] = mapped_column(Integer)
    used: Mapped[int] = mapped_column(Integer, default=0)  # the counter (held + redeemed)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CouponCustomerUse(Base):
    __tablename__ = "coupon_customer_uses"
    __table_args__ = (UniqueConstraint("coupon_id", "account_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    coupon_id: Mapped[int] = mapped_column(ForeignKey("coupons.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    used: Mapped[int] = mapped_column(Integer, default=0)


class Product(IdMixin, TimestampMixin, Base):
    """Merchandise of an organisation (EventBookings products), sold alongside tickets."""

    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("org_id", "code"),)

    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text)
    images: Mapped[list[str]] = mapped_column(JSON, default=list)
    price: Mapped[int] = mapped_column(BigId)
    currency: Mapped[str] = mapped_column(String(3))
    qty_available: Mapped[int | None] = mapped_column(Integer)  # None: unlimited
    sold: Mapped[int] = mapped_column(Integer, default=0)  # the counter (held + sold)
    min_per_order: Mapped[int] = mapped_column(Integer, default=1)
    max_per_order: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Hold(IdMixin, Base):
    """Seats (and goods, and a coupon use) reserved for a buyer until `expires_at`."""

    __tablename__ = "ticket_holds"
    __table_args__ = (Index("ix_ticket_holds_expiry", "status", "expires_at"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("event_occurrences.id", ondelete="CASCADE")
    )
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    coupon_id: Mapped[int | None] = mapped_column(ForeignKey("coupons.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="active")  # active|converted|released
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # priced lines (pricing.quote)
    quote: Mapped[dict[str, Any]] = mapped_column(JSON)  # totals (pricing.Quote.as_dict)
    buyer_email: Mapped[str | None] = mapped_column(String(320))  # guests
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    waitlist_entry_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Order(IdMixin, TimestampMixin, Base):
    __tablename__ = "orders"

    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("event_occurrences.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    hold_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_holds.id", ondelete="SET NULL"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="SET NULL"))
    coupon_id: Mapped[int | None] = mapped_column(ForeignKey("coupons.id", ondelete="SET NULL"))
    # pending → paid → partially_refunded | refunded; pending → cancelled | expired
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # human-friendly reference
    buyer_name: Mapped[str | None] = mapped_column(String(200))
    buyer_email: Mapped[str | None] = mapped_column(String(320))
    buyer_phone: Mapped[str | None] = mapped_column(String(20))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[int] = mapped_column(BigId)
    discount: Mapped[int] = mapped_column(BigId, default=0)
    service_charge: Mapped[int] = mapped_column(BigId, default=0)
    tax: Mapped[int] = mapped_column(BigId, default=0)
    total: Mapped[int] = mapped_column(BigId)
    refunded: Mapped[int] = mapped_column(BigId, default=0)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OrderLine(IdMixin, Base):
    """ticket | donation | merchandise | service_charge | tax | discount (negative)."""

    __tablename__ = "order_lines"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    ticket_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket_types.id", ondelete="SET NULL")
    )
    variation_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket_variations.id", ondelete="SET NULL")
    )
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(String(200))
    unit_price: Mapped[int] = mapped_column(BigId)
    quantity: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigId)


class Ticket(IdMixin, TimestampMixin, Base):
    """One issued place (an attendee). Its digital pass is a code signed by the organisation."""

    __tablename__ = "tickets"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("event_occurrences.id", ondelete="CASCADE"), index=True
    )
    ticket_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket_types.id", ondelete="SET NULL"), index=True
    )
    variation_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket_variations.id", ondelete="SET NULL")
    )
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )  # the buyer
    holder_name: Mapped[str | None] = mapped_column(String(200))
    holder_email: Mapped[str | None] = mapped_column(String(320))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    table_number: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="valid")  # valid|refunded|cancelled
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_by_account_id: Mapped[int | None] = mapped_column(BigId)


class PassKey(Base):
    """An organisation's key for signing digital passes (Ed25519). Scanners verify passes
    offline with the public halves, published per organisation."""

    __tablename__ = "pass_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    private_key_encrypted: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WaitlistEntry(IdMixin, TimestampMixin, Base):
    """Someone waiting for places of a sold-out ticket type at one date. When places free up,
    the first in line whose quantity fits gets them as a hold of their own (`offer_hold_id`)."""

    __tablename__ = "waitlist_entries"
    __table_args__ = (Index("ix_waitlist_entries_queue", "occurrence_id", "status", "id"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("event_occurrences.id", ondelete="CASCADE")
    )
    ticket_type_id: Mapped[int] = mapped_column(ForeignKey("ticket_types.id", ondelete="CASCADE"))
    variation_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket_variations.id", ondelete="SET NULL")
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int] = mapped_column(Integer)  # purchase units of the variation
    # waiting → offered → purchased | lapsed; waiting | offered → left; waiting → ineligible
    status: Mapped[str] = mapped_column(String(12), default="waiting")
    # "<type>:<occurrence>:<account>" while waiting or offered, else NULL: one open entry each.
    active_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    offer_hold_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket_holds.id", ondelete="SET NULL")
    )
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(200))  # why it closed, when it says


class BookingInvitation(IdMixin, TimestampMixin, Base):
    """An organiser's invitation to book an event (EventBookings invite_to_book): an e-mailed
    link whose token, stored as a keyed hash, lets the invited address buy invitation-only
    tickets (all of the event's, or one ticket type's)."""

    __tablename__ = "ticket_invitations"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    ticket_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket_types.id", ondelete="CASCADE")
    )
    email: Mapped[str] = mapped_column(String(320))
    email_normalized: Mapped[str] = mapped_column(String(320), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    message: Mapped[str | None] = mapped_column(Text)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    invited_by_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    sent_count: Mapped[int] = mapped_column(Integer, default=1)


class OrderFormField(IdMixin, TimestampMixin, Base):
    """A question of an event's order form (EventBookings order_form), asked of the buyer once
    or of each attendee; answers are checked at checkout and kept on the order and tickets."""

    __tablename__ = "order_form_fields"
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50))  # the key in answers
    label: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(10))  # text|number|date|select|checkbox
    source: Mapped[str] = mapped_column(String(10), default="buyer")  # buyer|attendee
    mandatory: Mapped[bool] = mapped_column(Boolean, default=False)
    min_length: Mapped[int | None] = mapped_column(Integer)
    max_length: Mapped[int | None] = mapped_column(Integer)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    ticket_type_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # empty: every ticket
    placeholder: Mapped[str | None] = mapped_column(String(200))
    instruction: Mapped[str | None] = mapped_column(Text)
    display_order: Mapped[int] = mapped_column(Integer, default=0)


class OrderAccessToken(Base):
    """A key to a guest's order (guests have no account to sign in with), handed out once at
    checkout and in their e-mails; stored as a keyed hash."""

    __tablename__ = "order_access_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
