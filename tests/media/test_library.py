"""My files and an organisation's library: list, read, delete — and who may."""

from __future__ import annotations

import httpx

from livehouse.core.runtime import Runtime
from tests.support.auth import add_member, create_org, signed_up
from tests.support.media import image_bytes, media_count, pdf_bytes, uploaded


async def test_my_files_are_listed_newest_first_page_by_page(client: httpx.AsyncClient) -> None:
    me = await signed_up(client)
    other = await signed_up(client, "other")
    ids = [(await uploaded(client, me, pdf_bytes(1000 + i)))["id"] for i in range(3)]
    await uploaded(client, other, pdf_bytes())
    first = await client.get("/v1/media?limit=2", headers=me.headers)
    assert first.status_code == 200
    assert [m["id"] for m in first.json()["items"]] == ids[::-1][:2]
    second = await client.get(
        f"/v1/media?limit=2&cursor={first.json()['next_cursor']}", headers=me.headers
    )
    assert [m["id"] for m in second.json()["items"]] == [ids[0]]
    assert second.json()["next_cursor"] is None


async def test_only_the_owner_reads_and_deletes_a_personal_file(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    me = await signed_up(client)
    stranger = await signed_up(client, "stranger")
    media = await uploaded(client, me, image_bytes())
    path = f"/v1/media/{media['id']}"
    assert (await client.get(path, headers=me.headers)).json()["sha256"] == media["sha256"]
    assert (await client.get(path, headers=stranger.headers)).status_code == 404
    assert (await client.get(path)).status_code == 401
    assert (await client.delete(path, headers=stranger.headers)).status_code == 404
    assert await media_count(runtime) == 1


async def test_delete_removes_the_row_and_the_stored_objects(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    me = await signed_up(client)
    media = await uploaded(client, me, image_bytes())
    served = media["url"].removeprefix("http://testserver")
    preview = media["preview_url"].removeprefix("http://testserver")
    assert (await client.get(served)).status_code == 200
    response = await client.delete(f"/v1/media/{media['id']}", headers=me.headers)
    assert response.status_code == 204
    assert (await client.get(f"/v1/media/{media['id']}", headers=me.headers)).status_code == 404
    assert (await client.get(served)).status_code == 404
    assert (await client.get(preview)).status_code == 404
    assert await media_count(runtime) == 0


async def test_an_organisations_library_is_its_teams(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner = await signed_up(client, "owner")
    member = await signed_up(client, "member")
    outsider = await signed_up(client, "outsider")
    org = await create_org(client, owner)
    await add_member(runtime, org["id"], member, "member")
    media = await uploaded(client, member, pdf_bytes(), org_id=org["id"])
    listed = await client.get(f"/v1/orgs/{org['id']}/media", headers=owner.headers)
    assert [m["id"] for m in listed.json()["items"]] == [media["id"]]
    # Uploaded for the organisation: not among the member's personal files.
    assert (await client.get("/v1/media", headers=member.headers)).json()["items"] == []
    for response in (
        await client.get(f"/v1/orgs/{org['id']}/media", headers=outsider.headers),
        await client.get(f"/v1/media/{media['id']}", headers=outsider.headers),
        await client.delete(f"/v1/media/{media['id']}", headers=outsider.headers),
        await client.post(
            f"/v1/orgs/{org['id']}/media",
            files={"file": ("a.pdf", pdf_bytes())},
            headers=outsider.headers,
        ),
    ):
        assert response.status_code == 404, response.text
    assert await media_count(runtime) == 1
    deleted = await client.delete(f"/v1/media/{media['id']}", headers=owner.headers)
    assert deleted.status_code == 204


async def test_an_organisations_api_key_uploads_to_its_library(
    client: httpx.AsyncClient,
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    key = await client.post(
        f"/v1/orgs/{org['id']}/api-keys",
        headers=owner.headers,
        json={"name": "uploader", "scopes": ["media.write", "media.read"]},
    )
    headers = {"X-API-Key": key.json()["key"]}
    response = await client.post(
        f"/v1/orgs/{org['id']}/media", files={"file": ("a.pdf", pdf_bytes())}, headers=headers
    )
    assert response.status_code == 201, response.text
    read = await client.get(f"/v1/media/{response.json()['id']}", headers=headers)
    assert read.status_code == 200
    # An app has no personal files.
    personal = await client.post(
        "/v1/media", files={"file": ("a.pdf", pdf_bytes())}, headers=headers
    )
    assert personal.status_code == 403
