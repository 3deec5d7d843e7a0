"""Tenancy classification of ticketing's waiting-list, invitation, order-form and guest-order
routes (imported by tests/ticketing/tenancy.py)."""

from __future__ import annotations

from tests.support.tenancy import World, rule
from tests.ticketing.tenancy import event_of_a


async def invitation_of_a(world: World) -> dict[str, str]:
    params = await event_of_a(world)
    if "invitation_id" not in world.a.extra:
        sent = await world.client.post(
            f"/v1/events/{params['event_id']}/invitations",
            headers=world.a.owner.headers,
            json={"invitees": [{"email": "invited-by-a@example.com"}]},
        )
        assert sent.status_code == 201, sent.text
        world.a.extra["invitation_id"] = sent.json()[0]["id"]
    return {**params, "invitation_id": world.a.extra["invitation_id"]}


async def field_of_a(world: World) -> dict[str, str]:
    params = await event_of_a(world)
    if "field_id" not in world.a.extra:
        made = await world.client.post(
            f"/v1/events/{params['event_id']}/order-form/fields",
            headers=world.a.owner.headers,
            json={"name": "company", "label": "Company", "type": "text"},
        )
        assert made.status_code == 201, made.text
        world.a.extra["field_id"] = made.json()["id"]
    return {**params, "field_id": world.a.extra["field_id"]}


GUEST = "the order token (X-Order-Token) is the key; without it every guest route is a 404"

rule("POST", "/v1/events/{event_id}/waiting-list", "self", why="a buyer's own place in line")
rule("GET", "/v1/me/waiting-list", "self")
rule("DELETE", "/v1/me/waiting-list/{entry_id}", "self")
rule("GET", "/v1/events/{event_id}/waiting-list", "tenant", params=event_of_a)
rule(
    "POST",
    "/v1/events/{event_id}/waiting-list/offers",
    "tenant",
    params=event_of_a,
    body=lambda world: {"ticket_type_id": world.a.extra["shop"]["ticket_type_id"]},
)

rule(
    "POST",
    "/v1/events/{event_id}/invitations",
    "tenant",
    params=event_of_a,
    body={"invitees": [{"email": "someone@example.com"}]},
)
rule("GET", "/v1/events/{event_id}/invitations", "tenant", params=event_of_a)
rule("GET", "/v1/events/{event_id}/invitations/{invitation_id}", "tenant", params=invitation_of_a)
rule(
    "DELETE", "/v1/events/{event_id}/invitations/{invitation_id}", "tenant", params=invitation_of_a
)

rule(
    "GET",
    "/v1/events/{event_id}/order-form",
    "public",
    why="the questions buyers answer; drafts stay 404 to outsiders (events' own rule)",
)
rule(
    "POST",
    "/v1/events/{event_id}/order-form/fields",
    "tenant",
    params=event_of_a,
    body={"name": "intruder", "label": "Intruder", "type": "text"},
)
rule(
    "PATCH",
    "/v1/events/{event_id}/order-form/fields/{field_id}",
    "tenant",
    params=field_of_a,
    body={"label": "Pwned"},
)
rule("DELETE", "/v1/events/{event_id}/order-form/fields/{field_id}", "tenant", params=field_of_a)

rule("GET", "/v1/guest-orders/{order_id}", "anonymous", why=GUEST)
rule("POST", "/v1/guest-orders/{order_id}/card", "anonymous", why=GUEST)
rule("POST", "/v1/guest-orders/{order_id}/challenge", "anonymous", why=GUEST)
rule("POST", "/v1/guest-orders/{order_id}/challenge/resend", "anonymous", why=GUEST)
rule("POST", "/v1/guest-orders/{order_id}/checkout", "anonymous", why=GUEST)
rule("GET", "/v1/guest-orders/{order_id}/tickets/{ticket_id}/qr", "anonymous", why=GUEST)
