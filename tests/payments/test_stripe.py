"""The Stripe provider through the official SDK: PaymentIntents, signed webhooks (the SDK's own
signature algorithm), tampering, replays and duplicate deliveries."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest
from stripe import WebhookSignature

from livehouse.core.runtime import Runtime
from livehouse.payments import service
from tests.support.auth import create_org, signed_up
from tests.support.payments import FakeStripe, new_payment

SECRET = "whsec_test_livehouse"


@pytest.fixture(scope="session")
def stripe_server() -> Iterator[FakeStripe]:
    fake = FakeStripe()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def stripe_api(runtime: Runtime, stripe_server: FakeStripe) -> Iterator[FakeStripe]:
    fake = stripe_server
    fake.requests.clear()
    settings = runtime.settings
    saved = (settings.stripe_secret_key, settings.stripe_webhook_secret, settings.stripe_api_base)
    settings.stripe_secret_key = "sk_test_livehouse"
    settings.stripe_webhook_secret = SECRET
    settings.stripe_api_base = fake.url
    yield fake
    settings.stripe_secret_key, settings.stripe_webhook_secret, settings.stripe_api_base = saved


def event(kind: str, intent_id: str, status: str, event_id: str = "evt_1") -> str:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": kind,
            "api_version": None,
            "data": {
                "object": {
                    "id": intent_id,
                    "object": "payment_intent",
                    "status": status,
                    "last_payment_error": None,
                }
            },
        }
    )


def signed(payload: str, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    header = WebhookSignature.generate_signature_header(payload, secret, timestamp)
    return {"Stripe-Signature": header, "Content-Type": "application/json"}


async def start(client: httpx.AsyncClient, runtime: Runtime) -> tuple[str, dict, object]:
    payer = await signed_up(client)
    payment_id = await new_payment(runtime, payer, amount=4200, provider="stripe")
    started = await client.post(f"/v1/payments/{payment_id}/checkout", headers=payer.headers)
    assert started.status_code == 200, started.text
    return payment_id, started.json(), payer


async def test_checkout_creates_a_payment_intent(
    client: httpx.AsyncClient, runtime: Runtime, stripe_api: FakeStripe
) -> None:
    payment_id, body, payer = await start(client, runtime)
    assert body["status"] == "requires_action" and body["client_secret"].startswith("pi_")
    [sent] = stripe_api.requests
    assert sent["form"]["amount"] == "4200" and sent["form"]["currency"] == "eur"
    assert sent["form"]["metadata[livehouse_payment]"] == payment_id
    assert sent["idempotency_key"] == f"livehouse-payment-{payment_id}"
    assert sent["auth"] == "Bearer sk_test_livehouse"
    again = await client.post(f"/v1/payments/{payment_id}/checkout", headers=payer.headers)
    assert again.json()["client_secret"] == body["client_secret"]
    assert len(stripe_api.requests) == 1, "no second intent"
    card = await client.post(
        f"/v1/payments/{payment_id}/card",
        headers=payer.headers,
        json={"card": {"number": "4242424242424242", "exp_month": 1, "exp_year": 2031, "cvc": "1"}},
    )
    assert card.status_code in (409, 422), "Stripe never sees card numbers through us"


async def test_signed_webhook_settles_the_payment_once(
    client: httpx.AsyncClient, runtime: Runtime, stripe_api: FakeStripe
) -> None:
    calls: list[str] = []

    async def hook(session, payment, old):
        calls.append(payment.status)

    service.on_status("test", hook)
    try:
        payment_id, body, payer = await start(client, runtime)
        intent_id = body["client_secret"].split("_secret_")[0]
        payload = event("payment_intent.succeeded", intent_id, "succeeded")
        for _ in range(2):  # Stripe delivers at least once
            delivered = await client.post(
                "/v1/payments/webhooks/stripe", content=payload, headers=signed(payload)
            )
            assert delivered.status_code == 200
    finally:
        service._handlers.pop("test")
    state = (await client.get(f"/v1/payments/{payment_id}", headers=payer.headers)).json()
    assert state["status"] == "succeeded" and state["client_secret"] is None
    assert calls == ["requires_action", "succeeded"], "the duplicate changed nothing"


async def test_tampered_stale_or_unsigned_webhooks_are_refused(
    client: httpx.AsyncClient, runtime: Runtime, stripe_api: FakeStripe
) -> None:
    payment_id, body, payer = await start(client, runtime)
    intent_id = body["client_secret"].split("_secret_")[0]
    payload = event("payment_intent.succeeded", intent_id, "succeeded", "evt_2")
    tampered = payload.replace("succeeded", "succeeded ")
    cases = {
        "tampered": (tampered, signed(payload)),
        "wrong secret": (payload, signed(payload, "whsec_other")),
        "stale": (payload, signed(payload, timestamp=int(time.time()) - 3600)),
        "unsigned": (payload, {"Content-Type": "application/json"}),
    }
    for name, (content, headers) in cases.items():
        response = await client.post(
            "/v1/payments/webhooks/stripe", content=content, headers=headers
        )
        assert response.status_code == 403, name
    state = (await client.get(f"/v1/payments/{payment_id}", headers=payer.headers)).json()
    assert state["status"] == "requires_action"


async def test_failed_intent_reopens_and_refund_goes_to_stripe(
    client: httpx.AsyncClient, runtime: Runtime, stripe_api: FakeStripe
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    payer = await signed_up(client)
    payment_id = await new_payment(runtime, payer, amount=1000, provider="stripe", org_id=org["id"])
    body = (await client.post(f"/v1/payments/{payment_id}/checkout", headers=payer.headers)).json()
    intent_id = body["client_secret"].split("_secret_")[0]
    failed = json.dumps(
        {
            "id": "evt_f",
            "object": "event",
            "type": "payment_intent.payment_failed",
            "data": {
                "object": {
                    "id": intent_id,
                    "object": "payment_intent",
                    "status": "requires_payment_method",
                    "last_payment_error": {"code": "card_declined", "message": "Declined"},
                }
            },
        }
    )
    await client.post("/v1/payments/webhooks/stripe", content=failed, headers=signed(failed))
    state = (await client.get(f"/v1/payments/{payment_id}", headers=payer.headers)).json()
    assert state["status"] == "requires_payment_method" and state["failure_code"] == "card_declined"
    ok = event("payment_intent.succeeded", intent_id, "succeeded", "evt_s")
    await client.post("/v1/payments/webhooks/stripe", content=ok, headers=signed(ok))
    refund = await client.post(
        f"/v1/orgs/{org['id']}/payments/{payment_id}/refunds",
        headers=owner.headers,
        json={"amount": 400, "reason": "late"},
    )
    assert refund.status_code == 201, refund.text
    sent = stripe_api.requests[-1]
    assert sent["path"] == "/v1/refunds" and sent["form"]["payment_intent"] == intent_id
    assert sent["form"]["amount"] == "400"


async def test_webhooks_need_configuration(client: httpx.AsyncClient, runtime: Runtime) -> None:
    runtime.settings.stripe_webhook_secret = None
    response = await client.post("/v1/payments/webhooks/stripe", content="{}")
    assert response.status_code == 503
