"""The provider interface: what every payment provider does for us."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from livehouse.payments.models import Payment


@dataclass(frozen=True, slots=True)
class Card:
    """Card details as typed by the payer — held only for the length of the request."""

    number: str
    exp_month: int
    exp_year: int
    cvc: str
    pin: str | None = None
    holder_name: str | None = None

    def __repr__(self) -> str:  # never let card data reach a log line
        return f"Card(****{self.number[-4:]})"


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str  # succeeded | requires_action | processing | failed
    provider_ref: str | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    card_brand: str | None = None
    card_last4: str | None = None
    client_secret: str | None = None


@dataclass(frozen=True, slots=True)
class RefundOutcome:
    status: str  # succeeded | pending | failed
    provider_ref: str | None = None


class Provider(Protocol):
    name: str

    async def charge(self, payment: Payment, card: Card | None) -> Outcome:
        """Start (or, with a card, attempt) the payment."""
        ...

    async def refund(self, payment: Payment, amount: int) -> RefundOutcome: ...
