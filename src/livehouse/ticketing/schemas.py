"""Native API models of ticketing. Money is integer minor units in the event's currency."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from livehouse.core.money import Currency
from livehouse.core.schemas import Input, Output
from livehouse.core.validators import Email, Phone
from livehouse.payments.schemas import CardIn, PaymentOut


class DiscountRule(Input):
    type: Literal["percentage", "fixed"]
    value: int = Field(gt=0, description="Basis points (1000 = 10 %) or minor units")
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    def stored(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "value": self.value,
            "starts_at": self.starts_at.isoformat() if self.starts_at else None,
            "ends_at": self.ends_at.isoformat() if self.ends_at else None,
        }


class Restriction(Input):
    type: Literal["age", "invitation_code", "invitation_link", "email_list"]
    min: int | None = Field(None, ge=0, le=130)
    max: int | None = Field(None, ge=0, le=130)
    code: str | None = Field(None, max_length=64)
    emails: list[str] | None = Field(None, max_length=10_000)


class RefundPolicy(Input):
    available: bool = False
    automatic: bool = True
    days_before: int = Field(0, ge=0, le=3650)
    type: Literal["percentage", "fixed"] = "percentage"
    value: int = Field(10_000, ge=0, description="Refunded share (bp) or amount withheld")


class TicketSettingsIn(Input):
    booking_starts_at: datetime | None = None
    hide_until_booking_starts: bool | None = None
    booking_ends_at: datetime | None = None
    blockout_minutes: int | None = Field(None, ge=0, le=10_080)
    guest_checkout: bool | None = None
    hold_minutes: int | None = Field(None, ge=1, le=120)
    service_charge_bp: int | None = Field(None, ge=0, le=10_000)
    service_charge_fixed: int | None = Field(None, ge=0)
    tax_inclusive: bool | None = None
    early_bird: DiscountRule | None = None
    refund_policy: RefundPolicy | None = None
    restrictions: list[Restriction] | None = None
    waiting_list: bool | None = None
    digital_pass: bool | None = None
    special_instruction: str | None = Field(None, max_length=2500)


class TicketSettingsOut(Output):
    booking_starts_at: datetime | None
    hide_until_booking_starts: bool
    booking_ends_at: datetime | None
    blockout_minutes: int
    guest_checkout: bool
    hold_minutes: int | None
    service_charge_bp: int
    service_charge_fixed: int
    tax_inclusive: bool
    early_bird: dict[str, Any] | None
    refund_policy: dict[str, Any]
    restrictions: list[dict[str, Any]]
    waiting_list: bool
    digital_pass: bool
    special_instruction: str | None


class VariationIn(Input):
    name: str = Field("", max_length=100)
    price: int = Field(ge=0, description="Per purchase unit, minor units")
    quantity_included: int = Field(1, ge=1, le=1000, description="Places one unit admits")


class TicketTypeFields(Input):
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=2500)
    category: Literal["ticket", "donation", "table"] | None = None
    display_order: int | None = None
    quantity: int | None = Field(None, ge=0, description="Places per date; null: unlimited")
    max_per_customer: int | None = Field(None, ge=1)
    min_per_order: int | None = Field(None, ge=1)
    donation_minimum: int | None = Field(None, ge=0)
    section: str | None = Field(None, max_length=50)
    table_number: int | None = Field(None, ge=1)
    interval_minutes: int | None = Field(None, ge=1)
    reduction_bp: int | None = Field(None, ge=0, le=10_000)
    booking_starts_at: datetime | None = None
    hide_until_booking_starts: bool | None = None
    booking_ends_at: datetime | None = None
    sell_at_venue: bool | None = None
    price_includes_service_charge: bool | None = None
    digital_pass: bool | None = None
    waiting_list: bool | None = None
    early_bird: DiscountRule | None = None
    restrictions: list[Restriction] | None = None
    custom_attributes: list[dict[str, Any]] | None = Field(None, max_length=50)
    variations: list[VariationIn] | None = Field(None, max_length=50)
    active: bool | None = None


class TicketTypeCreate(TicketTypeFields):
    name: str = Field(min_length=1, max_length=100)
    occurrence: uuid.UUID | None = Field(None, description="Only for this date")
    session: uuid.UUID | None = Field(None, description="Only for this session")


class VariationOut(Output):
    id: uuid.UUID
    name: str
    price: int
    quantity_included: int


class TicketTypeOut(Output):
    id: uuid.UUID
    name: str
    description: str | None
    category: str
    display_order: int
    quantity: int | None
    available: int | None = Field(None, description="Places left at the chosen date")
    max_per_customer: int | None
    min_per_order: int
    donation_minimum: int | None
    section: str | None
    table_number: int | None
    interval_minutes: int | None
    reduction_bp: int | None
    booking_starts_at: datetime | None
    booking_ends_at: datetime | None
    sell_at_venue: bool
    price_includes_service_charge: bool
    digital_pass: bool
    waiting_list: bool
    early_bird: dict[str, Any] | None
    restricted: list[str] = Field(description="Restriction kinds that apply")
    custom_attributes: list[dict[str, Any]]
    active: bool
    variations: list[VariationOut]


class CouponIn(Input):
    name: str | None = Field(None, max_length=100)
    code: str | None = Field(None, min_length=2, max_length=50)
    discount_type: Literal["percentage", "fixed"] | None = None
    discount_value: int | None = Field(None, gt=0)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    uses_per_coupon: int | None = Field(None, ge=1)
    uses_per_customer: int | None = Field(None, ge=1)
    active: bool | None = None


class CouponCreate(CouponIn):
    code: str = Field(min_length=2, max_length=50)
    discount_type: Literal["percentage", "fixed"]
    discount_value: int = Field(gt=0)


class CouponOut(Output):
    id: uuid.UUID
    name: str | None
    code: str
    discount_type: str
    discount_value: int
    starts_at: datetime | None
    ends_at: datetime | None
    uses_per_coupon: int | None
    uses_per_customer: int | None
    used: int
    active: bool


class ProductIn(Input):
    name: str | None = Field(None, min_length=1, max_length=100)
    code: str | None = Field(None, min_length=1, max_length=50)
    description: str | None = Field(None, max_length=2500)
    images: list[str] | None = Field(None, max_length=20)
    price: int | None = Field(None, ge=0)
    currency: Currency | None = None
    qty_available: int | None = Field(None, ge=0)
    min_per_order: int | None = Field(None, ge=1)
    max_per_order: int | None = Field(None, ge=1)
    active: bool | None = None


class ProductCreate(ProductIn):
    name: str = Field(min_length=1, max_length=100)
    code: str = Field(min_length=1, max_length=50)
    price: int = Field(ge=0)
    currency: Currency


class ProductOut(Output):
    id: uuid.UUID
    name: str
    code: str
    description: str | None
    images: list[str]
    price: int
    currency: str
    qty_available: int | None
    available: int | None
    min_per_order: int
    max_per_order: int | None
    active: bool


class TicketLineIn(Input):
    ticket_type_id: uuid.UUID
    variation_id: uuid.UUID | None = None
    quantity: int = Field(ge=1, le=1000)
    donation_amount: int | None = Field(None, ge=0)


class GoodsLineIn(Input):
    product_id: uuid.UUID
    quantity: int = Field(ge=1, le=1000)


class HoldCreate(Input):
    occurrence_id: uuid.UUID | None = Field(
        None, description="Needed when the event has several upcoming dates"
    )
    items: list[TicketLineIn] = Field(default_factory=list, max_length=50)
    merchandise: list[GoodsLineIn] = Field(default_factory=list, max_length=50)
    coupon_code: str | None = Field(None, max_length=50)
    invitation_code: str | None = Field(None, max_length=64)
    invitation_token: str | None = Field(None, max_length=2048)
    buyer_email: Email | None = Field(None, description="Guests (when the event allows them)")


class QuoteOut(Output):
    currency: str
    subtotal: int
    discount: int
    service_charge: int
    tax: int
    tax_inclusive: bool
    total: int


class HoldOut(Output):
    id: uuid.UUID
    status: str
    expires_at: datetime
    occurrence_id: uuid.UUID
    lines: list[dict[str, Any]]
    quote: QuoteOut


class Buyer(Input):
    name: str | None = Field(None, max_length=200)
    email: Email | None = None
    phone: Phone | None = None


class AttendeeIn(Input):
    name: str | None = Field(None, max_length=200)
    email: Email | None = None
    answers: dict[str, Any] = Field(default_factory=dict)


class CheckoutIn(Input):
    buyer: Buyer = Field(default_factory=Buyer)
    answers: dict[str, Any] = Field(default_factory=dict, description="The order form")
    attendees: list[AttendeeIn] = Field(default_factory=list, max_length=1000)


class PurchaseIn(HoldCreate, CheckoutIn):
    """Hold, checkout and pay in one request (API clients, box offices)."""

    card: CardIn | None = None


class OrderLineOut(Output):
    kind: str
    description: str
    unit_price: int
    quantity: int
    amount: int


class TicketOut(Output):
    id: uuid.UUID
    order_id: uuid.UUID
    event_id: uuid.UUID
    occurrence_id: uuid.UUID
    ticket_type: str | None
    holder_name: str | None
    holder_email: str | None
    table_number: int | None
    status: str
    checked_in_at: datetime | None
    pass_code: str | None = Field(None, description="Signed; shown as a QR code at the door")
    answers: dict[str, Any] = Field(default_factory=dict, description="The attendee's order form")


class OrderOut(Output):
    id: uuid.UUID
    number: str
    status: str
    event_id: uuid.UUID
    occurrence_id: uuid.UUID
    buyer_name: str | None
    buyer_email: str | None
    currency: str
    subtotal: int
    discount: int
    service_charge: int
    tax: int
    total: int
    refunded: int
    created_at: datetime
    paid_at: datetime | None
    lines: list[OrderLineOut]
    payment: PaymentOut | None = None
    tickets: list[TicketOut] = Field(default_factory=list)
    answers: dict[str, Any] = Field(default_factory=dict, description="The buyer's order form")
    guest_token: str | None = Field(
        None, description="Guests, once: the key to this order (header X-Order-Token)"
    )


class RefundRequest(Input):
    amount: int | None = Field(None, gt=0)
    reason: str | None = Field(None, max_length=255)


class CheckInIn(Input):
    code: str = Field(min_length=10, max_length=4096)


class CheckInOut(Output):
    result: Literal["valid", "already_checked_in", "wrong_event", "void", "invalid"]
    ticket: TicketOut | None = None
    checked_in_at: datetime | None = None
