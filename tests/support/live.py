"""Helpers that set up a live show through the HTTP API: an event selling two tiers, guest
categories mapped to them, a performer on the team, fans holding tickets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.auth import Person, add_member, signed_up
from tests.support.ticketing import Shop, add_ticket_type, open_shop, purchase

REGULAR: dict[str, Any] = {"name": "regular", "commenting": True}
VIP: dict[str, Any] = {
    "name": "vvip",
    "commenting": True,
    "live_tipping": True,
    "video_chat": True,
    "special_requests": True,
    "special_request_limit": 2,
    "cheerful_entry": True,
    "guest_upgrade": False,
    "rank": 10,
}


@dataclass
class Stage:
    shop: Shop
    vip_type: dict[str, Any]
    performer: Person
    categories: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def event_id(self) -> str:
        return self.shop.event_id

    @property
    def owner(self) -> Person:
        return self.shop.owner

    def url(self, path: str = "") -> str:
        return f"/v1/events/{self.event_id}{path}"


async def make_category(
    client: httpx.AsyncClient, host: Person, event_id: str, **fields: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/events/{event_id}/guest-categories", json=fields, headers=host.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def stage(
    client: httpx.AsyncClient, runtime: Any, *, regular: dict[str, Any] | None = None
) -> Stage:
    """General admission → "regular" (commenting), VIP → "vvip" (every perk but upgrades, two
    special requests); a performer on the team as a member (members hold live.host)."""
    shop = await open_shop(client)
    vip_type = await add_ticket_type(
        client, shop.owner, shop.event_id, name="VIP", variations=[{"price": 6000}]
    )
    performer = await signed_up(client, "performer", full_name="Davido Live")
    await add_member(runtime, shop.org["id"], performer, "member")
    built = Stage(shop, vip_type, performer)
    built.categories["regular"] = await make_category(
        client,
        shop.owner,
        shop.event_id,
        **{**REGULAR, **(regular or {})},
        ticket_type_ids=[shop.ticket_type["id"]],
    )
    built.categories["vvip"] = await make_category(
        client, shop.owner, shop.event_id, **VIP, ticket_type_ids=[vip_type["id"]]
    )
    return built


async def fan(
    client: httpx.AsyncClient, built: Stage, tier: str = "regular", tag: str = "fan"
) -> Person:
    """A person holding one paid ticket of the tier ("regular" or "vvip")."""
    person = await signed_up(client, tag)
    ticket_type = built.shop.ticket_type if tier == "regular" else built.vip_type
    response = await purchase(
        client, person, built.shop, {"ticket_type_id": ticket_type["id"], "quantity": 1}
    )
    assert response.status_code == 201 and response.json()["status"] == "paid", response.text
    return person


async def go_live(
    client: httpx.AsyncClient, built: Stage, host: Person | None = None, **fields: Any
) -> dict[str, Any]:
    response = await client.post(
        built.url("/live-sessions"), json=fields, headers=(host or built.performer).headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def comment(
    client: httpx.AsyncClient, built: Stage, person: Person, message: str = "hello"
) -> httpx.Response:
    return await client.post(
        built.url("/comments"), json={"message": message}, headers=person.headers
    )
