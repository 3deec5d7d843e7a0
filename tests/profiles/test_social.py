"""Follows, mutes and contact: the happy paths, the privacy refusals, e-mail relay, limits."""

from __future__ import annotations

import uuid

import httpx
import pytest

from livehouse.core.db import unit_of_work
from livehouse.core.runtime import Runtime
from livehouse.orgs import privacy as org_privacy
from livehouse.orgs.service import get_org
from tests.support.auth import Person, create_org, signed_up
from tests.support.messages import text_of
from tests.support.outbox import drain_outbox
from tests.support.profiles import follow, patch_profile, set_privacy


@pytest.fixture
async def me(client: httpx.AsyncClient) -> Person:
    return await signed_up(client, "me", full_name="Maya Me")


@pytest.fixture
async def them(client: httpx.AsyncClient) -> Person:
    return await signed_up(client, "them", full_name="Theo Them")


async def set_org_privacy(runtime: Runtime, org_id: str, **changes: bool) -> None:
    async with unit_of_work(runtime.database) as session:
        org = await get_org(session, uuid.UUID(org_id))
        await org_privacy.update(session, org.id, changes)


async def test_following_a_person(client: httpx.AsyncClient, me: Person, them: Person) -> None:
    first = await follow(client, me, them.id)
    assert first.status_code == 201, first.text
    assert first.json()["entity"] == {
        "type": "user",
        "id": them.id,
        "name": "Theo Them",
        "username": None,
        "slug": None,
        "image": None,
    }
    again = await follow(client, me, them.id)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    following = (await client.get(f"/v1/users/{me.id}/following")).json()
    assert [i["entity"]["id"] for i in following["items"]] == [them.id]
    followers = (await client.get(f"/v1/users/{them.id}/followed-by")).json()
    assert [i["entity"]["id"] for i in followers["items"]] == [me.id]
    profile = (await client.get("/v1/me/profile", headers=them.headers)).json()
    assert profile["metrics"] == {"followers": 1, "following": 0}
    gone = await client.delete(f"/v1/users/{them.id}/follow", headers=me.headers)
    assert gone.status_code == 204
    assert (await client.get(f"/v1/users/{them.id}/followed-by")).json()["items"] == []
    again = await client.delete(f"/v1/users/{them.id}/follow", headers=me.headers)
    assert again.status_code == 204  # not following: nothing to do


async def test_follow_lists_are_paged(client: httpx.AsyncClient, me: Person) -> None:
    people = [await signed_up(client, f"p{i}") for i in range(3)]
    for person in people:
        await follow(client, me, person.id)
    page = (await client.get(f"/v1/users/{me.id}/following?limit=2")).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = await client.get(f"/v1/users/{me.id}/following?limit=2&cursor={page['next_cursor']}")
    ids = [i["entity"]["id"] for i in page["items"] + rest.json()["items"]]
    assert ids == [p.id for p in reversed(people)]


async def test_follows_that_privacy_refuses(
    client: httpx.AsyncClient, me: Person, them: Person
) -> None:
    assert (await follow(client, me, me.id)).status_code == 422
    await set_privacy(client, them, allow_people_to_follow_me=False)
    refused = await follow(client, me, them.id)
    assert refused.status_code == 403 and "does not accept followers" in refused.text
    await set_privacy(client, them, allow_people_to_follow_me=True, lock_my_user_profile=True)
    assert (await follow(client, me, them.id)).status_code == 403
    await set_privacy(client, them, lock_my_user_profile=False)
    assert (await client.get(f"/v1/users/{them.id}/followed-by")).json()["items"] == []
    assert (await follow(client, me, str(uuid.uuid4()))).status_code == 404


async def test_hidden_follow_lists(client: httpx.AsyncClient, me: Person, them: Person) -> None:
    await follow(client, me, them.id)
    await set_privacy(client, me, allow_people_to_see_my_followings=False)
    for path in (f"/v1/users/{me.id}/following", f"/v1/users/{me.id}/followed-by"):
        assert (await client.get(path, headers=them.headers)).status_code == 403
        assert (await client.get(path)).status_code == 403
        assert (await client.get(path, headers=me.headers)).status_code == 200


