"""Native API models of payments."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field, field_validator

from livehouse.core.schemas import Input, Output
from livehouse.payments.providers.base import Card


class CardIn(Input):
    number: str = Field(min_length=12, max_length=23, description="Spaces and dashes allowed")
    exp_month: int = Field(ge=1, le=12)
    exp_year: int = Field(ge=0, le=2200, description="Four digits, or two (26 = 2026)")
    cvc: str = Field(min_length=3, max_length=4)
    pin: str | None = Field(None, min_length=4, max_length=6)
    holder_name: str | None = Field(None, max_length=100)

    @field_validator("number")
    @classmethod
    def _digits(cls, value: str) -> str:
        return value.replace(" ", "").replace("-", "")

    def to_card(self) -> Card:
        year = self.exp_year + 2000 if self.exp_year < 100 else self.exp_year
        return Card(self.number, self.exp_month, year, self.cvc, self.pin, self.holder_name)


class CardPayment(Input):
    card: CardIn


class ChallengeAnswer(Input):
    code: str = Field(min_length=4, max_length=10)


class RefundIn(Input):
    amount: int | None = Field(None, gt=0, description="Minor units; all that is left if omitted")
    reason: str | None = Field(None, max_length=255)


class Challenge(Output):
    type: str
    sent_to: str
    expires_at: datetime | None


class PaymentOut(Output):
    id: uuid.UUID
    status: str
    amount: int
    currency: str
    amount_refunded: int
    provider: str | None
    purpose: str
    reference: str | None
    description: str | None
    card_brand: str | None
    card_last4: str | None
    failure_code: str | None
    failure_message: str | None
    client_secret: str | None = Field(description="For Stripe.js, while the payer must act")
    challenge: Challenge | None
    created_at: datetime
    succeeded_at: datetime | None


class RefundOut(Output):
    id: uuid.UUID
    amount: int
    currency: str
    status: str
    reason: str | None
    created_at: datetime
