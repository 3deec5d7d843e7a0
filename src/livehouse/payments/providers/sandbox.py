"""The built-in sandbox: real validation, scripted outcomes, no money moves.

Test cards (any future expiry, any 3-digit CVC):
  4242 4242 4242 4242   succeeds at once
  4000 0000 0000 3220   needs the OTP challenge, then succeeds
  4000 0000 0000 0002   declined (card_declined)
  4000 0000 0000 9995   declined (insufficient_funds)
  4000 0000 0000 0069   declined (expired_card)
  4000 0000 0000 0127   declined (incorrect_cvc)
  4000 0000 0000 0119   provider error (processing_error); the payer may try again
Any other card number that passes the Luhn check needs the OTP challenge — as card payments in
the Imprxx flow always do.
"""

from __future__ import annotations

import secrets

from livehouse.payments.models import Payment
from livehouse.payments.providers.base import Card, Outcome, RefundOutcome

SUCCEEDS = "4242424242424242"
CHALLENGE = "4000000000003220"
DECLINES = {
    "4000000000000002": ("card_declined", "The card was declined"),
    "4000000000009995": ("insufficient_funds", "The card has insufficient funds"),
    "4000000000000069": ("expired_card", "The card has expired"),
    "4000000000000127": ("incorrect_cvc", "The card's security code is incorrect"),
    "4000000000000119": ("processing_error", "The card could not be processed; try again"),
}


def brand(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    if number[:2] in {"51", "52", "53", "54", "55"} or 2221 <= int(number[:4]) <= 2720:
        return "mastercard"
    if number[:2] in {"34", "37"}:
        return "amex"
    if number[:4] in {"5060", "5061", "6500"}:
        return "verve"
    if number.startswith("6"):
        return "discover"
    return "card"


class SandboxProvider:
    name = "sandbox"

    async def charge(self, payment: Payment, card: Card | None) -> Outcome:
        assert card is not None, "the sandbox charges cards"
        reference = f"sbx_{secrets.token_hex(12)}"
        common = {
            "provider_ref": reference,
            "card_brand": brand(card.number),
            "card_last4": card.number[-4:],
        }
        if card.number in DECLINES:
            code, message = DECLINES[card.number]
            return Outcome("failed", failure_code=code, failure_message=message, **common)
        if card.number == SUCCEEDS:
            return Outcome("succeeded", **common)
        return Outcome("requires_action", **common)

    async def refund(self, payment: Payment, amount: int) -> RefundOutcome:
        return RefundOutcome("succeeded", f"sbx_re_{secrets.token_hex(10)}")