async def test_a_new_follower_is_announced_to_those_who_asked(
    client: httpx.AsyncClient, runtime: Runtime, mailbox, me: Person, them: Person
) -> None:
    await patch_profile(
        client,
        them,
        email_preferences={"receive_notification_when_someone_follows_me_or_my_organisation": True},
    )
    await patch_profile(client, me, display_name="Maya")
    await follow(client, me, them.id)
    message = await mailbox.wait_for(runtime, to=them.email, subject="following you")
    assert str(message["Subject"]) == "Maya is now following you"
    assert me.email not in text_of(message)
    await follow(client, them, me.id)  # me did not ask: no e-mail
    await drain_outbox(runtime)
    assert [m for m in mailbox.to(me.email) if "following" in str(m["Subject"])] == []


async def test_following_an_organisation(
    client: httpx.AsyncClient, runtime: Runtime, me: Person, them: Person
) -> None:
    org = await create_org(client, them, "Jazz Club")
    response = await client.post(f"/v1/orgs/{org['id']}/follow", headers=me.headers)
    assert response.status_code == 201, response.text
    assert response.json()["entity"]["type"] == "org"
    assert response.json()["entity"]["slug"] == org["slug"]
    followers = (await client.get(f"/v1/orgs/{org['id']}/followed-by")).json()
    assert [i["entity"]["id"] for i in followers["items"]] == [me.id]
    following = (await client.get(f"/v1/users/{me.id}/following")).json()
    assert following["items"][0]["entity"]["name"] == "Jazz Club"
    await set_org_privacy(runtime, org["id"], lock_my_organisation_profile=True)
    assert (await client.get(f"/v1/orgs/{org['id']}/followed-by")).status_code == 403
    team = await client.get(f"/v1/orgs/{org['id']}/followed-by", headers=them.headers)
    assert team.status_code == 200
    await set_org_privacy(
        runtime,
        org["id"],
        lock_my_organisation_profile=False,
        allow_people_to_follow_my_organisation=False,
    )
    stranger = await signed_up(client, "stranger")
    refused = await client.post(f"/v1/orgs/{org['id']}/follow", headers=stranger.headers)
    assert refused.status_code == 403
    unfollowed = await client.delete(f"/v1/orgs/{org['id']}/follow", headers=me.headers)
    assert unfollowed.status_code == 204
    assert (await client.get(f"/v1/users/{me.id}/following")).json()["items"] == []


async def test_mutes(client: httpx.AsyncClient, me: Person, them: Person) -> None:
    org = await create_org(client, them, "Noisy Org")
    for target in (them.id, org["id"]):
        response = await client.post("/v1/me/mutes", json={"target_id": target}, headers=me.headers)
        assert response.status_code == 201, response.text
    again = await client.post("/v1/me/mutes", json={"target_id": them.id}, headers=me.headers)
    assert again.status_code == 200
    listed = (await client.get("/v1/me/mutes", headers=me.headers)).json()["items"]
    assert [(i["entity"]["type"], i["entity"]["id"]) for i in listed] == [
        ("org", org["id"]),
        ("user", them.id),
    ]
    assert (await client.delete(f"/v1/me/mutes/{them.id}", headers=me.headers)).status_code == 204
    listed = (await client.get("/v1/me/mutes", headers=me.headers)).json()["items"]
    assert [i["entity"]["id"] for i in listed] == [org["id"]]
    for body, status in (
        ({"target_id": me.id}, 422),
        ({"target_id": str(uuid.uuid4())}, 404),
        ({"target_id": "nope"}, 422),
        ({"uuid": them.id}, 422),
    ):
        response = await client.post("/v1/me/mutes", json=body, headers=me.headers)
        assert response.status_code == status, response.text
    assert (await client.get("/v1/me/mutes", headers=them.headers)).json()["items"] == []


