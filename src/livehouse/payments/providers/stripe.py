"""Stripe via its official SDK (PaymentIntents). Card details never touch our servers: the
client confirms the PaymentIntent with Stripe.js using the client secret we hand out, and
Stripe tells us the outcome by a signed webhook (verified with the SDK)."""

from __future__ import annotations

from typing import Any

import stripe

from livehouse.core.settings import Settings
from livehouse.payments.models import Payment
from livehouse.payments.providers.base import Card, Outcome, RefundOutcome

_STATUS = {  # PaymentIntent status → ours
    "requires_payment_method": "requires_action",
    "requires_confirmation": "requires_action",
    "requires_action": "requires_action",
    "processing": "processing",
    "requires_capture": "processing",
    "succeeded": "succeeded",
    "canceled": "canceled",
}


class StripeProvider:
    name = "stripe"

    def __init__(self, api_key: str, api_base: str | None = None) -> None:
        addresses: dict[str, str] = {"api": api_base} if api_base else {}
        self.client = stripe.StripeClient(
            api_key,
            base_addresses=addresses,  # type: ignore[arg-type]
            http_client=stripe.HTTPXClient(),
            max_network_retries=2,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> StripeProvider:
        if not settings.stripe_secret_key:
            raise LookupError("Stripe is not configured (LIVEHOUSE_STRIPE_SECRET_KEY)")
        return cls(settings.stripe_secret_key, settings.stripe_api_base)

    async def charge(self, payment: Payment, card: Card | None) -> Outcome:
        if card is not None:
            raise ValueError("Stripe takes card details in the browser (Stripe.js), not here")
        intent = await self.client.v1.payment_intents.create_async(
            params={
                "amount": payment.amount,
                "currency": payment.currency.lower(),
                "description": payment.description or payment.purpose,
                "metadata": {"livehouse_payment": str(payment.public_id)},
                "automatic_payment_methods": {"enabled": True},
                **({"receipt_email": payment.payer_email} if payment.payer_email else {}),
            },
            # Stripe's own idempotency: a retried create returns the same intent.
            options={"idempotency_key": f"livehouse-payment-{payment.public_id}"},
        )
        return outcome_of(intent)

    async def refund(self, payment: Payment, amount: int) -> RefundOutcome:
        refund = await self.client.v1.refunds.create_async(
            params={"payment_intent": payment.provider_ref or "", "amount": amount},
            options={
                "idempotency_key": f"livehouse-refund-{payment.public_id}-"
                f"{payment.amount_refunded + amount}"
            },
        )
        data = plain(refund)
        status = {"succeeded": "succeeded", "pending": "pending"}.get(
            data.get("status") or "", "failed"
        )
        return RefundOutcome(status, data["id"])


def plain(obj: Any) -> dict[str, Any]:
    """SDK objects (v16+) are not dicts; the rest of livehouse only sees plain data."""
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def outcome_of(intent: Any) -> Outcome:
    intent = plain(intent)
    error = intent.get("last_payment_error") or {}
    status = _STATUS.get(intent["status"], "processing")
    if intent["status"] == "requires_payment_method" and error:
        status = "failed"
    return Outcome(
        status,
        provider_ref=intent["id"],
        client_secret=intent.get("client_secret"),
        failure_code=error.get("decline_code") or error.get("code"),
        failure_message=error.get("message"),
    )


def verify_webhook(body: bytes, signature: str | None, secret: str) -> dict[str, Any]:
    """The event as plain data, if `signature` is Stripe's for `body`; raises otherwise."""
    return plain(stripe.Webhook.construct_event(body.decode("utf-8"), signature, secret))
