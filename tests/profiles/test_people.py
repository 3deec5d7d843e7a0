"""Other people's profiles: what a stranger, a follower and the person themselves see."""

from __future__ import annotations

import httpx

from tests.support.auth import make_platform_admin, signed_up
from tests.support.media import image_bytes, uploaded
from tests.support.profiles import (
    become_performer,
    follow,
    patch_profile,
    set_privacy,
)

PRIVATE = ("email", "phone", "date_of_birth", "gender", "wedding_date", "addresses", "privacy")


async def test_a_public_profile_shows_public_things_only(client: httpx.AsyncClient) -> None:
    person = await signed_up(client, full_name="Ada Lovelace", phone="+4915112345678")
    stranger = await signed_up(client, "stranger")
    image = await uploaded(client, person, image_bytes())
    await patch_profile(
        client,
        person,
        display_name="Ada",
        bio="Poet of science",
        gender="female",
        date_of_birth="1990-12-10",
        wedding_date="2020-06-01",
        image_id=image["id"],
        addresses=[{"city": "London", "country": "GB"}],
        social=[{"network": "instagram", "handle": "@ada", "followers": 12}],
    )
    response = await client.get(f"/v1/users/{person.id}", headers=stranger.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["display_name"] == "Ada" and body["bio"] == "Poet of science"
    assert body["image"]["id"] == image["id"] and body["social"][0]["followers"] == 12
    assert body["locked"] is False and body["accepts"] == {"follow": True, "contact": True}
    assert body["relation"] == {"following": False, "follows_me": False, "muted": False}
    assert body["joined_at"] is None  # not shown unless allowed
    for key in PRIVATE:
        assert key not in body
    for secret in ("+4915112345678", person.email, "1990-12-10", "London", "female"):
        assert secret not in response.text
    anonymous = await client.get(f"/v1/users/{person.id}")
    assert anonymous.status_code == 200 and anonymous.json()["relation"] is None


async def test_a_locked_profile_shows_strangers_a_card(client: httpx.AsyncClient, runtime) -> None:
    person = await signed_up(client, full_name="Hidden Person")
    stranger = await signed_up(client, "stranger")
    await patch_profile(
        client,
        person,
        bio="secret bio",
        links=[{"name": "website", "value": "https://x.example.com/"}],
    )
    await become_performer(
        client, person, stage_name="Hidden", price={"amount": 500, "currency": "EUR"}
    )
    await set_privacy(
        client, person, lock_my_user_profile=True, allow_people_to_see_my_join_date=True
    )
    for headers in (stranger.headers, {}):
        body = (await client.get(f"/v1/users/{person.id}", headers=headers)).json()
        assert body["locked"] is True and body["display_name"] == "Hidden Person"
        assert body["bio"] is None and body["links"] == [] and body["metrics"] is None
        assert body["joined_at"] is None and body["performer"]["price"] is None
        assert body["accepts"] == {"follow": False, "contact": False}
        assert "secret bio" not in str(body)
    own = (await client.get(f"/v1/users/{person.id}", headers=person.headers)).json()
    assert own["locked"] is False and own["bio"] == "secret bio" and own["joined_at"]
    admin = await signed_up(client, "admin")
    await make_platform_admin(runtime, admin)
    assert (await client.get(f"/v1/users/{person.id}", headers=admin.headers)).json()["bio"]


async def test_the_relation_to_the_viewer_is_shown(client: httpx.AsyncClient) -> None:
    me = await signed_up(client, "me")
    them = await signed_up(client, "them")
    await follow(client, them, me.id)
    await client.post("/v1/me/mutes", json={"target_id": them.id}, headers=me.headers)
    body = (await client.get(f"/v1/users/{them.id}", headers=me.headers)).json()
    assert body["relation"] == {"following": False, "follows_me": True, "muted": True}
    assert body["metrics"] == {"followers": 0, "following": 1}


async def test_unknown_and_deactivated_people_are_not_found(
    client: httpx.AsyncClient, runtime
) -> None:
    import uuid

    from sqlalchemy import update

    from livehouse.core.db import unit_of_work
    from livehouse.identity.models import Account

    person = await signed_up(client)
    async with unit_of_work(runtime.database) as session:
        await session.execute(
            update(Account)
            .where(Account.public_id == uuid.UUID(person.id))
            .values(status="deactivated")
        )
    assert (await client.get(f"/v1/users/{person.id}")).status_code == 404
    assert (await client.get(f"/v1/users/{uuid.uuid4()}")).status_code == 404
    assert (await client.get("/v1/users/not-a-uuid")).status_code == 422
