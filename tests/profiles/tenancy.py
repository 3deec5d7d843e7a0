"""Tenancy classification of profiles' routes."""

from __future__ import annotations

import uuid

from tests.support.tenancy import World, org_of_a, rule


async def tag_of_a(world: World) -> dict[str, str]:
    response = await world.client.post(
        f"/v1/orgs/{world.a.org['id']}/tags",
        json={"name": f"jazz {uuid.uuid4().hex[:8]}"},
        headers=world.a.owner.headers,
    )
    assert response.status_code == 201, response.text
    return {"org_id": world.a.org["id"], "tag_id": response.json()["id"]}


MINE = "the caller's own profile, performer page, follows, mutes or devices"
ME_ACTING = "the caller acts for themselves on a public person or organisation"

for method, path in [
    ("GET", "/v1/me/profile"),
    ("PATCH", "/v1/me/profile"),
    ("GET", "/v1/me/performer"),
    ("PUT", "/v1/me/performer"),
    ("PATCH", "/v1/me/performer"),
    ("POST", "/v1/me/performer/invite-code"),
    ("GET", "/v1/me/mutes"),
    ("POST", "/v1/me/mutes"),
    ("DELETE", "/v1/me/mutes/{target_id}"),
    ("GET", "/v1/me/devices"),
    ("POST", "/v1/me/devices"),
    ("GET", "/v1/me/devices/{device_id}"),
    ("PATCH", "/v1/me/devices/{device_id}"),
    ("DELETE", "/v1/me/devices/{device_id}"),
]:
    rule(method, path, "self", why=MINE)

for method, path in [
    ("POST", "/v1/users/{account_id}/follow"),
    ("DELETE", "/v1/users/{account_id}/follow"),
    ("POST", "/v1/users/{account_id}/contact"),
    ("POST", "/v1/orgs/{org_id}/follow"),
    ("DELETE", "/v1/orgs/{org_id}/follow"),
    ("POST", "/v1/orgs/{org_id}/contact"),
]:
    rule(method, path, "self", why=ME_ACTING + " (their privacy settings decide)")

rule("GET", "/v1/users", "public", why="the people directory; locked profiles are left out")
rule("GET", "/v1/users/{account_id}", "public", why="a public profile; privacy settings apply")
rule("GET", "/v1/users/{account_id}/following", "public", why="shown only if the person allows")
rule("GET", "/v1/users/{account_id}/followed-by", "public", why="shown only if the person allows")
rule("GET", "/v1/orgs/{org_id}/followed-by", "public", why="hidden when the profile is locked")
rule("GET", "/v1/performers/{account_id}", "public", why="a performer's public page")
rule("GET", "/v1/performers/by-invite/{code}", "public", why="invite codes are shared on purpose")

PLATFORM = "platform-wide list; only platform administrators change it"
rule("GET", "/v1/categories", "public", why="platform-wide list")
rule("POST", "/v1/categories", "self", why=PLATFORM)
rule("PATCH", "/v1/categories/{category_id}", "self", why=PLATFORM)
rule("DELETE", "/v1/categories/{category_id}", "self", why=PLATFORM)
rule("GET", "/v1/tags", "public", why="platform-wide list")
rule("POST", "/v1/tags", "self", why=PLATFORM)
rule("DELETE", "/v1/tags/{tag_id}", "self", why=PLATFORM)

rule("GET", "/v1/orgs/{org_id}/tags", "public", why="an organisation's tags label public events")
rule("POST", "/v1/orgs/{org_id}/tags", "tenant", params=org_of_a, body={"name": "intruder"})
rule("DELETE", "/v1/orgs/{org_id}/tags/{tag_id}", "tenant", params=tag_of_a)
