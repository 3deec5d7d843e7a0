"""Refunds: by the event's policy (buyer), by hand (organiser), on cancellation (everyone);
refunded places go back on sale."""

from __future__ import annotations

import httpx

from livehouse.core import clock
from livehouse.core.runtime import Runtime
from livehouse.events.lifecycle import CANCELLED_TOPIC
from tests.support.auth import add_member, signed_up
from tests.support.messages import Mailbox
from tests.support.outbox import drain_outbox, redeliver
from tests.support.ticketing import bought, open_shop, purchase, settings


async def test_buyer_refund_follows_the_policy(client: httpx.AsyncClient) -> None:
    shop = await open_shop(client, quantity=2)
    buyer, order = await bought(client, shop, 2)
    url = f"/v1/me/orders/{order['id']}/refund"
    assert (await client.post(url, headers=buyer.headers, json={})).status_code == 409
    await settings(
        client,
        shop,
        refund_policy={"available": True, "days_before": 7, "type": "percentage", "value": 8000},
    )
    refunded = await client.post(url, headers=buyer.headers, json={"reason": "can't come"})
    assert refunded.status_code == 200, refunded.text
    body = refunded.json()
    assert body["status"] == "partially_refunded" and body["refunded"] == 4000  # 80 % of 50.00
    again = await client.post(url, headers=buyer.headers, json={})
    assert again.status_code == 409, "the policy share has been paid out"
    other = await signed_up(client, "fan")
    assert (await client.post(url, headers=other.headers, json={})).status_code == 404


async def test_refund_deadline(client: httpx.AsyncClient) -> None:
    shop = await open_shop(client)
    await settings(client, shop, refund_policy={"available": True, "days_before": 7})
    buyer, order = await bought(client, shop)
    late = clock.OffsetClock()
    late.advance(days=25)  # the event is 30 days out: 5 days before is past the deadline
    with clock.use(late):
        refused = await client.post(
            f"/v1/me/orders/{order['id']}/refund", headers=buyer.headers, json={}
        )
    assert refused.status_code == 409


async def test_organiser_refunds_and_places_return(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    shop = await open_shop(client, quantity=1)
    buyer, order = await bought(client, shop)
    second = await signed_up(client, "fan")
    assert (await purchase(client, second, shop)).status_code == 409, "sold out"
    url = f"/v1/events/{shop.event_id}/orders/{order['id']}/refunds"
    member = await signed_up(client, "member")
    await add_member(runtime, shop.org["id"], member, "member")
    assert (await client.post(url, headers=member.headers, json={})).status_code == 403
    part = await client.post(url, headers=shop.owner.headers, json={"amount": 500})
    assert part.json()["status"] == "partially_refunded"
    assert (await purchase(client, second, shop)).status_code == 409, "a partial refund keeps"
    full = await client.post(url, headers=shop.owner.headers, json={"reason": "duplicate"})
    assert full.json()["status"] == "refunded" and full.json()["refunded"] == 2500
    assert {t["status"] for t in full.json()["tickets"]} == {"refunded"}
    assert (await purchase(client, second, shop)).status_code == 201, "back on sale"
    await mailbox.wait_for(runtime, to=buyer.email, subject="Refund", count=2)
    too_much = await client.post(url, headers=shop.owner.headers, json={"amount": 1})
    assert too_much.status_code == 409


async def test_cancelling_the_event_refunds_everyone(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    shop = await open_shop(client)
    await settings(client, shop, refund_policy={"available": False})
    buyers = [await bought(client, shop, 2) for _ in range(2)]
    cancelled = await client.post(
        f"/v1/events/{shop.event_id}/cancel", headers=shop.owner.headers, json={"reason": "storm"}
    )
    assert cancelled.status_code == 200, cancelled.text
    await drain_outbox(runtime)
    for buyer, order in buyers:
        state = (await client.get(f"/v1/me/orders/{order['id']}", headers=buyer.headers)).json()
        assert state["status"] == "refunded" and state["refunded"] == state["total"]
        assert {t["status"] for t in state["tickets"]} == {"cancelled"}
        await mailbox.wait_for(runtime, to=buyer.email, subject="Refund")
    # At least once: the cancellation job delivered again refunds nobody twice, mails nobody twice.
    assert await redeliver(runtime, CANCELLED_TOPIC) == 1
    await drain_outbox(runtime)
    assert await redeliver(runtime, CANCELLED_TOPIC) == 1, "the job ran through again, no error"
    await drain_outbox(runtime)
    for buyer, order in buyers:
        state = (await client.get(f"/v1/me/orders/{order['id']}", headers=buyer.headers)).json()
        assert state["status"] == "refunded" and state["refunded"] == state["total"]
        assert len([m for m in mailbox.to(buyer.email) if "Refund" in str(m["Subject"])]) == 1
