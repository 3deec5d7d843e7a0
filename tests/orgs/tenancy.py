"""Tenancy classification of the organisation routes."""

from __future__ import annotations

from tests.support.auth import PASSWORD, create_org, signed_up, unique_email
from tests.support.tenancy import World, org_of_a, rule


async def member_of_a(world: World) -> dict[str, str]:
    return {"org_id": world.a.org["id"], "member_id": world.a.member_id}


rule("POST", "/v1/orgs", "self", why="creates an organisation owned by the caller")
rule("GET", "/v1/orgs/{org_id}", "public", why="an organisation's public profile")
rule("PATCH", "/v1/orgs/{org_id}", "tenant", params=org_of_a, body={"info": "pwned"})
rule("GET", "/v1/me/orgs", "self")
rule("GET", "/v1/orgs/{org_id}/members", "tenant", params=org_of_a)
rule(
    "PATCH",
    "/v1/orgs/{org_id}/members/{member_id}",
    "tenant",
    params=member_of_a,
    body={"role": "admin"},
)
rule("DELETE", "/v1/orgs/{org_id}/members/{member_id}", "tenant", params=member_of_a)


# ---- invitations, relations, settings, registration fields, customers -----------------------

ADDRESS = {
    "address_line1": "9 Yarra St",
    "city": "South Yarra",
    "state": "VIC",
    "post_code": "3141",
    "country": "AU",
}
PAYOUT = {"account_name": "A", "bank_name": "B", "iban": "DE89370400440532013000"}


async def _once(world: World, name: str, make) -> str:
    """Make one of A's resources the first time a rule asks for it (rules ask once per caller)."""
    if name not in world.a.extra:
        world.a.extra[name] = await make()
    return world.a.extra[name]


async def invitation_of_a(world: World) -> dict[str, str]:
    async def make() -> str:
        sent = await world.client.post(
            f"/v1/orgs/{world.a.org['id']}/invitations",
            json={"email": unique_email("invitee")},
            headers=world.a.owner.headers,
        )
        assert sent.status_code == 201, sent.text
        return sent.json()["id"]

    return {"org_id": world.a.org["id"], "invitation_id": await _once(world, "invitation", make)}


async def follower_of_a(world: World) -> dict[str, str]:
    async def make() -> str:
        created = await world.client.post(
            f"/v1/orgs/{world.a.org['id']}/followers",
            json={"organisation": {"name": "A's follower"}},
            headers=world.a.owner.headers,
        )
        assert created.status_code == 201, created.text
        return created.json()["follower"]["id"]

    return {"org_id": world.a.org["id"], "follower_id": await _once(world, "follower", make)}


async def a_as_follower(world: World) -> dict[str, str]:
    """A is asked to follow a third organisation (neither A nor B)."""

    async def make() -> str:
        third = await signed_up(world.client, "third")
        master = await create_org(world.client, third, "Third")
        linked = await world.client.post(
            f"/v1/orgs/{master['id']}/followers/link",
            json={"follower_id": world.a.org["id"], "scopes": ["org.read"]},
            headers=third.headers,
        )
        assert linked.status_code == 201, linked.text
        return master["id"]

    await _once(world, "master", make)
    return {"org_id": world.a.org["id"]}


async def _put(world: World, path: str, body: dict) -> str:
    response = await world.client.put(
        f"/v1/orgs/{world.a.org['id']}/{path}", json=body, headers=world.a.owner.headers
    )
    assert response.status_code in (200, 201), response.text
    return path


async def billing_of_a(world: World) -> dict[str, str]:
    await _once(world, "billing", lambda: _put(world, "billing-information", {"address": ADDRESS}))
    return {"org_id": world.a.org["id"]}


async def payout_of_a(world: World) -> dict[str, str]:
    await _once(world, "payout", lambda: _put(world, "payout-information", PAYOUT))
    return {"org_id": world.a.org["id"]}


async def field_of_a(world: World) -> dict[str, str]:
    async def make() -> str:
        created = await world.client.post(
            f"/v1/orgs/{world.a.org['id']}/registration-fields",
            json={"name": "club", "label": "Club", "type": "text"},
            headers=world.a.owner.headers,
        )
        assert created.status_code == 201, created.text
        return created.json()["id"]

    return {"org_id": world.a.org["id"], "field_id": await _once(world, "field", make)}


