"""Tenancy classification of the organisation routes."""

from __future__ import annotations

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
