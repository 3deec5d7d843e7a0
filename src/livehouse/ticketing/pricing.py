"""What a basket costs — the one place prices are computed (integer minor units throughout).

Per ticket unit: the variation's price (or the donor's amount for a donation ticket), less the
tier's reduction, less the early-bird discount in force (the ticket type's own, else the
event's). The coupon then discounts the whole basket (percentage, or a fixed amount capped at
the basket). Service charge is added per seat for ticket types whose price does not already
include it (a percentage of the unit price plus a fixed amount). Tax is the event's rate on what
is charged: inclusive (already in the prices, shown) or exclusive (added).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from livehouse.ticketing.models import Coupon, Product, TicketSettings, TicketType, TicketVariation


def _bp(amount: int, basis_points: int) -> int:
    """basis_points/100 % of `amount`, rounded half-even to the minor unit."""
    return int(
        (Decimal(amount) * basis_points / Decimal(10_000)).quantize(
            Decimal(1), rounding=ROUND_HALF_EVEN
        )
    )


def _discounted(price: int, rule: dict[str, Any] | None, at: datetime) -> int:
    """`price` after an early-bird rule {type: percentage|fixed, value, starts_at, ends_at}."""
    if not rule or not _in_window(rule, at):
        return price
    if rule["type"] == "percentage":
        return max(0, price - _bp(price, int(rule["value"])))
    return max(0, price - int(rule["value"]))


def _in_window(rule: dict[str, Any], at: datetime) -> bool:
    starts, ends = rule.get("starts_at"), rule.get("ends_at")
    if starts and at < datetime.fromisoformat(starts):
        return False
    return not (ends and at >= datetime.fromisoformat(ends))


@dataclass(frozen=True, slots=True)
class TicketPick:
    ticket_type: TicketType
    variation: TicketVariation
    units: int
    donation: int | None = None  # a donation ticket's amount per unit


@dataclass(frozen=True, slots=True)
class GoodsPick:
    product: Product
    quantity: int


@dataclass
class Quote:
    currency: str
    lines: list[dict[str, Any]] = field(default_factory=list)
    subtotal: int = 0
    discount: int = 0
    service_charge: int = 0
    tax: int = 0
    tax_inclusive: bool = True
    total: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "subtotal": self.subtotal,
            "discount": self.discount,
            "service_charge": self.service_charge,
            "tax": self.tax,
            "tax_inclusive": self.tax_inclusive,
            "total": self.total,
        }


def quote(
    *,
    currency: str,
    tickets: list[TicketPick],
    goods: list[GoodsPick],
    settings: TicketSettings,
    coupon: Coupon | None,
    tax_rate_bp: int | None,
    at: datetime,
) -> Quote:
    result = Quote(currency=currency, tax_inclusive=settings.tax_inclusive)
    service = 0
    for pick in tickets:
        tt, variation = pick.ticket_type, pick.variation
        if tt.category == "donation":
            unit = pick.donation or 0
        else:
            unit = variation.price
            if tt.reduction_bp:
                unit = max(0, unit - _bp(unit, tt.reduction_bp))
            unit = _discounted(unit, tt.early_bird or settings.early_bird, at)
        seats = pick.units * variation.quantity_included
        label = tt.name + (f" — {variation.name}" if variation.name else "")
        result.lines.append(
            {
                "kind": "donation" if tt.category == "donation" else "ticket",
                "ticket_type_id": tt.id,
                "variation_id": variation.id,
                "description": label,
                "units": pick.units,
                "seats": seats,
                "unit_price": unit,
                "amount": unit * pick.units,
                "table_number": tt.table_number,
            }
        )
        if tt.category != "donation" and not tt.price_includes_service_charge:
            service += (
                _bp(unit, settings.service_charge_bp) * pick.units
                + settings.service_charge_fixed * seats
            )
    for pick in goods:
        product = pick.product
        result.lines.append(
            {
                "kind": "merchandise",
                "product_id": product.id,
                "description": product.name,
                "quantity": pick.quantity,
                "unit_price": product.price,
                "amount": product.price * pick.quantity,
            }
        )
    result.subtotal = sum(line["amount"] for line in result.lines)
    if coupon is not None:
        if coupon.discount_type == "percentage":
            result.discount = _bp(result.subtotal, coupon.discount_value)
        else:
            result.discount = min(result.subtotal, coupon.discount_value)
    result.service_charge = service
    charged = result.subtotal - result.discount + service
    rate = tax_rate_bp or 0
    if rate:
        if settings.tax_inclusive:  # the part of what is charged that is tax
            result.tax = int(
                (Decimal(charged) * rate / (10_000 + rate)).quantize(
                    Decimal(1), rounding=ROUND_HALF_EVEN
                )
            )
        else:
            result.tax = _bp(charged, rate)
    result.total = charged + (0 if settings.tax_inclusive else result.tax)
    return result
