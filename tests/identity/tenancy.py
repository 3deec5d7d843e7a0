"""Tenancy classification of identity's routes."""

from __future__ import annotations

from tests.support.auth import PASSWORD, register
from tests.support.tenancy import World, org_of_a, rule


async def app_of_a(world: World) -> dict[str, str]:
    return {"org_id": world.a.org["id"], "app_id": world.a.app["id"]}


async def key_of_a(world: World) -> dict[str, str]:
    keys = await world.client.get(
        f"/v1/orgs/{world.a.org['id']}/api-keys", headers=world.a.owner.headers
    )
    return {"org_id": world.a.org["id"], "key_id": keys.json()[0]["id"]}


rule("POST", "/v1/oauth/token", "anonymous")
rule("POST", "/v1/oauth/revoke", "anonymous", why="revoking needs the token itself")
rule("GET", "/.well-known/jwks.json", "public", why="public keys")
rule("GET", "/.well-known/oauth-authorization-server", "public", why="server metadata")
rule("GET", "/v1/scopes", "public", why="the scope catalogue")
rule("POST", "/v1/accounts", "anonymous")
rule("GET", "/v1/accounts/email-availability", "anonymous")
rule("GET", "/v1/me", "self")
rule("PATCH", "/v1/me", "self")
rule("POST", "/v1/me/password", "self")

rule("GET", "/v1/orgs/{org_id}/apps", "tenant", params=org_of_a)
rule("POST", "/v1/orgs/{org_id}/apps", "tenant", params=org_of_a, body={"name": "intruder"})
rule("GET", "/v1/orgs/{org_id}/apps/{app_id}", "tenant", params=app_of_a)
rule("PATCH", "/v1/orgs/{org_id}/apps/{app_id}", "tenant", params=app_of_a, body={"name": "pwned"})
rule("POST", "/v1/orgs/{org_id}/apps/{app_id}/secret", "tenant", params=app_of_a)
rule("DELETE", "/v1/orgs/{org_id}/apps/{app_id}", "tenant", params=app_of_a)
rule("GET", "/v1/orgs/{org_id}/api-keys", "tenant", params=org_of_a)
rule(
    "POST",
    "/v1/orgs/{org_id}/api-keys",
    "tenant",
    params=org_of_a,
    body={"name": "intruder", "scopes": ["org.read"]},
)
rule("DELETE", "/v1/orgs/{org_id}/api-keys/{key_id}", "tenant", params=key_of_a)


# ---- verification, contact changes, recovery, GDPR (identity extras) --------------------------

for method, path in (
    ("POST", "/v1/me/email/verification"),
    ("POST", "/v1/me/email/verify"),
    ("POST", "/v1/me/email"),
    ("POST", "/v1/me/email/confirm"),
    ("POST", "/v1/me/phone"),
    ("POST", "/v1/me/phone/confirm"),
    ("POST", "/v1/me/deactivate"),
    ("POST", "/v1/me/export"),
    ("POST", "/v1/me/erase"),
    ("GET", "/v1/me/social"),
    ("POST", "/v1/me/social/{provider}"),
    ("DELETE", "/v1/me/social/{provider}"),
):
    rule(method, path, "self")

for method, path in (
    ("POST", "/v1/accounts/email-verification"),
    ("POST", "/v1/accounts/verify-email"),
    ("POST", "/v1/accounts/password-reset"),
    ("POST", "/v1/accounts/password-reset/confirm"),
    ("POST", "/v1/accounts/reactivate"),
    ("POST", "/v1/social/{provider}/sign-up"),
    ("POST", "/v1/social/{provider}/sign-in"),
):
    rule(method, path, "anonymous")

rule("GET", "/v1/social/providers", "public", why="which sign-in buttons to show")


async def customer_of_a(world: World) -> dict[str, str]:
    """A customer of A (registered through A's app), made once per test."""
    if "customer" not in world.a.extra:
        person = await register(world.client, client_id=world.a.app["client_id"])
        world.a.extra["customer"] = person.id
    return {"org_id": world.a.org["id"]}


def customer_body(world: World) -> dict[str, str]:
    return {"account_id": world.a.extra["customer"], "password": PASSWORD}


rule(
    "POST",
    "/v1/orgs/{org_id}/impersonation",
    "tenant",
    params=customer_of_a,
    body=customer_body,
)
rule(
    "POST",
    "/v1/orgs/{org_id}/customer-erasures",
    "tenant",
    params=customer_of_a,
    body=customer_body,
)
rule("GET", "/v1/orgs/{org_id}/audit-events", "tenant", params=org_of_a)
