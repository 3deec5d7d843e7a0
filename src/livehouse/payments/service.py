"""The payment lifecycle — the one place that decides what may happen to a payment.

    requires_payment_method ─► requires_action ─► processing ─► succeeded ─► partially_refunded
             │                      │                │              └──────► refunded
             └──────────────────────┴────────────────┴─► failed | canceled

A failed attempt that the payer may retry (a decline) leaves the payment `requires_payment_method`
with the failure recorded. Capabilities that create payments (ticketing, subscriptions, wallets)
learn the outcome through `on_status(purpose, handler)`, called inside the transaction that
changes the status — so an order is marked paid in the same commit as its payment.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum import luhn

from livehouse.core import clock
from livehouse.core.db import commit_even_if_rejected, keep
from livehouse.core.errors import Conflict, NotFound, Problem, ValidationFailed
from livehouse.core.money import Money
from livehouse.core.ratelimit import SecretGuard
from livehouse.core.runtime import current
from livehouse.core.security import constant_time_equals, keyed_hash, random_code
from livehouse.notify import delivery
from livehouse.payments import providers
from livehouse.payments.models import Payment, Refund, WebhookReceipt
from livehouse.payments.providers.base import Card, Outcome

ALLOWED: dict[str, set[str]] = {
    "requires_payment_method": {"requires_action", "processing", "succeeded", "failed", "canceled"},
    "requires_action": {"requires_payment_method", "processing", "succeeded", "failed", "canceled"},
    "processing": {"succeeded", "failed", "canceled", "requires_payment_method"},
    "succeeded": {"partially_refunded", "refunded"},
    "partially_refunded": {"partially_refunded", "refunded"},
    "failed": set(),
    "canceled": set(),
    "refunded": set(),
}
MAX_CHALLENGE_ATTEMPTS = 5

StatusHandler = Callable[[AsyncSession, Payment, str], Awaitable[None]]
_handlers: dict[str, list[StatusHandler]] = {}


def on_status(purpose: str, handler: StatusHandler) -> None:
    """Call `handler(session, payment, old_status)` when a `purpose` payment changes status."""
    _handlers.setdefault(purpose, []).append(handler)


async def _move(session: AsyncSession, payment: Payment, status: str) -> None:
    old = payment.status
    if status != old and status not in ALLOWED[old]:
        raise Conflict(
            f"A payment that is {old.replace('_', ' ')} cannot become {status.replace('_', ' ')}"
        )
    payment.status = status
    if status == "succeeded":
        payment.succeeded_at = clock.now()
    if status != old:
        for handler in _handlers.get(payment.purpose, []):
            await handler(session, payment, old)


async def create(
    session: AsyncSession,
    *,
    amount: Money,
    purpose: str,
    reference: str | None,
    org_id: int | None,
    account_id: int | None,
    description: str | None = None,
    payer_email: str | None = None,
    payer_phone: str | None = None,
    provider: str | None = None,
    card: Card | None = None,
) -> Payment:
    """A payment waiting for its method. A free one (amount 0) succeeds at once, no provider.
    With `card`, it is paid at once (as `pay_with_card`) before it is first written, so it is
    written once, in the state the card left it; the caller flushes it when it needs its id."""
    if amount.amount < 0:
        raise ValidationFailed.field("amount", "Cannot be negative")
    payment = Payment(
        amount=amount.amount,
        currency=amount.currency,
        purpose=purpose,
        reference=reference,
        org_id=org_id,
        account_id=account_id,
        description=description,
        payer_email=payer_email,
        payer_phone=payer_phone,
        provider=provider or current().settings.payment_provider,
        status="requires_payment_method",
        metadata_={},
    )
    session.add(payment)
    keep(session, payment)  # paying it, answering its hooks, showing it: all in this request
    if amount.amount == 0:
        await session.flush()
        payment.provider = None
        await _move(session, payment, "succeeded")
    elif card is not None:
        await _charge_card(session, payment, card)
    else:
        await session.flush()
    return payment


async def get(session: AsyncSession, public_id: uuid.UUID, *, lock: bool = False) -> Payment:
    query = select(Payment).where(Payment.public_id == public_id)
    if lock:
        query = query.with_for_update()
    payment = await session.scalar(query)
    if payment is None:
        raise NotFound("No such payment")
    return payment


def check_card(card: Card) -> None:
    number = card.number
    if not (number.isdigit() and 12 <= len(number) <= 19) or not luhn.is_valid(number):
        raise ValidationFailed.field("card.number", "Not a valid card number")
    if not 1 <= card.exp_month <= 12:
        raise ValidationFailed.field("card.exp_month", "Must be 1-12")
    today = clock.now().date()
    if (card.exp_year, card.exp_month) < (today.year, today.month):  # valid through its month
        raise ValidationFailed.field("card.exp_year", "The card has expired")
    if not (card.cvc.isdigit() and len(card.cvc) in (3, 4)):
        raise ValidationFailed.field("card.cvc", "Must be 3 or 4 digits")
    if card.pin is not None and not (card.pin.isdigit() and 4 <= len(card.pin) <= 6):
        raise ValidationFailed.field("card.pin", "Must be 4-6 digits")


def _require_payable(payment: Payment) -> None:
    if payment.status not in ("requires_payment_method", "requires_action"):
        raise Conflict(f"This payment is {payment.status.replace('_', ' ')}; it cannot be paid")


async def _apply(session: AsyncSession, payment: Payment, outcome: Outcome) -> None:
    payment.provider_ref = outcome.provider_ref or payment.provider_ref
    payment.card_brand = outcome.card_brand or payment.card_brand
    payment.card_last4 = outcome.card_last4 or payment.card_last4
    payment.client_secret = outcome.client_secret or payment.client_secret
    payment.failure_code, payment.failure_message = outcome.failure_code, outcome.failure_message
    status = outcome.status
    if status == "failed":
        # A decline is the payer's to fix with another card; the payment stays open.
        status = "requires_payment_method"
    await _move(session, payment, status)


async def pay_with_card(session: AsyncSession, payment: Payment, card: Card) -> Payment:
    """Attempt a card payment with a provider that takes cards (the sandbox)."""
    await _charge_card(session, payment, card)
    return payment


async def _charge_card(session: AsyncSession, payment: Payment, card: Card) -> None:
    _require_payable(payment)
    if payment.provider != "sandbox":
        raise Conflict("This payment is taken by the provider's own page; use its client secret")
    check_card(card)
    outcome = await providers.get("sandbox").charge(payment, card)
    await _apply(session, payment, outcome)
    if outcome.status == "requires_action":
        _send_challenge(session, payment)


def _send_challenge(session: AsyncSession, payment: Payment) -> None:
    """A 6-digit code to the payer, by e-mail and SMS where we have them — the bank's OTP."""
    if not payment.payer_email and not payment.payer_phone:
        raise ValidationFailed.field(
            "payer_email",
            "A card that needs a one-time code needs an e-mail address or phone to send it to",
        )
    code = random_code()
    payment.challenge_hash = keyed_hash(code, "payment-otp")
    payment.challenge_expires_at = clock.now() + timedelta(
        seconds=current().settings.otp_ttl_seconds
    )
    payment.challenge_attempts = 0
    amount = Money(payment.amount, payment.currency)
    text = (
        f"Your one-time code to authorise the payment of {amount.to_decimal()} "
        f"{amount.currency} with the card ending {payment.card_last4} is {code}. "
        "It expires in 10 minutes. Nobody from us will ask you for it."
    )
    if payment.payer_email:
        delivery.email(session, to=payment.payer_email, subject="Your payment code", text=text)
    if payment.payer_phone:
        delivery.sms(session, to=payment.payer_phone, text=text)


