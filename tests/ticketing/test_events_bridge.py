"""What ticketing tells events: who attended (reviews), what a person attends, which sessions
have sales, and the organisation's ticket activities."""

from __future__ import annotations

from datetime import timedelta

import httpx

from livehouse.core import clock
from tests.support.auth import signed_up
from tests.support.events import local
from tests.support.ticketing import add_ticket_type, bought, open_shop, purchase


async def test_attendees_review_and_attend(client: httpx.AsyncClient) -> None:
    shop = await open_shop(client)
    fan, order = await bought(client, shop, 1)
    friend = await signed_up(client, "friend")
    gift = await purchase(
        client, fan, shop, shop.item(1), attendees=[{"name": "Fr", "email": friend.email}]
    )
    assert gift.status_code == 201, gift.text
    stranger = await signed_up(client, "stranger")

    attending = await client.get("/v1/events", headers=fan.headers, params={"my": "attending"})
    assert [e["id"] for e in attending.json()["items"]] == [shop.event_id]
    nothing = await client.get("/v1/events", headers=stranger.headers, params={"my": "attending"})
    assert nothing.json()["items"] == []

    reviews = f"/v1/events/{shop.event_id}/reviews"
    with clock.use(clock.FrozenClock(clock.now() + timedelta(days=31))):
        refused = await client.post(reviews, headers=stranger.headers, json={"rating": 1})
        assert refused.status_code == 403 and "attended" in refused.json()["detail"]
        fine = await client.post(reviews, headers=fan.headers, json={"rating": 5})
        assert fine.status_code == 201, fine.text
        given = await client.post(reviews, headers=friend.headers, json={"rating": 4})
        assert given.status_code == 201, "a ticket naming your address counts"

    await client.post(
        f"/v1/events/{shop.event_id}/orders/{order['id']}/refunds",
        headers=shop.owner.headers,
        json={},
    )
    await client.post(
        f"/v1/events/{shop.event_id}/orders/{gift.json()['id']}/refunds",
        headers=shop.owner.headers,
        json={},
    )
    after = await client.get("/v1/events", headers=fan.headers, params={"my": "attending"})
    assert after.json()["items"] == [], "refunded tickets attend nothing"


async def test_sold_sessions_stay(client: httpx.AsyncClient) -> None:
    shop = await open_shop(client)
    sessions = f"/v1/events/{shop.event_id}/sessions"
    made = await client.post(
        sessions,
        headers=shop.owner.headers,
        json={
            "name": "Headliner",
            "starts_on": local(30, 21),
            "ends_on": local(30, 22),
            "sold_individually": True,
        },
    )
    assert made.status_code == 201, made.text
    spare = await client.post(
        sessions,
        headers=shop.owner.headers,
        json={"name": "Encore", "starts_on": local(30, 22), "ends_on": local(30, 23)},
    )
    headliner = await add_ticket_type(
        client, shop.owner, shop.event_id, name="Headliner only", session=made.json()["id"]
    )
    buyer = await signed_up(client, "fan")
    sold = await purchase(client, buyer, shop, {"ticket_type_id": headliner["id"], "quantity": 1})
    assert sold.status_code == 201, sold.text
    kept = await client.delete(f"{sessions}/{made.json()['id']}", headers=shop.owner.headers)
    assert kept.status_code == 409
    removed = await client.delete(f"{sessions}/{spare.json()['id']}", headers=shop.owner.headers)
    assert removed.status_code == 204


async def test_ticket_activities(client: httpx.AsyncClient) -> None:
    shop = await open_shop(client)
    _, two = await bought(client, shop, 2)
    await bought(client, shop, 1)
    partial = await client.post(
        f"/v1/events/{shop.event_id}/orders/{two['id']}/refunds",
        headers=shop.owner.headers,
        json={"amount": 1000},
    )
    assert partial.status_code == 200
    today = clock.now().date()
    url = f"/v1/orgs/{shop.org['id']}/activities"

    async def figures(start: object, end: object) -> dict[str, int | None]:
        response = await client.get(
            url,
            headers=shop.owner.headers,
            params={"events": [shop.event_id], "start_date": str(start), "end_date": str(end)},
        )
        assert response.status_code == 200, response.text
        return {a["name"]: a["value"] for a in response.json()["activities"]}

    now = await figures(today - timedelta(days=1), today + timedelta(days=1))
    assert (now["tickets_sold"], now["orders_received"], now["revenue_earned"]) == (
        3,
        2,
        2 * 2500 + 2500 - 1000,
    )
    before = await figures(today - timedelta(days=10), today - timedelta(days=5))
    assert (before["tickets_sold"], before["orders_received"], before["revenue_earned"]) == (
        0,
        0,
        0,
    )
