"""Tenancy classification of ticketing's routes."""

from __future__ import annotations

from typing import Any

from tests.support.tenancy import World, org_of_a, rule


async def event_of_a(world: World) -> dict[str, str]:
    if "shop" not in world.a.extra:
        from tests.support.events import published_event
        from tests.support.ticketing import Shop, add_ticket_type, bought

        event = await published_event(world.client, world.a.owner, world.a.org["id"])
        ticket_type = await add_ticket_type(world.client, world.a.owner, event["id"])
        shop = Shop(world.a.owner, world.a.org, event, ticket_type)
        _, order = await bought(world.client, shop, 1)
        coupon = await world.client.post(
            f"/v1/events/{event['id']}/coupons",
            headers=world.a.owner.headers,
            json={"code": "AONLY", "discount_type": "fixed", "discount_value": 100},
        )
        product = await world.client.post(
            f"/v1/orgs/{world.a.org['id']}/products",
            headers=world.a.owner.headers,
            json={"name": "Cap", "code": "CAP", "price": 900, "currency": "EUR"},
        )
        world.a.extra["shop"] = {
            "event_id": event["id"],
            "ticket_type_id": ticket_type["id"],
            "order_id": order["id"],
            "coupon_id": coupon.json()["id"],
            "product_id": product.json()["id"],
        }
    return dict(world.a.extra["shop"])


async def product_of_a(world: World) -> dict[str, str]:
    return {"org_id": world.a.org["id"], "product_id": (await event_of_a(world))["product_id"]}


def body(kind: str) -> Any:
    bodies = {
        "type": {"name": "Intruder", "variations": [{"price": 1}]},
        "coupon": {"code": "X1", "discount_type": "fixed", "discount_value": 1},
        "product": {"name": "X", "code": "X", "price": 1, "currency": "EUR"},
    }
    return bodies[kind]


rule(
    "GET",
    "/v1/events/{event_id}/ticket-types",
    "public",
    why="what is on sale; drafts stay 404 to outsiders (events' own rule)",
)
rule("GET", "/v1/events/{event_id}/merchandise", "public", why="what is sold with tickets")
rule("POST", "/v1/events/{event_id}/holds", "self", why="a buyer's own basket")
rule("GET", "/v1/holds/{hold_id}", "self", why="only its buyer (404 to others)")
rule("DELETE", "/v1/holds/{hold_id}", "self", why="only its buyer")
rule("POST", "/v1/holds/{hold_id}/checkout", "self", why="only its buyer")
rule("POST", "/v1/events/{event_id}/orders", "self", why="a buyer's own purchase")
rule("GET", "/v1/me/orders", "self")
rule("GET", "/v1/me/orders/{order_id}", "self")
rule("POST", "/v1/me/orders/{order_id}/refund", "self")
rule("GET", "/v1/me/tickets", "self")
rule("GET", "/v1/me/tickets/{ticket_id}", "self")
rule("GET", "/v1/me/tickets/{ticket_id}/qr", "self")
rule("GET", "/v1/orgs/{org_id}/pass-keys", "public", why="public keys to verify passes offline")

rule("GET", "/v1/events/{event_id}/ticket-settings", "tenant", params=event_of_a)
rule(
    "PATCH",
    "/v1/events/{event_id}/ticket-settings",
    "tenant",
    params=event_of_a,
    body={"blockout_minutes": 5},
)
rule("POST", "/v1/events/{event_id}/ticket-types", "tenant", params=event_of_a, body=body("type"))
rule(
    "PATCH",
    "/v1/events/{event_id}/ticket-types/{ticket_type_id}",
    "tenant",
    params=event_of_a,
    body={"name": "Pwned"},
)
rule("DELETE", "/v1/events/{event_id}/ticket-types/{ticket_type_id}", "tenant", params=event_of_a)
rule("GET", "/v1/events/{event_id}/coupons", "tenant", params=event_of_a)
rule("POST", "/v1/events/{event_id}/coupons", "tenant", params=event_of_a, body=body("coupon"))
rule(
    "PATCH",
    "/v1/events/{event_id}/coupons/{coupon_id}",
    "tenant",
    params=event_of_a,
    body={"active": False},
)
rule("DELETE", "/v1/events/{event_id}/coupons/{coupon_id}", "tenant", params=event_of_a)
rule("GET", "/v1/orgs/{org_id}/products", "tenant", params=org_of_a)
rule("POST", "/v1/orgs/{org_id}/products", "tenant", params=org_of_a, body=body("product"))
rule(
    "PATCH",
    "/v1/orgs/{org_id}/products/{product_id}",
    "tenant",
    params=product_of_a,
    body={"price": 1},
)
rule("DELETE", "/v1/orgs/{org_id}/products/{product_id}", "tenant", params=product_of_a)
rule("GET", "/v1/events/{event_id}/orders", "tenant", params=event_of_a)
rule("GET", "/v1/events/{event_id}/orders/{order_id}", "tenant", params=event_of_a)
rule(
    "POST",
    "/v1/events/{event_id}/orders/{order_id}/refunds",
    "tenant",
    params=event_of_a,
    body={"amount": 1},
)
rule("GET", "/v1/events/{event_id}/attendees", "tenant", params=event_of_a)
rule(
    "POST",
    "/v1/events/{event_id}/check-ins",
    "tenant",
    params=event_of_a,
    body={"code": "not-a-valid-pass-code"},
)

from tests.ticketing import tenancy_extra  # noqa: E402, F401 (waitlists, invitations, forms, guests)