def challenge_destinations(payment: Payment) -> str:
    """'********885 and oba***@gmail.com' — where the code went, masked as the seed shows."""
    parts = []
    if payment.payer_phone:
        parts.append("*" * 8 + payment.payer_phone[-3:])
    if payment.payer_email:
        local, _, domain = payment.payer_email.partition("@")
        parts.append(f"{local[:3]}***@{domain}")
    return " and ".join(parts)


def _challenge_guard() -> SecretGuard:
    settings = current().settings
    return SecretGuard(
        current().limiter,
        "payment-otp",
        settings.secret_rate_per_account,
        settings.login_rate_per_ip,
    )


async def answer_challenge(session: AsyncSession, payment: Payment, code: str, ip: str) -> Payment:
    if payment.status != "requires_action" or payment.challenge_hash is None:
        raise Conflict("This payment is not waiting for a one-time code")
    guard = _challenge_guard()
    await guard.before(str(payment.public_id), ip)
    if payment.challenge_expires_at is None or payment.challenge_expires_at <= clock.now():
        raise ValidationFailed.field("code", "The code has expired; ask for a new one")
    if payment.challenge_attempts >= MAX_CHALLENGE_ATTEMPTS:
        raise ValidationFailed.field("code", "Too many wrong codes; ask for a new one")
    if not constant_time_equals(payment.challenge_hash, keyed_hash(code, "payment-otp")):
        payment.challenge_attempts += 1
        commit_even_if_rejected(session)  # the spent attempt must count
        await guard.failed(str(payment.public_id))
        raise ValidationFailed.field("code", "The code is wrong")
    payment.challenge_hash = None
    payment.challenge_expires_at = None
    await _move(session, payment, "succeeded")
    return payment


