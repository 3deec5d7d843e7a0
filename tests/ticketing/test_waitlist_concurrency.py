"""Waiting-list offers racing new buyers, with real concurrent requests to a real server on
SQLite and PostgreSQL: a freed place goes to the list in the very transaction that frees it,
so new buyers never get it, nothing is oversold and no entry is offered twice."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import select

from livehouse.core.db import unit_of_work
from livehouse.core.runtime import Runtime
from livehouse.ticketing.models import Hold, WaitlistEntry
from tests.support.ticketing import CARD, open_shop
from tests.support.ticketing_extra import held, join, stock
from tests.ticketing.test_concurrency import crowd

PLACES = 10
BUYERS = 60


async def test_offers_race_new_buyers(live_client: httpx.AsyncClient, runtime: Runtime) -> None:
    shop = await open_shop(live_client, quantity=PLACES, waiting_list=True)
    holders = await crowd(live_client, PLACES)
    holds = [await held(live_client, p, shop) for p in holders]
    waiters = await crowd(live_client, PLACES + 2)
    for waiter in waiters:
        assert (await join(live_client, waiter, shop)).status_code == 201
    buyers = await crowd(live_client, BUYERS)

    releases = [
        live_client.delete(f"/v1/holds/{h}", headers=p.headers)
        for h, p in zip(holds, holders, strict=True)
    ]
    purchases = [
        live_client.post(
            f"/v1/events/{shop.event_id}/orders",
            json={"items": [shop.item(1)], "card": CARD},
            headers=b.headers,
        )
        for b in buyers
    ]
    mixed = list(purchases)
    for i, release in enumerate(releases):  # spread the releases among the buyers
        mixed.insert(i * (BUYERS // PLACES + 1), release)
    responses = await asyncio.gather(*mixed)
    released = [r for r in responses if r.request.method == "DELETE"]
    bought = [r for r in responses if r.request.method == "POST"]
    assert [r.status_code for r in released] == [204] * PLACES
    assert {r.status_code for r in bought} == {409}, "every freed place went to the list"

    assert await stock(runtime, shop) == {
        "taken": PLACES,
        "event_taken": PLACES,
        "held": PLACES,
        "tickets": 0,
        "offers": PLACES,
    }
    async with unit_of_work(runtime.database, write=False) as session:
        entries = (await session.scalars(select(WaitlistEntry).order_by(WaitlistEntry.id))).all()
        offer_holds = (
            await session.scalars(select(Hold).where(Hold.waitlist_entry_id.is_not(None)))
        ).all()
    assert [e.status for e in entries] == ["offered"] * PLACES + ["waiting"] * 2, "in order"
    assert sorted(h.waitlist_entry_id for h in offer_holds) == [e.id for e in entries[:PLACES]]
    assert {h.account_id for h in offer_holds} == {e.account_id for e in entries[:PLACES]}
