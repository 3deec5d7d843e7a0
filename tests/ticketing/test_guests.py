"""Guest checkout end to end: a guest holds, checks out, pays (with the card challenge) and
gets the passes by e-mail; nothing of the order is reachable without its token."""

from __future__ import annotations

import re

import httpx

from livehouse.core.runtime import Runtime
from tests.support.messages import Mailbox, code_in, text_of
from tests.support.ticketing import CARD, open_shop, settings
from tests.support.ticketing_extra import GUEST

CHALLENGE_CARD = {**CARD, "number": "4000000000003220"}


async def test_a_guest_books_pays_and_gets_the_passes(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    shop = await open_shop(client)
    basket = {"items": [shop.item(2)], "buyer_email": GUEST}
    holds_url = f"/v1/events/{shop.event_id}/holds"
    closed = await client.post(holds_url, json=basket)
    assert closed.status_code == 422 and closed.json()["errors"][0]["field"] == "buyer_email"
    await settings(client, shop, guest_checkout=True)
    hold = await client.post(holds_url, json=basket)
    assert hold.status_code == 201, hold.text

    response = await client.post(
        f"/v1/holds/{hold.json()['id']}/checkout",
        json={"buyer": {"name": "Gus Guest"}, "attendees": [{"name": "Gus"}, {"name": "Gina"}]},
    )
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["status"] == "pending" and order["buyer_email"] == GUEST
    token = order["guest_token"]
    assert token and len(token) >= 40
    url = f"/v1/guest-orders/{order['id']}"
    key = {"X-Order-Token": token}

    for headers, status in (({}, 422), ({"X-Order-Token": "x" * 43}, 404)):
        refused = await client.get(url, headers=headers)
        assert refused.status_code == status and "number" not in refused.json()
    assert (await client.get(f"/v1/payments/{order['payment']['id']}")).status_code == 401

    paying = await client.post(f"{url}/card", headers=key, json={"card": CHALLENGE_CARD})
    assert paying.status_code == 200 and paying.json()["payment"]["status"] == "requires_action"
    code = code_in(text_of(await mailbox.wait_for(runtime, to=GUEST, subject="payment code")))
    paid = await client.post(f"{url}/challenge", headers=key, json={"code": code})
    assert paid.status_code == 200, paid.text
    body = paid.json()
    assert body["status"] == "paid" and body["guest_token"] is None, "the token is shown once"
    assert [t["holder_name"] for t in body["tickets"]] == ["Gus", "Gina"]

    mail = text_of(await mailbox.wait_for(runtime, to=GUEST, subject="Your tickets"))
    assert all(t["pass_code"] in mail for t in body["tickets"])
    link = re.search(r"token=([A-Za-z0-9_-]+)", mail)
    assert link and order["id"] in mail
    again = await client.get(url, headers={"X-Order-Token": link.group(1)})
    assert again.status_code == 200 and again.json()["number"] == order["number"]

    ticket = body["tickets"][0]
    qr = await client.get(f"{url}/tickets/{ticket['id']}/qr", headers=key)
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg")
    scanned = await client.post(
        f"/v1/events/{shop.event_id}/check-ins",
        headers=shop.owner.headers,
        json={"code": ticket["pass_code"]},
    )
    assert scanned.json()["result"] == "valid"


async def test_a_guest_buys_in_one_step(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    shop = await open_shop(client)
    await settings(client, shop, guest_checkout=True)
    response = await client.post(
        f"/v1/events/{shop.event_id}/orders",
        json={"items": [shop.item(1)], "buyer_email": GUEST, "card": CARD},
    )
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["status"] == "paid" and order["guest_token"]
    mail = text_of(await mailbox.wait_for(runtime, to=GUEST, subject="Your tickets"))
    assert order["tickets"][0]["pass_code"] in mail
    other = await client.post(
        f"/v1/events/{shop.event_id}/orders",
        json={"items": [shop.item(1)], "buyer_email": "other@example.com", "card": CARD},
    )
    assert other.status_code == 201
    crossed = await client.get(
        f"/v1/guest-orders/{order['id']}", headers={"X-Order-Token": other.json()["guest_token"]}
    )
    assert crossed.status_code == 404, "one order's token opens no other order"
