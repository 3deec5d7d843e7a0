"""The demo: tiers, a coupon and merchandise for the demo event, and a paid ticket with its
pass for the demo fan — loaded once, however often the demo is loaded."""

from __future__ import annotations

import httpx

from livehouse import demo
from livehouse.core.runtime import Runtime
from livehouse.identity.demo import ACCOUNTS
from tests.support.auth import Person, login


async def test_demo_tickets(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ctx = await demo.load(runtime)
    event_id = ctx["event"].public_id
    types = (await client.get(f"/v1/events/{event_id}/ticket-types")).json()
    assert [t["name"] for t in types] == ["General", "VIP", "VVIP table"]
    assert [v["name"] for v in types[0]["variations"]] == ["Standard", "Group of 4"]
    assert (types[2]["category"], types[2]["section"], types[2]["table_number"]) == (
        "table",
        "VVIP",
        1,
    )
    merchandise = (await client.get(f"/v1/events/{event_id}/merchandise")).json()
    assert [p["code"] for p in merchandise] == ["TSHIRT"]

    email, password, _, _ = ACCOUNTS["fan"]
    fan = await login(client, Person(email, password, ""))
    tickets = (await client.get("/v1/me/tickets", headers=fan.headers)).json()["items"]
    assert len(tickets) == 1 and tickets[0]["pass_code"]
    assert tickets[0]["ticket_type"] == "General — Standard"
    [order] = (await client.get("/v1/me/orders", headers=fan.headers)).json()["items"]
    assert order["status"] == "paid" and order["number"] in ctx["credentials"]["fan's order"]

    owner_email, owner_password, _, _ = ACCOUNTS["owner"]
    owner = await login(client, Person(owner_email, owner_password, ""))
    coupons = (await client.get(f"/v1/events/{event_id}/coupons", headers=owner.headers)).json()
    assert [c["code"] for c in coupons] == ["FRIDAY10"]

    again = await demo.load(runtime, force=True)
    assert again["loaded_now"]
    assert len((await client.get(f"/v1/events/{event_id}/ticket-types")).json()) == 3
    assert len((await client.get("/v1/me/orders", headers=fan.headers)).json()["items"]) == 1
    described = await demo.load(runtime)
    assert (
        not described["loaded_now"] and order["number"] in described["credentials"]["fan's order"]
    )