async def resend_challenge(session: AsyncSession, payment: Payment) -> Payment:
    if payment.status != "requires_action" or payment.provider != "sandbox":
        raise Conflict("This payment is not waiting for a one-time code")
    await current().limiter.hit("3/10minute", "payment-otp-resend", str(payment.public_id))
    _send_challenge(session, payment)
    return payment


async def start_provider_checkout(session: AsyncSession, payment: Payment) -> Payment:
    """For providers that collect the card themselves (Stripe): create their intent and hand
    back its client secret. Calling it again returns the same intent."""
    _require_payable(payment)
    if payment.provider == "sandbox":
        raise Conflict("The sandbox takes card details directly; POST them to …/card")
    if payment.client_secret:
        return payment
    try:
        outcome = await providers.get(payment.provider or "").charge(payment, None)
    except LookupError as exc:
        raise Problem(str(exc), status=503, slug="provider-unavailable") from exc
    await _apply(session, payment, outcome)
    return payment


async def cancel(session: AsyncSession, payment: Payment) -> None:
    if payment.status in ("requires_payment_method", "requires_action", "processing"):
        await _move(session, payment, "canceled")


async def refund(
    session: AsyncSession, payment: Payment, amount: int | None, reason: str | None
) -> Refund:
    """Refund all that is left, or `amount` of it."""
    if payment.status not in ("succeeded", "partially_refunded"):
        raise Conflict("Only a paid payment can be refunded")
    if payment.provider is None:
        raise Conflict("A free payment has nothing to refund")
    left = payment.amount - payment.amount_refunded
    amount = left if amount is None else amount
    if amount <= 0 or amount > left:
        raise ValidationFailed.field("amount", f"Must be between 1 and {left} (what is left)")
    refund_row = Refund(
        payment_id=payment.id,
        amount=amount,
        currency=payment.currency,
        status="pending",
        reason=reason,
    )
    session.add(refund_row)
    outcome = await providers.get(payment.provider).refund(payment, amount)
    refund_row.status, refund_row.provider_ref = outcome.status, outcome.provider_ref
    if outcome.status == "failed":
        raise Problem("The provider refused the refund", status=502, slug="refund-failed")
    payment.amount_refunded += amount
    await _move(
        session,
        payment,
        "refunded" if payment.amount_refunded == payment.amount else "partially_refunded",
    )
    await session.flush()
    return refund_row


async def handle_stripe_event(session: AsyncSession, event: dict[str, Any]) -> bool:
    """Apply a verified Stripe event once. Returns False for a duplicate delivery."""
    try:
        async with session.begin_nested():
            session.add(
                WebhookReceipt(provider="stripe", event_id=event["id"], event_type=event["type"])
            )
    except IntegrityError:
        return False
    obj = event["data"]["object"]
    if not event["type"].startswith("payment_intent."):
        return True
    payment = await session.scalar(
        select(Payment)
        .where(Payment.provider == "stripe", Payment.provider_ref == obj["id"])
        .with_for_update()
    )
    if payment is None or payment.status in (
        "succeeded",
        "refunded",
        "partially_refunded",
        "canceled",
        "failed",
    ):
        return True  # not ours, or already final: events may arrive late and out of order
    from livehouse.payments.providers.stripe import outcome_of

    if event["type"] == "payment_intent.canceled":
        await _move(session, payment, "canceled")
    else:
        await _apply(session, payment, outcome_of(obj))
    return True


def view(payment: Payment) -> dict[str, Any]:
    """What the payer and the organisation see of a payment."""
    return {
        "id": payment.public_id,
        "status": payment.status,
        "amount": payment.amount,
        "currency": payment.currency,
        "amount_refunded": payment.amount_refunded,
        "provider": payment.provider,
        "purpose": payment.purpose,
        "reference": payment.reference,
        "description": payment.description,
        "card_brand": payment.card_brand,
        "card_last4": payment.card_last4,
        "failure_code": payment.failure_code,
        "failure_message": payment.failure_message,
        "client_secret": payment.client_secret if payment.status == "requires_action" else None,
        "challenge": (
            {
                "type": "otp",
                "sent_to": challenge_destinations(payment),
                "expires_at": payment.challenge_expires_at,
            }
            if payment.challenge_hash
            else None
        ),
        "created_at": payment.created_at,
        "succeeded_at": payment.succeeded_at,
    }
