"""OAuth apps and API keys: secrets shown once, rotation, revocation, scope ceilings."""

from __future__ import annotations

import httpx

from livehouse.core.runtime import Runtime
from tests.support.auth import PASSWORD, add_member, create_app, create_org, register, signed_up


async def client_token(
    client: httpx.AsyncClient, app: dict, secret: str | None = None
) -> httpx.Response:
    return await client.post(
        "/v1/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": app["client_id"],
            "client_secret": secret or app["client_secret"],
        },
    )


async def test_app_lifecycle(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    app = await create_app(client, owner, org["id"], name="Box office")
    assert app["client_secret"].startswith("lhs_") and app["confidential"] is True
    listed = (await client.get(f"/v1/orgs/{org['id']}/apps", headers=owner.headers)).json()
    assert [a["name"] for a in listed] == ["Box office"]
    assert (
        "client_secret" not in listed[0] and listed[0]["secret_hint"] == app["client_secret"][-4:]
    )

    renamed = await client.patch(
        f"/v1/orgs/{org['id']}/apps/{app['id']}",
        headers=owner.headers,
        json={"name": "Doors", "redirect_uris": ["https://a.example/cb"]},
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Doors"
    bad_grant = await client.patch(
        f"/v1/orgs/{org['id']}/apps/{app['id']}",
        headers=owner.headers,
        json={"grant_types": ["implicit"]},
    )
    assert bad_grant.status_code == 422 and bad_grant.json()["errors"][0]["field"] == "grant_types"

    assert (await client_token(client, app)).status_code == 200
    rotated = await client.post(
        f"/v1/orgs/{org['id']}/apps/{app['id']}/secret", headers=owner.headers
    )
    assert rotated.status_code == 200
    assert (await client_token(client, app)).status_code == 401, "the old secret is dead"
    assert (await client_token(client, app, rotated.json()["client_secret"])).status_code == 200

    fan = await register(client)
    session = await client.post(
        "/v1/oauth/token",
        data={
            "grant_type": "password",
            "username": fan.email,
            "password": PASSWORD,
            "client_id": app["client_id"],
        },
    )
    assert session.status_code == 200
    deactivated = await client.patch(
        f"/v1/orgs/{org['id']}/apps/{app['id']}", headers=owner.headers, json={"active": False}
    )
    assert deactivated.json()["active"] is False
    assert (await client_token(client, app, rotated.json()["client_secret"])).status_code == 401
    deleted = await client.delete(f"/v1/orgs/{org['id']}/apps/{app['id']}", headers=owner.headers)
    assert deleted.status_code == 204
    refresh = await client.post(
        "/v1/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": session.json()["refresh_token"]},
    )
    assert refresh.status_code in (400, 401), "sessions of a deleted app end"
    assert (
        await client.get(f"/v1/orgs/{org['id']}/apps/{app['id']}", headers=owner.headers)
    ).status_code == 404


async def test_public_apps_have_no_secret_and_no_client_credentials(
    client: httpx.AsyncClient,
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    response = await client.post(
        f"/v1/orgs/{org['id']}/apps",
        headers=owner.headers,
        json={"name": "Mobile", "confidential": False, "grant_types": ["client_credentials"]},
    )
    assert response.status_code == 422


async def test_api_keys(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    created = await client.post(
        f"/v1/orgs/{org['id']}/api-keys",
        headers=owner.headers,
        json={"name": "sync", "scopes": ["org.apps"]},
    )
    assert created.status_code == 201, created.text
    key = created.json()
    assert key["key"].startswith(f"lh_{key['prefix']}_")
    with_key = {"X-API-Key": key["key"]}
    assert (await client.get(f"/v1/orgs/{org['id']}/apps", headers=with_key)).status_code == 200
    listed = (await client.get(f"/v1/orgs/{org['id']}/api-keys", headers=owner.headers)).json()
    assert "key" not in listed[0]

    read_only = (
        await client.post(
            f"/v1/orgs/{org['id']}/api-keys",
            headers=owner.headers,
            json={"name": "ro", "scopes": ["org.read"]},
        )
    ).json()
    denied = await client.get(f"/v1/orgs/{org['id']}/apps", headers={"X-API-Key": read_only["key"]})
    assert denied.status_code == 403

    personal = await client.post(
        f"/v1/orgs/{org['id']}/api-keys",
        headers=owner.headers,
        json={"name": "p", "scopes": ["me.read"]},
    )
    assert personal.status_code == 422
    unknown = await client.post(
        f"/v1/orgs/{org['id']}/api-keys",
        headers=owner.headers,
        json={"name": "u", "scopes": ["org.everything"]},
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "scopes"

    revoked = await client.delete(
        f"/v1/orgs/{org['id']}/api-keys/{key['id']}", headers=owner.headers
    )
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert (await client.get(f"/v1/orgs/{org['id']}/apps", headers=with_key)).status_code == 401
    forged = await client.get(f"/v1/orgs/{org['id']}/apps", headers={"X-API-Key": "lh_x_y"})
    assert forged.status_code == 401


async def test_nobody_grants_more_than_they_hold(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    admin = await signed_up(client, "admin")
    await add_member(runtime, org["id"], admin, "admin")
    # Admins manage apps but do not hold org.billing: they cannot mint a key that does.
    above = await client.post(
        f"/v1/orgs/{org['id']}/api-keys",
        headers=admin.headers,
        json={"name": "x", "scopes": ["org.billing"]},
    )
    assert above.status_code == 422 and "org.billing" in above.json()["detail"]
    ok = await client.post(
        f"/v1/orgs/{org['id']}/api-keys",
        headers=admin.headers,
        json={"name": "x", "scopes": ["org.read"]},
    )
    assert ok.status_code == 201
    member = await signed_up(client, "member")
    await add_member(runtime, org["id"], member, "member")
    forbidden = await client.post(
        f"/v1/orgs/{org['id']}/apps", headers=member.headers, json={"name": "m"}
    )
    assert forbidden.status_code == 403


async def test_a_masters_team_makes_keys_for_a_follower_within_the_inherited_scopes(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner = await signed_up(client, "owner")
    master = await create_org(client, owner, "Master")
    created = await client.post(
        f"/v1/orgs/{master['id']}/followers",
        headers=owner.headers,
        json={"organisation": {"name": "Venue"}, "scopes": ["org.read", "org.apps"]},
    )
    assert created.status_code == 201, created.text
    follower_id = created.json()["follower"]["id"]
    admin = await signed_up(client, "admin")
    await add_member(runtime, master["id"], admin, "admin")
    keys = f"/v1/orgs/{follower_id}/api-keys"
    inherited = await client.post(
        keys, headers=admin.headers, json={"name": "sync", "scopes": ["org.read"]}
    )
    assert inherited.status_code == 201, inherited.text
    beyond = await client.post(
        keys, headers=admin.headers, json={"name": "x", "scopes": ["org.write"]}
    )
    assert beyond.status_code == 422, "org.write was not passed on to the master's team"