async def test_contacting_a_person_relays_an_email(
    client: httpx.AsyncClient, runtime: Runtime, mailbox, me: Person, them: Person
) -> None:
    response = await client.post(
        f"/v1/users/{them.id}/contact",
        json={"subject": "Booking", "message": "Can you play on Friday?"},
        headers=me.headers,
    )
    assert response.status_code == 202, response.text
    message = await mailbox.wait_for(runtime, to=them.email, subject="Booking")
    assert str(message["Subject"]) == "Maya Me: Booking"
    assert str(message["Reply-To"]) == me.email
    assert "Can you play on Friday?" in text_of(message)
    assert them.email not in response.text


async def test_contact_that_privacy_or_a_mute_refuses(
    client: httpx.AsyncClient, runtime: Runtime, mailbox, me: Person, them: Person
) -> None:
    body = {"subject": "Hi", "message": "Hello"}
    await set_privacy(client, them, allow_people_to_contact_me=False)
    refused = await client.post(f"/v1/users/{them.id}/contact", json=body, headers=me.headers)
    assert refused.status_code == 403
    await set_privacy(client, them, allow_people_to_contact_me=True)
    await client.post("/v1/me/mutes", json={"target_id": me.id}, headers=them.headers)
    muted = await client.post(f"/v1/users/{them.id}/contact", json=body, headers=me.headers)
    assert muted.status_code == 403 and muted.json()["detail"] == refused.json()["detail"]
    yourself = await client.post(f"/v1/users/{me.id}/contact", json=body, headers=me.headers)
    assert yourself.status_code == 422
    await drain_outbox(runtime)
    relayed = [m for m in mailbox.messages if str(m["Subject"]).endswith(": Hi")]
    assert relayed == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subject": "x" * 2501, "message": "m"}, "subject"),
        ({"subject": "s", "message": "x" * 10001}, "message"),
        ({"subject": "", "message": "m"}, "subject"),
        ({"message": "m"}, "subject"),
    ],
)
async def test_contact_input_is_checked(
    client: httpx.AsyncClient, me: Person, them: Person, body: dict, field: str
) -> None:
    response = await client.post(f"/v1/users/{them.id}/contact", json=body, headers=me.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


async def test_contact_is_rate_limited(
    client: httpx.AsyncClient,
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
    me: Person,
    them: Person,
) -> None:
    monkeypatch.setattr(runtime.settings, "profiles_contact_rate", "2/minute")
    body = {"subject": "Hi", "message": "Hello"}
    statuses = [
        (
            await client.post(f"/v1/users/{them.id}/contact", json=body, headers=me.headers)
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [202, 202, 429]
    other = await signed_up(client, "other")
    fresh = await client.post(f"/v1/users/{them.id}/contact", json=body, headers=other.headers)
    assert fresh.status_code == 202  # the limit is per sender


async def test_contacting_an_organisation(
    client: httpx.AsyncClient, runtime: Runtime, mailbox, me: Person, them: Person
) -> None:
    with_address = await create_org(client, them, "Club", email="club@example.com")
    without = await create_org(client, them, "Quiet Club")
    body = {"subject": "Gig", "message": "Do you book bands?"}
    for org in (with_address, without):
        response = await client.post(f"/v1/orgs/{org['id']}/contact", json=body, headers=me.headers)
        assert response.status_code == 202, response.text
    to_club = await mailbox.wait_for(runtime, to="club@example.com", subject="Gig")
    assert str(to_club["Reply-To"]) == me.email and "Do you book bands?" in text_of(to_club)
    to_owner = await mailbox.wait_for(runtime, to=them.email, subject="Quiet Club")
    assert "Do you book bands?" in text_of(to_owner)
    await set_org_privacy(runtime, without["id"], allow_people_to_contact_my_organisation=False)
    refused = await client.post(f"/v1/orgs/{without['id']}/contact", json=body, headers=me.headers)
    assert refused.status_code == 403


async def test_apps_cannot_act_as_a_person(client: httpx.AsyncClient, them: Person) -> None:
    org = await create_org(client, them)
    key = await client.post(
        f"/v1/orgs/{org['id']}/api-keys",
        headers=them.headers,
        json={"name": "k", "scopes": ["org.read"]},
    )
    headers = {"X-API-Key": key.json()["key"]}
    assert (await client.post(f"/v1/users/{them.id}/follow", headers=headers)).status_code == 403
    assert (await client.get("/v1/me/mutes", headers=headers)).status_code == 403
