"""Tenancy classification of the payment routes."""

from __future__ import annotations

from tests.support.tenancy import World, org_of_a, rule


async def payment_of_a(world: World) -> dict[str, str]:
    from tests.support.payments import new_payment

    payment_id = await new_payment(world.runtime, world.a.owner, org_id=world.a.org["id"])
    return {"org_id": world.a.org["id"], "payment_id": payment_id}


rule("GET", "/v1/payments/{payment_id}", "self", why="only the payer; others get 404 (tested)")
rule("GET", "/v1/me/payments", "self")
rule("POST", "/v1/payments/{payment_id}/card", "self", why="only the payer (tested)")
rule("POST", "/v1/payments/{payment_id}/challenge", "self", why="only the payer")
rule("POST", "/v1/payments/{payment_id}/challenge/resend", "self", why="only the payer")
rule("POST", "/v1/payments/{payment_id}/checkout", "self", why="only the payer")
rule("POST", "/v1/payments/webhooks/stripe", "anonymous", why="verified by Stripe-Signature")
rule("GET", "/v1/orgs/{org_id}/payments", "tenant", params=org_of_a)
rule(
    "POST",
    "/v1/orgs/{org_id}/payments/{payment_id}/refunds",
    "tenant",
    params=payment_of_a,
    body={},
)
