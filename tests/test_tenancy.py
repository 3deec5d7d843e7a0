"""No route lets one tenant read or change another tenant's data — every route, not a sample.

Each capability classifies its routes in tests/<capability>/tenancy.py (see
tests/support/tenancy.py). A route nobody classified fails `test_every_route_is_classified`.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

import tests
from livehouse.identity import scopes as scope_catalogue
from tests.support.auth import add_member, create_app, create_org, signed_up
from tests.support.tenancy import RULES, Rule, Tenant, World

for module in pkgutil.walk_packages(tests.__path__, "tests."):
    if module.name.endswith(".tenancy") and module.name != "tests.support.tenancy":
        importlib.import_module(module.name)

GUARDED_PREFIXES = ("/v1", "/.well-known", "/compat", "/broadcasting", "/apps")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def served_routes(app: FastAPI) -> set[tuple[str, str]]:
    routes = set()
    for path, operations in app.openapi()["paths"].items():
        if path.startswith(GUARDED_PREFIXES):
            routes.update((m.upper(), path) for m in operations if m.upper() in METHODS)
    return routes


def test_every_route_is_classified(app: FastAPI) -> None:
    missing = sorted(served_routes(app) - set(RULES))
    assert not missing, f"classify these routes in tests/<capability>/tenancy.py: {missing}"
    stale = sorted(set(RULES) - served_routes(app))
    assert not stale, f"classified routes that no longer exist: {stale}"


async def make_tenant(client: httpx.AsyncClient, runtime: Any, tag: str) -> Tenant:
    owner = await signed_up(client, f"{tag}-owner")
    org = await create_org(client, owner, f"Tenant {tag}")
    app = await create_app(client, owner, org["id"])
    everything = sorted(n for n, s in scope_catalogue.catalogue().items() if not s.personal)
    key = await client.post(
        f"/v1/orgs/{org['id']}/api-keys",
        headers=owner.headers,
        json={"name": "all", "scopes": everything},
    )
    assert key.status_code == 201, key.text
    token = await client.post(
        "/v1/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
    )
    member = await signed_up(client, f"{tag}-member")
    await add_member(runtime, org["id"], member, "member")
    members = (await client.get(f"/v1/orgs/{org['id']}/members", headers=owner.headers)).json()
    member_id = next(m["id"] for m in members if m["email"] == member.email)
    return Tenant(owner, org, app, key.json()["key"], token.json()["access_token"], member_id)


@pytest.fixture
async def world(client: httpx.AsyncClient, runtime: Any) -> World:
    return World(
        await make_tenant(client, runtime, "a"),
        await make_tenant(client, runtime, "b"),
        client,
        runtime,
    )


TENANT_ROUTES = sorted(key for key, r in RULES.items() if r.kind == "tenant")


async def call(
    world: World, method: str, path: str, rule: Rule, headers: dict[str, str]
) -> httpx.Response:
    params = await rule.params(world) if rule.params else {}
    body = rule.body(world) if callable(rule.body) else rule.body
    url = path.format(**params)
    if rule.files:
        return await world.client.request(
            method, url, data=body, files=rule.files(world), headers=headers
        )
    if rule.form:
        return await world.client.request(method, url, data=body, headers=headers)
    return await world.client.request(method, url, json=body, headers=headers)


@pytest.mark.parametrize(
    ("method", "path"), TENANT_ROUTES, ids=[f"{m} {p}" for m, p in TENANT_ROUTES]
)
async def test_other_tenants_are_refused(world: World, method: str, path: str) -> None:
    rule = RULES[(method, path)]
    intruders = {
        "owner of another organisation": world.b.owner.headers,
        "API key of another organisation": {"X-API-Key": world.b.api_key},
        "app token of another organisation": {"Authorization": f"Bearer {world.b.client_token}"},
    }
    for who, headers in intruders.items():
        response = await call(world, method, path, rule, headers)
        assert response.status_code in (403, 404), f"{who}: {response.status_code} {response.text}"
    anonymous = await call(world, method, path, rule, {})
    assert anonymous.status_code == 401, anonymous.text
    # Tenant A's own owner still reaches the resource: the refusals above were about tenancy,
    # not a broken route or request.
    own = await call(world, method, path, rule, world.a.owner.headers)
    assert own.status_code < 400 or own.status_code == 409, f"owner of A: {own.text}"


PLATFORM_ROUTES = sorted(key for key, r in RULES.items() if r.kind == "platform")


@pytest.mark.parametrize(
    ("method", "path"), PLATFORM_ROUTES, ids=[f"{m} {p}" for m, p in PLATFORM_ROUTES]
)
async def test_platform_routes_need_a_platform_admin(world: World, method: str, path: str) -> None:
    import uuid

    from sqlalchemy import update

    from livehouse.core.db import unit_of_work
    from livehouse.identity.models import Account

    rule = RULES[(method, path)]
    refused = {
        "owner of another organisation": world.b.owner.headers,
        "API key of another organisation": {"X-API-Key": world.b.api_key},
        "app token of another organisation": {"Authorization": f"Bearer {world.b.client_token}"},
        "the resource's own owner": world.a.owner.headers,
        "the resource's own API key": {"X-API-Key": world.a.api_key},
    }
    for who, headers in refused.items():
        response = await call(world, method, path, rule, headers)
        assert response.status_code in (403, 404), f"{who}: {response.status_code} {response.text}"
    anonymous = await call(world, method, path, rule, {})
    assert anonymous.status_code == 401, anonymous.text
    admin = await signed_up(world.client, "platform-admin")
    async with unit_of_work(world.runtime.database) as session:
        await session.execute(
            update(Account)
            .where(Account.public_id == uuid.UUID(admin.id))
            .values(is_platform_admin=True)
        )
    own = await call(world, method, path, rule, admin.headers)
    assert own.status_code < 400 or own.status_code == 409, f"platform admin: {own.text}"
