"""Organisations: creation with validated links and addresses, changes, the team."""

from __future__ import annotations

import httpx
import pytest

from livehouse.core.runtime import Runtime
from tests.support.auth import add_member, create_org, signed_up


async def test_create_and_read(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(
        client,
        owner,
        "Café Über",
        email="box@cafe.example",
        phone="+61 3 9123 4567",
        timezone="Australia/Melbourne",
        currency="aud",
        links=[
            {"name": "website", "value": "https://cafe.example/"},
            {"name": "instagram", "value": "https://instagram.com/cafe"},
            {"name": "facebook", "value": ""},
        ],
        addresses=[
            {
                "address_line1": "9 Yarra St",
                "city": "South Yarra",
                "state": "Victoria",
                "post_code": "3141",
                "country": "Australia",
            }
        ],
    )
    assert org["slug"] == "cafe-uber" and org["currency"] == "AUD"
    assert org["phone"] == "+61391234567" and org["addresses"][0]["country"] == "AU"
    public = await client.get(f"/v1/orgs/{org['id']}")
    assert public.status_code == 200 and public.json()["name"] == "Café Über"
    second = await create_org(client, owner, "Café Über")
    assert second["slug"] == "cafe-uber-2"
    mine = (await client.get("/v1/me/orgs", headers=owner.headers)).json()
    assert {m["role"] for m in mine} == {"owner"} and len(mine) == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"links": [{"name": "facebook", "value": "https://evil.example/page"}]}, "facebook"),
        ({"links": [{"name": "twitter", "value": "twitter.com/x"}]}, "twitter"),
        ({"links": [{"name": "myspace", "value": "https://myspace.com/a"}]}, "link name"),
        (
            {"addresses": [{"country": "AU", "state": "Victoria", "post_code": "99999"}]},
            "post_code",
        ),
        ({"addresses": [{"country": "Atlantis"}]}, "country"),
        ({"timezone": "Mars/Olympus"}, "time zone"),
        ({"currency": "XYZ"}, "currency"),
        ({"info": "x" * 2501}, "2500"),
    ],
)
async def test_bad_organisation_fields(
    client: httpx.AsyncClient, fields: dict, message: str
) -> None:
    owner = await signed_up(client, "owner")
    response = await client.post("/v1/orgs", json={"name": "X", **fields}, headers=owner.headers)
    assert response.status_code == 422, response.text
    assert message in response.text
    assert (await client.get("/v1/me/orgs", headers=owner.headers)).json() == []


async def test_who_may_change_an_organisation(client: httpx.AsyncClient, runtime: Runtime) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    member = await signed_up(client, "member")
    await add_member(runtime, org["id"], member, "member")
    outsider = await signed_up(client, "outsider")
    url = f"/v1/orgs/{org['id']}"
    assert (
        await client.patch(url, json={"info": "x"}, headers=outsider.headers)
    ).status_code == 404
    assert (await client.patch(url, json={"info": "x"}, headers=member.headers)).status_code == 403
    ok = await client.patch(url, json={"info": "Live music"}, headers=owner.headers)
    assert ok.status_code == 200 and ok.json()["info"] == "Live music"
    assert (await client.patch(url, json={"name": None}, headers=owner.headers)).status_code == 422


async def test_team_roles(client: httpx.AsyncClient, runtime: Runtime) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    admin = await signed_up(client, "admin")
    await add_member(runtime, org["id"], admin, "admin")
    team = (await client.get(f"/v1/orgs/{org['id']}/members", headers=admin.headers)).json()
    by_email = {m["email"]: m for m in team}
    owner_member, admin_member = by_email[owner.email], by_email[admin.email]
    assert "org.billing" in owner_member["scopes"] and "org.billing" not in admin_member["scopes"]

    base = f"/v1/orgs/{org['id']}/members"
    demote_owner = await client.patch(
        f"{base}/{owner_member['id']}", headers=admin.headers, json={"role": "member"}
    )
    assert demote_owner.status_code == 403, "only owners touch owners"
    last_owner = await client.patch(
        f"{base}/{owner_member['id']}", headers=owner.headers, json={"role": "admin"}
    )
    assert last_owner.status_code == 409
    narrowed = await client.patch(
        f"{base}/{admin_member['id']}", headers=owner.headers, json={"scopes": ["org.read"]}
    )
    assert narrowed.json()["scopes"] == ["org.read"] and narrowed.json()["custom_scopes"]
    assert (
        await client.patch(f"/v1/orgs/{org['id']}", json={"info": "x"}, headers=admin.headers)
    ).status_code == 403
    too_much = await client.patch(
        f"{base}/{admin_member['id']}", headers=owner.headers, json={"scopes": ["org.billing"]}
    )
    assert too_much.status_code == 422
    disabled = await client.patch(
        f"{base}/{admin_member['id']}", headers=owner.headers, json={"enabled": False}
    )
    assert disabled.json()["enabled"] is False
    assert (await client.get(base, headers=admin.headers)).status_code == 404
    removed = await client.delete(f"{base}/{admin_member['id']}", headers=owner.headers)
    assert removed.status_code == 204
    assert len((await client.get(base, headers=owner.headers)).json()) == 1
