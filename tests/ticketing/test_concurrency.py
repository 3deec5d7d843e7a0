"""Concurrent buyers never take more than exists — ticket capacity, event capacity, coupon
limits and per-customer limits — with real concurrent requests to a real server, on SQLite
and PostgreSQL."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select

from livehouse.core.db import unit_of_work
from livehouse.core.runtime import Runtime
from livehouse.ticketing.models import EventStock, Hold, Ticket, TicketStock
from tests.support.auth import Person, unique_email
from tests.support.ticketing import CARD, add_coupon, add_ticket_type, open_shop, settings

BUYERS = 200


async def crowd(client: httpx.AsyncClient, n: int) -> list[Person]:
    """`n` signed-in buyers. Made through identity's service, not HTTP: sign-up is rate
    limited per IP, and the crowd is the setting of these tests, not their subject."""
    from livehouse.core.runtime import current
    from livehouse.identity import oauth, scopes, service

    people = []
    async with unit_of_work(current().database) as session:
        for _ in range(n):
            email = unique_email("buyer")
            account = await service.register(session, email=email, password=None)
            await session.flush()
            grant = await oauth.issue_user_tokens(session, account, sorted(scopes.all_scopes()))
            people.append(
                Person(
                    email, "", str(account.public_id), grant.access_token, grant.refresh_token or ""
                )
            )
    return people


async def rush(
    client: httpx.AsyncClient, people: list[Person], url: str, body: dict
) -> list[httpx.Response]:
    return list(
        await asyncio.gather(*[client.post(url, json=body, headers=p.headers) for p in people])
    )


async def counters(runtime: Runtime) -> tuple[int, int, int]:
    async with unit_of_work(runtime.database, write=False) as s:
        stock = await s.scalar(select(func.coalesce(func.sum(TicketStock.taken), 0)))
        event = await s.scalar(select(func.coalesce(func.sum(EventStock.taken), 0)))
        tickets = await s.scalar(select(func.count()).select_from(Ticket))
    return int(stock or 0), int(event or 0), int(tickets or 0)


async def test_capacity_holds_under_a_rush(
    live_client: httpx.AsyncClient, runtime: Runtime
) -> None:
    shop = await open_shop(live_client, quantity=50)
    people = await crowd(live_client, BUYERS)
    responses = await rush(
        live_client,
        people,
        f"/v1/events/{shop.event_id}/orders",
        {"items": [shop.item(1)], "card": CARD},
    )
    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == 50, sorted(set(statuses))
    assert set(statuses) == {201, 409}
    assert all(r.json()["status"] == "paid" for r in responses if r.status_code == 201)
    assert await counters(runtime) == (50, 50, 50), "counters and issued tickets agree"
    left = (await live_client.get(f"/v1/events/{shop.event_id}/ticket-types")).json()
    assert left[0]["available"] == 0


async def test_event_capacity_spans_ticket_types(
    live_client: httpx.AsyncClient, runtime: Runtime
) -> None:
    shop = await open_shop(live_client, event={"capacity": 60}, quantity=100)
    other = await add_ticket_type(
        live_client, shop.owner, shop.event_id, name="Balcony", quantity=100
    )
    people = await crowd(live_client, BUYERS)
    bodies = [
        {"items": [shop.item(1) if i % 2 else {"ticket_type_id": other["id"], "quantity": 1}]}
        for i in range(BUYERS)
    ]
    responses = await asyncio.gather(
        *[
            live_client.post(f"/v1/events/{shop.event_id}/holds", json=body, headers=p.headers)
            for p, body in zip(people, bodies, strict=True)
        ]
    )
    assert [r.status_code for r in responses].count(201) == 60
    stock, event, _ = await counters(runtime)
    assert stock == event == 60


async def test_coupon_uses_hold_under_a_rush(
    live_client: httpx.AsyncClient, runtime: Runtime
) -> None:
    shop = await open_shop(live_client, quantity=None)
    await add_coupon(live_client, shop, "FIRST10", uses_per_coupon=10)
    people = await crowd(live_client, BUYERS)
    responses = await rush(
        live_client,
        people,
        f"/v1/events/{shop.event_id}/holds",
        {"items": [shop.item(1)], "coupon_code": "FIRST10"},
    )
    ok = [r for r in responses if r.status_code == 201]
    assert len(ok) == 10, sorted({r.status_code for r in responses})
    assert all(r.json()["quote"]["discount"] == 1250 for r in ok)
    used = (
        await live_client.get(f"/v1/events/{shop.event_id}/coupons", headers=shop.owner.headers)
    ).json()[0]["used"]
    assert used == 10


async def test_per_customer_limit_holds_under_a_rush(
    live_client: httpx.AsyncClient, runtime: Runtime
) -> None:
    shop = await open_shop(live_client, quantity=None, max_per_customer=2)
    [buyer] = await crowd(live_client, 1)
    responses = await rush(
        live_client, [buyer] * 50, f"/v1/events/{shop.event_id}/holds", {"items": [shop.item(1)]}
    )
    assert [r.status_code for r in responses].count(201) == 2


async def test_coupon_uses_per_customer_hold_under_a_rush(
    live_client: httpx.AsyncClient, runtime: Runtime
) -> None:
    shop = await open_shop(live_client, quantity=None)
    await add_coupon(live_client, shop, "TWICE", uses_per_customer=2)
    [buyer, other] = await crowd(live_client, 2)
    path = f"/v1/events/{shop.event_id}/holds"
    body = {"items": [shop.item(1)], "coupon_code": "TWICE"}
    responses = await rush(live_client, [buyer] * 30, path, body)
    assert [r.status_code for r in responses].count(201) == 2
    refused = [r.json() for r in responses if r.status_code == 409]
    assert len(refused) == 28
    assert all(
        p["errors"] == [{"field": "coupon_code", "message": "Used up for you"}] for p in refused
    )
    # Another buyer's uses are their own.
    assert (await rush(live_client, [other], path, body))[0].status_code == 201
    without = await rush(live_client, [buyer], path, {"items": [shop.item(1)]})
    assert without[0].status_code == 201, "the limit is on the coupon, not on buying"


async def test_released_places_are_sold_again_not_twice(
    live_client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """Holds released while others rush for the same places: the counter never goes past the
    capacity nor below what is really held."""
    shop = await open_shop(live_client, quantity=20)
    first = await crowd(live_client, 20)
    held = await rush(
        live_client, first, f"/v1/events/{shop.event_id}/holds", {"items": [shop.item(1)]}
    )
    assert all(r.status_code == 201 for r in held)
    second = await crowd(live_client, 100)
    releases = [
        live_client.delete(f"/v1/holds/{r.json()['id']}", headers=p.headers)
        for p, r in zip(first[:10], held[:10], strict=True)
    ]
    results = await asyncio.gather(
        *releases,
        *[
            live_client.post(
                f"/v1/events/{shop.event_id}/holds",
                json={"items": [shop.item(1)]},
                headers=p.headers,
            )
            for p in second
        ],
    )
    new_holds = [r for r in results[10:] if r.status_code == 201]
    assert len(new_holds) <= 10
    async with unit_of_work(runtime.database, write=False) as s:
        active = await s.scalar(
            select(func.count()).select_from(Hold).where(Hold.status == "active")
        )
        taken = await s.scalar(select(func.sum(TicketStock.taken)))
    assert taken == active == 10 + len(new_holds) <= 20


async def test_settings_change_capacity_immediately(live_client: httpx.AsyncClient) -> None:
    shop = await open_shop(live_client, quantity=5)
    await settings(live_client, shop, hold_minutes=5)
    people = await crowd(live_client, 3)
    await rush(live_client, people, f"/v1/events/{shop.event_id}/holds", {"items": [shop.item(1)]})
    shrink = await live_client.patch(
        f"/v1/events/{shop.event_id}/ticket-types/{shop.ticket_type['id']}",
        headers=shop.owner.headers,
        json={"quantity": 3},
    )
    assert shrink.status_code == 200
    late = await crowd(live_client, 1)
    refused = await live_client.post(
        f"/v1/events/{shop.event_id}/holds", json={"items": [shop.item(1)]}, headers=late[0].headers
    )
    assert refused.status_code == 409
