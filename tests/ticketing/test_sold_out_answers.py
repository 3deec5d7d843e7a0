"""Once a sale has found a ticket type or a date sold out, the next buyers in the queue are
refused without the work of a sale (pricing only: no payment, order or counter statements) —
and places that come back sell again at once."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from livehouse.core.runtime import Runtime
from livehouse.ticketing import soldout
from tests.support.auth import signed_up
from tests.support.sql import statements
from tests.support.ticketing import Shop, add_ticket_type, bought, open_shop, purchase


def writes(sent: list[str]) -> list[str]:
    return [s for s in sent if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


async def refused_twice(
    client: httpx.AsyncClient, runtime: Runtime, shop: Shop, item: dict[str, object]
) -> tuple[httpx.Response, list[str], httpx.Response, list[str]]:
    """Two more buyers after the last place went: the first finds out by trying, the second
    is told what the first found."""
    first, second = await signed_up(client, "fan"), await signed_up(client, "fan")
    with statements(runtime) as tried:
        found_out = await purchase(client, first, shop, item)
    with statements(runtime) as told:
        refused = await purchase(client, second, shop, item)
    return found_out, tried, refused, told


async def test_a_sold_out_type_is_refused_without_a_sale_s_work(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    shop = await open_shop(client, quantity=1)
    await bought(client, shop)
    found_out, tried, refused, told = await refused_twice(client, runtime, shop, shop.item())
    assert found_out.status_code == refused.status_code == 409, refused.text
    assert refused.json()["type"] == found_out.json()["type"]
    assert (
        refused.json()["detail"] == found_out.json()["detail"] == "'General admission' is sold out"
    )
    assert refused.json()["available"] == 0
    assert writes(tried), "the first buyer's sale ran to its counters (then rolled back)"
    assert writes(told) == [], f"the next buyer was refused before any write: {writes(told)}"
    assert len(told) < len(tried) / 2, (len(told), len(tried))


async def test_a_date_sold_out_across_types_is_refused_for_every_type(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    shop = await open_shop(client, event={"capacity": 1}, quantity=10)
    balcony = await add_ticket_type(client, shop.owner, shop.event_id, name="Balcony")
    await bought(client, shop)
    item = {"ticket_type_id": balcony["id"], "quantity": 1}
    found_out, _tried, refused, told = await refused_twice(client, runtime, shop, item)
    assert found_out.status_code == refused.status_code == 409
    assert refused.json()["detail"] == "The event is sold out for this date"
    assert writes(told) == []


async def test_places_given_back_here_sell_again_at_once(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    shop = await open_shop(client, quantity=1)
    _buyer, order = await bought(client, shop)
    *_, refused, told = await refused_twice(client, runtime, shop, shop.item())
    assert refused.status_code == 409 and writes(told) == []
    refund = await client.post(
        f"/v1/events/{shop.event_id}/orders/{order['id']}/refunds",
        headers=shop.owner.headers,
        json={},
    )
    assert refund.status_code in (200, 201), refund.text
    late = await purchase(client, await signed_up(client, "fan"), shop)
    assert late.status_code == 201, late.text


async def test_more_places_on_sale_sell_at_once(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    shop = await open_shop(client, quantity=1)
    await bought(client, shop)
    *_, refused, told = await refused_twice(client, runtime, shop, shop.item())
    assert refused.status_code == 409 and writes(told) == []
    more = await client.patch(
        f"/v1/events/{shop.event_id}/ticket-types/{shop.ticket_type['id']}",
        headers=shop.owner.headers,
        json={"quantity": 2},
    )
    assert more.status_code == 200, more.text
    late = await purchase(client, await signed_up(client, "fan"), shop)
    assert late.status_code == 201, late.text


async def test_what_a_sale_found_is_remembered_briefly(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Places given back on another node are not announced here: after the moment, a sale
    looks again."""
    monkeypatch.setattr(soldout, "REMEMBER_SECONDS", 0.2)
    shop = await open_shop(client, quantity=1)
    await bought(client, shop)
    *_, refused, told = await refused_twice(client, runtime, shop, shop.item())
    assert refused.status_code == 409 and writes(told) == []
    await asyncio.sleep(0.3)
    with statements(runtime) as again:
        late = await purchase(client, await signed_up(client, "fan"), shop)
    assert late.status_code == 409
    assert writes(again), "the moment passed: the sale tried the counters again"


async def test_fewer_places_than_asked_is_not_sold_out(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    shop = await open_shop(client, quantity=2)
    await bought(client, shop)
    found_out, _tried, refused, told = await refused_twice(client, runtime, shop, shop.item(2))
    assert found_out.status_code == refused.status_code == 409
    assert refused.json()["available"] == 1
    assert writes(told), "only a type with no place left is remembered"
    assert (await purchase(client, await signed_up(client, "fan"), shop)).status_code == 201
