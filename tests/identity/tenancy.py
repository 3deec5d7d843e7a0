"""Tenancy classification of identity's routes."""

from __future__ import annotations

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
