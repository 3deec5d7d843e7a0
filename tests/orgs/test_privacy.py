"""Privacy settings: read and change them, every read of the public profile honours them,
`privacy.allows` answers other capabilities — and the platform's extended status flags."""

from __future__ import annotations

import uuid

import httpx
import pytest

from livehouse.core.db import unit_of_work
from livehouse.core.runtime import Runtime
from livehouse.orgs import privacy
from tests.support.auth import add_member, create_org, signed_up
from tests.support.orgs import api_key, set_account

ADDRESS = {"address_line1": "9 Yarra St", "city": "South Yarra", "state": "VIC", "country": "AU"}


async def allows(runtime: Runtime, org_id: str, action: str) -> bool:
    async with unit_of_work(runtime.database, write=False) as session:
        return await privacy.allows(session, uuid.UUID(org_id), action)


async def test_defaults_and_changes(client: httpx.AsyncClient, runtime: Runtime) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    url = f"/v1/orgs/{org['id']}/privacy-settings"
    defaults = (await client.get(url, headers=owner.headers)).json()
    assert defaults == {
        "lock_my_organisation_profile": False,
        "hide_address_on_my_organisation_profile": False,
        "hide_reviews_on_my_organisation_profile": False,
        "hide_review_interactions_from_public": False,
        "allow_people_to_contact_my_organisation": True,
        "allow_people_to_follow_my_organisation": True,
    }
    assert await allows(runtime, org["id"], "contact") and await allows(
        runtime, org["id"], "follow"
    )
    changed = await client.patch(
        url, headers=owner.headers, json={"allow_people_to_follow_my_organisation": False}
    )
    assert changed.json()["allow_people_to_follow_my_organisation"] is False
    assert changed.json()["allow_people_to_contact_my_organisation"] is True
    assert not await allows(runtime, org["id"], "follow")
    assert not await allows(runtime, org["id"], "allow_people_to_follow_my_organisation")
    assert await allows(runtime, org["id"], "contact")
    await client.patch(url, headers=owner.headers, json={"lock_my_organisation_profile": True})
    for action in ("contact", "reviews", "address", "profile", "review_interactions"):
        assert not await allows(runtime, org["id"], action), action
    with pytest.raises(ValueError, match="unknown privacy action"):
        await allows(runtime, org["id"], "dance")
    assert not await allows(runtime, str(uuid.uuid4()), "profile")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lock_my_profile": True}, "lock_my_profile"),
        ({"lock_my_organisation_profile": "yes"}, "lock_my_organisation_profile"),
        ({"allow_people_to_follow_my_organisation": 1}, "allow_people_to_follow_my_organisation"),
    ],
)
async def test_bad_settings_change_nothing(
    client: httpx.AsyncClient, body: dict, field: str
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    url = f"/v1/orgs/{org['id']}/privacy-settings"
    before = (await client.get(url, headers=owner.headers)).json()
    response = await client.patch(
        url, headers=owner.headers, json={"hide_reviews_on_my_organisation_profile": True, **body}
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == field
    assert (await client.get(url, headers=owner.headers)).json() == before


async def test_only_writers_change_settings(client: httpx.AsyncClient, runtime: Runtime) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    member = await signed_up(client, "member")
    await add_member(runtime, org["id"], member, "member")
    url = f"/v1/orgs/{org['id']}/privacy-settings"
    assert (await client.get(url, headers=member.headers)).status_code == 200
    refused = await client.patch(
        url, headers=member.headers, json={"lock_my_organisation_profile": True}
    )
    assert refused.status_code == 403
    assert (await client.get(url, headers=owner.headers)).json()[
        "lock_my_organisation_profile"
    ] is False


async def test_the_public_profile_honours_the_settings(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(
        client,
        owner,
        info="Jazz every night",
        email="hello@venue.example",
        links=[{"name": "website", "value": "https://venue.example/"}],
        addresses=[ADDRESS],
    )
    member = await signed_up(client, "member")
    await add_member(runtime, org["id"], member, "member")
    stranger = await signed_up(client, "stranger")
    url = f"/v1/orgs/{org['id']}"
    settings = f"{url}/privacy-settings"

    public = (await client.get(url)).json()
    assert public["addresses"] and public["email"] and public["limited"] is False

    await client.patch(
        settings, headers=owner.headers, json={"hide_address_on_my_organisation_profile": True}
    )
    public = (await client.get(url)).json()
    assert public["addresses"] == [] and public["email"] == "hello@venue.example"
    assert public["limited"] is True
    assert (await client.get(url, headers=member.headers)).json()["addresses"]

    await client.patch(settings, headers=owner.headers, json={"lock_my_organisation_profile": True})
    for headers in ({}, stranger.headers):
        locked = (await client.get(url, headers=headers)).json()
        assert locked["name"] == org["name"] and locked["limited"] is True
        assert locked["info"] is None and locked["email"] is None and locked["links"] == []
        assert locked["addresses"] == [] and locked["country"] is None
    full = (await client.get(url, headers=member.headers)).json()
    assert full["info"] == "Jazz every night" and full["links"] and full["limited"] is False
    key = await api_key(client, owner, org["id"], ["org.read"])
    assert (await client.get(url, headers=key)).json()["limited"] is False


async def test_extended_status_is_set_by_platform_admins_only(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    url = f"/v1/orgs/{org['id']}"
    assert (await client.get(url)).json()["extended_status"] == {
        "muted": False,
        "locked": False,
        "verified": False,
        "transaction_on_hold": False,
    }
    refused = await client.patch(
        url, headers=owner.headers, json={"info": "new", "extended_status": {"verified": True}}
    )
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["field"] == "extended_status"
    unchanged = (await client.get(url)).json()
    assert unchanged["info"] is None and unchanged["extended_status"]["verified"] is False

    admin = await signed_up(client, "platform")
    await set_account(runtime, admin, is_platform_admin=True)
    bad = await client.patch(url, headers=admin.headers, json={"extended_status": {"hidden": True}})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "extended_status.hidden"
    done = await client.patch(
        url, headers=admin.headers, json={"extended_status": {"verified": True, "muted": True}}
    )
    assert done.status_code == 200, done.text
    shown = (await client.get(url)).json()["extended_status"]
    assert shown == {"muted": True, "locked": False, "verified": True, "transaction_on_hold": False}
    mine = (await client.get("/v1/me/orgs", headers=owner.headers)).json()
    assert mine[0]["organisation"]["extended_status"]["verified"] is True