async def customer_of_a(world: World) -> dict[str, str]:
    async def make() -> str:
        registered = await world.client.post(
            "/v1/accounts",
            json={
                "email": unique_email("fan"),
                "password": PASSWORD,
                "client_id": world.a.app["client_id"],
            },
        )
        assert registered.status_code == 201, registered.text
        listed = await world.client.get(
            f"/v1/orgs/{world.a.org['id']}/customers", headers=world.a.owner.headers
        )
        return listed.json()["items"][0]["id"]

    return {"org_id": world.a.org["id"], "customer_id": await _once(world, "customer", make)}


INVITATIONS = "/v1/orgs/{org_id}/invitations"
rule("GET", INVITATIONS, "tenant", params=org_of_a)
rule("POST", INVITATIONS, "tenant", params=org_of_a, body=lambda w: {"email": unique_email()})
rule("GET", INVITATIONS + "/{invitation_id}", "tenant", params=invitation_of_a)
rule("DELETE", INVITATIONS + "/{invitation_id}", "tenant", params=invitation_of_a)
rule("POST", INVITATIONS + "/{invitation_id}/resend", "tenant", params=invitation_of_a)
rule(
    "POST",
    INVITATIONS + "/{invitation_id}/accept",
    "self",
    why="the invitee joins: needs the e-mailed token and the invited address (test_invitations)",
)

FOLLOWERS = "/v1/orgs/{org_id}/followers"
rule("GET", FOLLOWERS, "tenant", params=org_of_a)
rule("POST", FOLLOWERS, "tenant", params=org_of_a, body={"organisation": {"name": "Intruder"}})
rule(
    "POST",
    FOLLOWERS + "/link",
    "tenant",
    params=org_of_a,
    body=lambda w: {"follower_id": w.b.org["id"]},
)
rule("GET", FOLLOWERS + "/{follower_id}", "tenant", params=follower_of_a)
rule(
    "PATCH",
    FOLLOWERS + "/{follower_id}",
    "tenant",
    params=follower_of_a,
    body={"scopes": ["org.read"]},
)
rule("DELETE", FOLLOWERS + "/{follower_id}", "tenant", params=follower_of_a)
rule("GET", "/v1/orgs/{org_id}/master", "tenant", params=a_as_follower)
rule("POST", "/v1/orgs/{org_id}/master/accept", "tenant", params=a_as_follower)
rule("DELETE", "/v1/orgs/{org_id}/master", "tenant", params=a_as_follower)

PRIVACY = "/v1/orgs/{org_id}/privacy-settings"
rule("GET", PRIVACY, "tenant", params=org_of_a)
rule("PATCH", PRIVACY, "tenant", params=org_of_a, body={"lock_my_organisation_profile": True})

for path, builder, body in (
    ("/v1/orgs/{org_id}/billing-information", billing_of_a, {"address": ADDRESS}),
    ("/v1/orgs/{org_id}/payout-information", payout_of_a, PAYOUT),
):
    rule("GET", path, "tenant", params=builder)
    rule("POST", path, "tenant", params=org_of_a, body=body)
    rule("PUT", path, "tenant", params=org_of_a, body=body)
    rule("DELETE", path, "tenant", params=builder)

FIELDS = "/v1/orgs/{org_id}/registration-fields"
rule("GET", FIELDS, "public", why="sign-up forms show an organisation's questions")
rule(
    "POST",
    FIELDS,
    "tenant",
    params=org_of_a,
    body={"name": "colour", "label": "Colour", "type": "text"},
)
rule("PATCH", FIELDS + "/{field_id}", "tenant", params=field_of_a, body={"label": "pwned"})
rule("DELETE", FIELDS + "/{field_id}", "tenant", params=field_of_a)

CUSTOMERS = "/v1/orgs/{org_id}/customers"
rule("GET", CUSTOMERS, "tenant", params=org_of_a)
rule("POST", CUSTOMERS, "tenant", params=org_of_a, body=lambda w: {"email": unique_email()})
rule("GET", CUSTOMERS + "/{customer_id}", "tenant", params=customer_of_a)
