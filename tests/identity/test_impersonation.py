"""Impersonation: an organisation's admin acts as one of its customers, with an `act` claim,
audited, never as a team member or platform admin, and never for the sensitive self-service."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import jwt
from sqlalchemy import update

from livehouse.core import clock
from livehouse.core.db import unit_of_work
from livehouse.core.runtime import Runtime
from livehouse.identity.models import Account
from tests.identity.flows import field_of, me
from tests.support.auth import (
    PASSWORD,
    Person,
    add_member,
    create_app,
    create_org,
    login,
    register,
    signed_up,
)


async def shop(client: httpx.AsyncClient) -> tuple[Person, dict[str, Any], Person, str]:
    """An organisation, its owner, one of its customers, and its app's client_id."""
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    app = await create_app(client, owner, org["id"])
    customer = await login(client, await register(client, client_id=app["client_id"]))
    return owner, org, customer, app["client_id"]


async def impersonate(
    client: httpx.AsyncClient, owner: Person, org: dict[str, Any], account_id: str, **body: str
) -> httpx.Response:
    return await client.post(
        f"/v1/orgs/{org['id']}/impersonation",
        headers=owner.headers,
        json={"account_id": account_id, "password": PASSWORD, **body},
    )


async def events(client: httpx.AsyncClient, owner: Person, org: dict[str, Any]) -> list[dict]:
    response = await client.get(f"/v1/orgs/{org['id']}/audit-events", headers=owner.headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


async def test_an_owner_acts_as_a_customer_and_every_change_is_audited(
    client: httpx.AsyncClient,
) -> None:
    owner, org, customer, _ = await shop(client)
    started = await impersonate(client, owner, org, customer.id)
    assert started.status_code == 200, started.text
    grant = started.json()
    assert "refresh_token" not in grant, "impersonation ends with its access token"
    claims = jwt.decode(grant["access_token"], options={"verify_signature": False})
    assert claims["sub"] == customer.id and claims["act"] == {"sub": owner.id}
    assert claims["org"] == org["id"]
    assert not any(s.startswith("org.") for s in grant["scope"].split())

    acting = {"Authorization": f"Bearer {grant['access_token']}"}
    assert (await me(client, acting))["email"] == customer.email
    changed = await client.patch("/v1/me", headers=acting, json={"full_name": "Set by support"})
    assert changed.status_code == 200, changed.text

    log = await events(client, owner, org)
    assert [e["action"] for e in log] == ["impersonation.request", "impersonation.started"]
    request, start = log
    assert request["actor_id"] == start["actor_id"] == owner.id
    assert request["subject_id"] == start["subject_id"] == customer.id
    assert request["detail"] == {"method": "PATCH", "path": "/v1/me"}
    assert request["request_id"] == changed.headers["x-request-id"]
    assert start["request_id"] == started.headers["x-request-id"]

    # The customer sees it in their own data export, organisation named by its public id.
    archive = await client.post(
        "/v1/me/export", headers=customer.headers, json={"password": PASSWORD}
    )
    mine = [e for e in archive.json()["audit_events"] if e["action"] == "impersonation.started"]
    assert [(e["actor"], e["organisation"]) for e in mine] == [(owner.id, org["id"])]


async def test_acting_tokens_cannot_touch_what_only_the_person_may(
    client: httpx.AsyncClient,
) -> None:
    owner, org, customer, _ = await shop(client)
    acting = {
        "Authorization": "Bearer "
        + (await impersonate(client, owner, org, customer.id)).json()["access_token"]
    }
    attempts = {
        "/v1/me/password": {"old_password": PASSWORD, "password": "another long passphrase 9"},
        "/v1/me/email": {"email": "support@example.com"},
        "/v1/me/phone": {"phone": "+14155550123"},
        "/v1/me/deactivate": {"password": PASSWORD},
        "/v1/me/export": {"password": PASSWORD},
        "/v1/me/erase": {"password": PASSWORD},
        f"/v1/orgs/{org['id']}/impersonation": {"account_id": customer.id, "password": PASSWORD},
    }
    for path, body in attempts.items():
        response = await client.post(path, headers=acting, json=body)
        assert response.status_code == 403, f"{path}: {response.text}"
    assert (await me(client, customer.headers))["status"] == "active"


async def test_wrong_password_or_missing_right_changes_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner, org, customer, _ = await shop(client)
    wrong = await impersonate(client, owner, org, customer.id, password="not my password")
    assert field_of(wrong) == "password"

    admin = await signed_up(client, "admin")
    await add_member(runtime, org["id"], admin, "admin")
    no_right = await impersonate(client, admin, org, customer.id)
    assert no_right.status_code == 403
    assert await events(client, owner, org) == []


async def test_team_members_platform_admins_and_strangers_cannot_be_impersonated(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner, org, customer, client_id = await shop(client)
    stranger = await register(client)
    assert (await impersonate(client, owner, org, stranger.id)).status_code == 404
    assert (await impersonate(client, owner, org, str(uuid.uuid4()))).status_code == 404
    assert (await impersonate(client, owner, org, owner.id)).status_code == 403

    # A customer who is also on some organisation's team.
    other_owner = await signed_up(client, "other")
    other_org = await create_org(client, other_owner, "Elsewhere")
    await add_member(runtime, other_org["id"], customer, "member")
    member = await impersonate(client, owner, org, customer.id)
    assert member.status_code == 403 and "Team members" in member.json()["detail"]

    platform = await register(client, client_id=client_id)  # a customer, and a platform admin
    async with unit_of_work(runtime.database) as session:
        await session.execute(
            update(Account)
            .where(Account.public_id == uuid.UUID(platform.id))
            .values(is_platform_admin=True)
        )
    admin_refused = await impersonate(client, owner, org, platform.id)
    assert admin_refused.status_code == 403 and "Platform" in admin_refused.json()["detail"]


async def test_ending_the_admins_sessions_ends_the_impersonation(
    client: httpx.AsyncClient,
) -> None:
    owner, org, customer, _ = await shop(client)
    acting = {
        "Authorization": "Bearer "
        + (await impersonate(client, owner, org, customer.id)).json()["access_token"]
    }
    assert (await client.get("/v1/me", headers=acting)).status_code == 200
    later = clock.OffsetClock()
    later.advance(seconds=5)
    with clock.use(later):  # the admin changes their password a little later
        changed = await client.post(
            "/v1/me/password",
            headers=owner.headers,
            json={"old_password": PASSWORD, "password": "another long passphrase 42"},
        )
        assert changed.status_code == 200, changed.text
        assert (await client.get("/v1/me", headers=acting)).status_code == 401


async def test_a_master_acts_for_a_followers_staff_only_when_the_relation_allows(
    client: httpx.AsyncClient, runtime: Any
) -> None:
    owner = await signed_up(client, "owner")
    master = await create_org(client, owner, "Master")

    async def follower(scopes: list[str]) -> str:
        created = await client.post(
            f"/v1/orgs/{master['id']}/followers",
            headers=owner.headers,
            json={"organisation": {"name": "Venue"}, "scopes": scopes},
        )
        assert created.status_code == 201, created.text
        return str(created.json()["follower"]["id"])

    allowing, refusing = await follower(["org.impersonate"]), await follower(["org.read"])
    staff, other = await signed_up(client, "staff"), await signed_up(client, "other")
    await add_member(runtime, allowing, staff, "admin")
    await add_member(runtime, refusing, other, "admin")
    acted = await impersonate(client, owner, master, staff.id)
    assert acted.status_code == 200, acted.text
    refused = await impersonate(client, owner, master, other.id)
    assert refused.status_code == 403
