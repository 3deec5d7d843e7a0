"""Categories (platform-wide) and tags (platform-wide or an organisation's)."""

from __future__ import annotations

import httpx
import pytest

from tests.support.auth import Person, add_member, create_org, make_platform_admin, signed_up
from tests.support.profiles import create_category


@pytest.fixture
async def admin(client: httpx.AsyncClient, runtime) -> Person:
    person = await signed_up(client, "admin")
    await make_platform_admin(runtime, person)
    return person


async def test_platform_admins_manage_categories(client: httpx.AsyncClient, admin: Person) -> None:
    music = await create_category(client, admin, "Music and Theater")
    assert music["slug"] == "music-and-theater"
    await create_category(client, admin, "Comedian", "comedian")
    listed = (await client.get("/v1/categories")).json()
    assert [c["name"] for c in listed] == ["Comedian", "Music and Theater"]
    renamed = await client.patch(
        f"/v1/categories/{music['id']}", json={"name": "Music & Theatre"}, headers=admin.headers
    )
    assert renamed.json() == {**music, "name": "Music & Theatre"}
    clash = await client.post("/v1/categories", json={"name": "Comedian"}, headers=admin.headers)
    assert clash.status_code == 409
    deleted = await client.delete(f"/v1/categories/{music['id']}", headers=admin.headers)
    assert deleted.status_code == 204
    assert [c["slug"] for c in (await client.get("/v1/categories")).json()] == ["comedian"]


async def test_others_cannot_change_categories(client: httpx.AsyncClient, admin: Person) -> None:
    category = await create_category(client, admin, "Streamer")
    person = await signed_up(client)
    for method, path, body in (
        ("POST", "/v1/categories", {"name": "Juggler"}),
        ("PATCH", f"/v1/categories/{category['id']}", {"name": "X"}),
        ("DELETE", f"/v1/categories/{category['id']}", None),
        ("POST", "/v1/tags", {"name": "x"}),
    ):
        response = await client.request(method, path, json=body, headers=person.headers)
        assert response.status_code == 403, (method, path)
        assert (await client.request(method, path, json=body)).status_code == 401
    assert [c["name"] for c in (await client.get("/v1/categories")).json()] == ["Streamer"]


@pytest.mark.parametrize(
    "body", [{"name": ""}, {"name": "x" * 101}, {"name": "A", "slug": "Not A Slug"}, {}]
)
async def test_bad_categories_are_refused(
    client: httpx.AsyncClient, admin: Person, body: dict
) -> None:
    response = await client.post("/v1/categories", json=body, headers=admin.headers)
    assert response.status_code == 422
    assert (await client.get("/v1/categories")).json() == []


async def test_platform_tags(client: httpx.AsyncClient, admin: Person) -> None:
    for name in ("Happy", "Health", "Current"):
        response = await client.post("/v1/tags", json={"name": name}, headers=admin.headers)
        assert response.status_code == 201
    again = await client.post("/v1/tags", json={"name": "happy"}, headers=admin.headers)
    assert again.status_code == 409
    assert [t["slug"] for t in (await client.get("/v1/tags")).json()] == [
        "current",
        "happy",
        "health",
    ]
    assert [t["name"] for t in (await client.get("/v1/tags?q=hea")).json()] == ["Health"]
    tag = (await client.get("/v1/tags?q=happy")).json()[0]
    assert (await client.delete(f"/v1/tags/{tag['id']}", headers=admin.headers)).status_code == 204
    assert len((await client.get("/v1/tags")).json()) == 2


async def test_organisation_tags_are_its_own(
    client: httpx.AsyncClient, runtime, admin: Person
) -> None:
    owner = await signed_up(client, "owner")
    member = await signed_up(client, "member")
    org = await create_org(client, owner)
    other = await create_org(client, owner, "Other Org")
    await add_member(runtime, org["id"], member, "member")
    await client.post("/v1/tags", json={"name": "jazz"}, headers=admin.headers)  # platform's
    made = await client.post(
        f"/v1/orgs/{org['id']}/tags", json={"name": "Jazz"}, headers=member.headers
    )
    assert made.status_code == 201, made.text  # the same slug as a platform tag is fine
    clash = await client.post(
        f"/v1/orgs/{org['id']}/tags", json={"name": "JAZZ"}, headers=owner.headers
    )
    assert clash.status_code == 409
    assert [t["id"] for t in (await client.get(f"/v1/orgs/{org['id']}/tags")).json()] == [
        made.json()["id"]
    ]
    assert (await client.get(f"/v1/orgs/{other['id']}/tags")).json() == []
    wrong_org = await client.delete(
        f"/v1/orgs/{other['id']}/tags/{made.json()['id']}", headers=owner.headers
    )
    assert wrong_org.status_code == 404
    outsider = await signed_up(client, "outsider")
    refused = await client.post(
        f"/v1/orgs/{org['id']}/tags", json={"name": "pwned"}, headers=outsider.headers
    )
    assert refused.status_code == 404
    bad = await client.post(
        f"/v1/orgs/{org['id']}/tags", json={"name": "!!!"}, headers=owner.headers
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "name"


async def test_tags_for_makes_missing_organisation_tags(client: httpx.AsyncClient, runtime) -> None:
    import uuid

    from livehouse.core.db import unit_of_work
    from livehouse.orgs.service import get_org
    from livehouse.profiles import catalogue

    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    await client.post(f"/v1/orgs/{org['id']}/tags", json={"name": "Blues"}, headers=owner.headers)
    async with unit_of_work(runtime.database) as session:
        org_id = (await get_org(session, uuid.UUID(org["id"]))).id
        tags = await catalogue.tags_for(session, org_id, ["blues", "Soul", " ", "soul"])
        assert [t.slug for t in tags] == ["blues", "soul"]
    names = [t["name"] for t in (await client.get(f"/v1/orgs/{org['id']}/tags")).json()]
    assert names == ["Blues", "Soul"]
