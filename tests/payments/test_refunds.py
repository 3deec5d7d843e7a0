"""Refunds by the organisation: partial, full, limits, and who may refund."""

from __future__ import annotations

import httpx

from livehouse.core.runtime import Runtime
from tests.support.auth import add_member, create_org, signed_up
from tests.support.payments import new_payment

CARD = {"card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}}


async def test_partial_then_full_refund(client: httpx.AsyncClient, runtime: Runtime) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    payer = await signed_up(client)
    payment_id = await new_payment(runtime, payer, amount=3000, org_id=org["id"])
    base = f"/v1/orgs/{org['id']}/payments/{payment_id}/refunds"
    unpaid = await client.post(base, headers=owner.headers, json={})
    assert unpaid.status_code == 409
    await client.post(f"/v1/payments/{payment_id}/card", headers=payer.headers, json=CARD)

    part = await client.post(base, headers=owner.headers, json={"amount": 1000, "reason": "x"})
    assert part.status_code == 201 and part.json()["status"] == "succeeded"
    state = (await client.get(f"/v1/payments/{payment_id}", headers=payer.headers)).json()
    assert state["status"] == "partially_refunded" and state["amount_refunded"] == 1000
    too_much = await client.post(base, headers=owner.headers, json={"amount": 2001})
    assert too_much.status_code == 422 and too_much.json()["errors"][0]["field"] == "amount"
    rest = await client.post(base, headers=owner.headers, json={})
    assert rest.json()["amount"] == 2000
    state = (await client.get(f"/v1/payments/{payment_id}", headers=payer.headers)).json()
    assert state["status"] == "refunded"
    assert (await client.post(base, headers=owner.headers, json={})).status_code == 409
    listed = await client.get(
        f"/v1/orgs/{org['id']}/payments", headers=owner.headers, params={"status": "refunded"}
    )
    assert [p["id"] for p in listed.json()["items"]] == [payment_id]


async def test_who_may_refund(client: httpx.AsyncClient, runtime: Runtime) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    other_owner = await signed_up(client, "other")
    other_org = await create_org(client, other_owner, "Other")
    member = await signed_up(client, "member")
    await add_member(runtime, org["id"], member, "member")
    payer = await signed_up(client)
    payment_id = await new_payment(runtime, payer, org_id=org["id"])
    await client.post(f"/v1/payments/{payment_id}/card", headers=payer.headers, json=CARD)
    url = f"/v1/orgs/{org['id']}/payments/{payment_id}/refunds"
    assert (await client.post(url, headers=member.headers, json={})).status_code == 403
    assert (await client.post(url, headers=other_owner.headers, json={})).status_code == 404
    # Another organisation naming this payment under its own id finds nothing either.
    foreign = f"/v1/orgs/{other_org['id']}/payments/{payment_id}/refunds"
    assert (await client.post(foreign, headers=other_owner.headers, json={})).status_code == 404
    assert (await client.post(url, headers=payer.headers, json={})).status_code == 404
