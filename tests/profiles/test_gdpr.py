"""A person's profiles and media in their GDPR export, and gone after erasure."""

from __future__ import annotations

import httpx

from livehouse.core.runtime import Runtime
from tests.support.auth import signed_up
from tests.support.media import image_bytes, media_count, uploaded
from tests.support.profiles import become_performer, follow, patch_profile


async def test_export_then_erase(client: httpx.AsyncClient, runtime: Runtime) -> None:
    person = await signed_up(client, "leaving")
    friend = await signed_up(client, "friend")
    image = await uploaded(client, person, image_bytes())
    await patch_profile(client, person, bio="about me", image_id=image["id"])
    await become_performer(client, person, stage_name="Gone Soon")
    await follow(client, person, friend.id)
    await follow(client, friend, person.id)
    await client.post(
        "/v1/me/devices", json={"device_id": "d", "push_token": "t"}, headers=person.headers
    )
    body = {"password": person.password}
    archive = await client.post("/v1/me/export", json=body, headers=person.headers)
    assert archive.status_code == 200, archive.text
    data = archive.json()
    assert data["profiles"]["profile"]["bio"] == "about me"
    assert data["profiles"]["performer"]["stage_name"] == "Gone Soon"
    assert [c["entity"]["id"] for c in data["profiles"]["following"]] == [friend.id]
    assert data["profiles"]["devices"][0]["push_token"] == "t"
    assert [m["id"] for m in data["media"]] == [image["id"]]

    erased = await client.post("/v1/me/erase", json=body, headers=person.headers)
    assert erased.status_code == 200, erased.text
    assert (await client.get(f"/v1/users/{friend.id}/followed-by")).json()["items"] == []
    assert (await client.get(f"/v1/users/{friend.id}/following")).json()["items"] == []
    assert (await client.get(f"/v1/users/{person.id}")).status_code == 404
    assert await media_count(runtime) == 0
    served = image["url"].removeprefix("http://testserver")
    assert (await client.get(served)).status_code == 404
