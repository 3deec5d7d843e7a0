"""Helpers that set up something to sell and buy it, through the HTTP API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.auth import Person, create_org, signed_up
from tests.support.events import published_event

CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2035, "cvc": "123"}


@dataclass
class Shop:
    owner: Person
    org: dict[str, Any]
    event: dict[str, Any]
    ticket_type: dict[str, Any]

    @property
    def event_id(self) -> str:
        return str(self.event["id"])

    def item(self, quantity: int = 1, **extra: Any) -> dict[str, Any]:
        return {"ticket_type_id": self.ticket_type["id"], "quantity": quantity, **extra}


async def add_ticket_type(
    client: httpx.AsyncClient, owner: Person, event_id: str, **fields: Any
) -> dict[str, Any]:
    body = {"name": "General admission", "quantity": 100, "variations": [{"price": 2500}], **fields}
    response = await client.post(
        f"/v1/events/{event_id}/ticket-types", json=body, headers=owner.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def open_shop(
    client: httpx.AsyncClient, *, event: dict[str, Any] | None = None, **ticket_fields: Any
) -> Shop:
    owner = await signed_up(client, "organiser")
    org = await create_org(client, owner, "Box Office Ltd")
    event_fields = event or {}
    published = await published_event(client, owner, org["id"], **event_fields)
    ticket_type = await add_ticket_type(client, owner, published["id"], **ticket_fields)
    return Shop(owner, org, published, ticket_type)


async def add_coupon(
    client: httpx.AsyncClient, shop: Shop, code: str, **fields: Any
) -> dict[str, Any]:
    """A coupon on the shop's event: 50 % off unless `fields` say otherwise."""
    body = {"code": code, "discount_type": "percentage", "discount_value": 5000, **fields}
    response = await client.post(
        f"/v1/events/{shop.event_id}/coupons", json=body, headers=shop.owner.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def settings(client: httpx.AsyncClient, shop: Shop, **changes: Any) -> dict[str, Any]:
    response = await client.patch(
        f"/v1/events/{shop.event_id}/ticket-settings", json=changes, headers=shop.owner.headers
    )
    assert response.status_code == 200, response.text
    return response.json()


async def hold(
    client: httpx.AsyncClient, buyer: Person, shop: Shop, *items: dict[str, Any], **extra: Any
) -> httpx.Response:
    body = {"items": list(items) or [shop.item()], **extra}
    return await client.post(f"/v1/events/{shop.event_id}/holds", json=body, headers=buyer.headers)


async def purchase(
    client: httpx.AsyncClient,
    buyer: Person,
    shop: Shop,
    *items: dict[str, Any],
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> httpx.Response:
    body = {"items": list(items) or [shop.item()], "card": CARD, **extra}
    return await client.post(
        f"/v1/events/{shop.event_id}/orders",
        json=body,
        headers={**buyer.headers, **(headers or {})},
    )


async def bought(
    client: httpx.AsyncClient, shop: Shop, quantity: int = 1, buyer: Person | None = None
) -> tuple[Person, dict[str, Any]]:
    buyer = buyer or await signed_up(client, "fan")
    response = await purchase(client, buyer, shop, shop.item(quantity))
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "paid", response.text
    return buyer, response.json()
