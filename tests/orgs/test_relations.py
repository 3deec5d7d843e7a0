"""Master and follower organisations: what a master's team and credentials may do on a
follower (and nothing more), consent of a linked follower's owner, and the shape rules."""

from __future__ import annotations

import uuid

import httpx

from livehouse.core.db import unit_of_work
from livehouse.core.runtime import Runtime
from livehouse.identity.service import get_account
from livehouse.orgs import relations, service
from tests.support.auth import (
    Person,
    add_member,
    create_app,
    create_org,
    login,
    signed_up,
    unique_email,
)
from tests.support.auth import register as register_person
from tests.support.messages import Mailbox
from tests.support.orgs import accept, api_key, client_token, invitation_link


def again(person: Person) -> Person:
    """The same person, to sign in once more (another session, e.g. through another app)."""
    return Person(email=person.email, password=person.password, id=person.id)


async def make_follower(
    client: httpx.AsyncClient, owner, master_id: str, scopes: list[str], **extra
) -> dict:
    created = await client.post(
        f"/v1/orgs/{master_id}/followers",
        headers=owner.headers,
        json={"organisation": {"name": "Follower"}, "scopes": scopes, **extra},
    )
    assert created.status_code == 201, created.text
    return created.json()


async def test_a_masters_team_acts_on_a_follower_within_the_inherited_scopes(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner = await signed_up(client, "owner")
    master = await create_org(client, owner, "Master")
    relation = await make_follower(
        client, owner, master["id"], ["org.read", "org.write"], payment_methods={"card": True}
    )
    assert relation["status"] == "active" and relation["origin"] == "created"
    assert relation["payment_methods"] == {"card": True}
    follower_id = relation["follower"]["id"]
    admin = await signed_up(client, "admin")
    await add_member(runtime, master["id"], admin, "admin")
    member = await signed_up(client, "member")
    await add_member(runtime, master["id"], member, "member")
    follower_url = f"/v1/orgs/{follower_id}"

    # The master's admin holds org.write in the master, and the relation passes it on.
    changed = await client.patch(
        follower_url, json={"info": "run by Master"}, headers=admin.headers
    )
    assert changed.status_code == 200, changed.text
    assert (await client.get(f"{follower_url}/members", headers=admin.headers)).status_code == 200
    # Not inherited: org.apps — although the admin holds it in the master.
    assert (await client.get(f"{follower_url}/apps", headers=admin.headers)).status_code == 403
    assert (
        await client.get(f"/v1/orgs/{master['id']}/apps", headers=admin.headers)
    ).status_code == 200
    # A member of the master holds no org.write there, so not on the follower either.
    refused = await client.patch(follower_url, json={"info": "x"}, headers=member.headers)
    assert refused.status_code == 403
    assert (await client.get(f"{follower_url}/members", headers=member.headers)).status_code == 200

    # The master's API key and app token: their scopes ∩ the relation's.
    key = await api_key(client, owner, master["id"], ["org.read", "org.write", "org.apps"])
    assert (await client.patch(follower_url, json={"info": "k"}, headers=key)).status_code == 200
    assert (await client.get(f"{follower_url}/apps", headers=key)).status_code == 403
    token = await client_token(client, await create_app(client, owner, master["id"]))
    assert (await client.get(f"{follower_url}/members", headers=token)).status_code == 200
    narrow_key = await api_key(client, owner, master["id"], ["org.read"])
    assert (
        await client.patch(follower_url, json={"info": "n"}, headers=narrow_key)
    ).status_code == 403

    # The follower reaches nothing of the master; an unrelated organisation nothing of either.
    follower_owner = await signed_up(client, "fowner")
    await add_member(runtime, follower_id, follower_owner, "owner")
    assert (
        await client.get(f"/v1/orgs/{master['id']}/members", headers=follower_owner.headers)
    ).status_code == 404
    stranger = await signed_up(client, "stranger")
    other = await create_org(client, stranger, "Other")
    other_key = await api_key(client, stranger, other["id"], ["org.read"])
    assert (await client.get(f"{follower_url}/members", headers=other_key)).status_code == 404

    # A user token issued through the master's app still reaches the follower; one issued
    # through an unrelated organisation's app does not.
    master_app = await create_app(client, owner, master["id"], name="web")
    confined = await login(client, again(admin), client_id=master_app["client_id"])
    assert (
        await client.get(f"{follower_url}/members", headers=confined.headers)
    ).status_code == 200
    other_app = await create_app(client, stranger, other["id"], name="web")
    elsewhere = await login(client, again(admin), client_id=other_app["client_id"])
    assert (
        await client.get(f"{follower_url}/members", headers=elsewhere.headers)
    ).status_code == 404

    # Ending the relation ends the access.
    ended = await client.delete(
        f"/v1/orgs/{master['id']}/followers/{follower_id}", headers=owner.headers
    )
    assert ended.status_code == 204
    assert (await client.get(f"{follower_url}/members", headers=admin.headers)).status_code == 404
    assert (await client.get(f"{follower_url}/members", headers=key)).status_code == 404


async def test_linking_needs_the_followers_owner_to_agree(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    owner = await signed_up(client, "owner")
    master = await create_org(client, owner, "Master")
    admin = await signed_up(client, "admin")
    await add_member(runtime, master["id"], admin, "admin")
    their_owner = await signed_up(client, "theirs")
    existing = await create_org(client, their_owner, "Existing")
    link = await client.post(
        f"/v1/orgs/{master['id']}/followers/link",
        headers=owner.headers,
        json={"follower_id": existing["id"], "scopes": ["org.read"]},
    )
    assert link.status_code == 201, link.text
    assert link.json()["status"] == "pending" and link.json()["scopes"] == []
    notice = await mailbox.wait_for(runtime, to=their_owner.email, subject="become the master")
    assert "org.read" in str(notice.get_body())
    members_url = f"/v1/orgs/{existing['id']}/members"
    assert (await client.get(members_url, headers=admin.headers)).status_code == 404

    proposal = await client.get(f"/v1/orgs/{existing['id']}/master", headers=their_owner.headers)
    assert proposal.json()["proposed_scopes"] == ["org.read"]
    # The master cannot accept for the follower (org.relations is never inherited).
    not_theirs = await client.post(
        f"/v1/orgs/{existing['id']}/master/accept", headers=owner.headers
    )
    assert not_theirs.status_code == 404
    agreed = await client.post(
        f"/v1/orgs/{existing['id']}/master/accept", headers=their_owner.headers
    )
    assert agreed.status_code == 200 and agreed.json()["status"] == "active"
    assert (await client.get(members_url, headers=admin.headers)).status_code == 200
    # Now inside, the master's owner still may not accept on the follower's behalf.
    assert (
        await client.post(f"/v1/orgs/{existing['id']}/master/accept", headers=owner.headers)
    ).status_code == 403

    # Widening is a proposal; narrowing is immediate.
    relation_url = f"/v1/orgs/{master['id']}/followers/{existing['id']}"
    widened = await client.patch(
        relation_url, headers=owner.headers, json={"scopes": ["org.read", "org.write"]}
    )
    assert widened.json()["scopes"] == ["org.read"]
    assert widened.json()["proposed_scopes"] == ["org.read", "org.write"]
    write = await client.patch(
        f"/v1/orgs/{existing['id']}", json={"info": "x"}, headers=admin.headers
    )
    assert write.status_code == 403
    await client.post(f"/v1/orgs/{existing['id']}/master/accept", headers=their_owner.headers)
    write = await client.patch(
        f"/v1/orgs/{existing['id']}", json={"info": "x"}, headers=admin.headers
    )
    assert write.status_code == 200
    narrowed = await client.patch(relation_url, headers=owner.headers, json={"scopes": []})
    assert narrowed.json()["scopes"] == [] and narrowed.json()["proposed_scopes"] is None
    assert (await client.get(members_url, headers=admin.headers)).status_code == 403

    # The follower may leave.
    left = await client.delete(f"/v1/orgs/{existing['id']}/master", headers=their_owner.headers)
    assert left.status_code == 204
    followers = await client.get(f"/v1/orgs/{master['id']}/followers", headers=owner.headers)
    assert followers.json() == []


async def test_relations_are_one_level_deep_and_inputs_are_checked(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner = await signed_up(client, "owner")
    master = await create_org(client, owner, "Master")
    follower = (await make_follower(client, owner, master["id"], ["org.read"]))["follower"]
    other_owner = await signed_up(client, "other")
    other = await create_org(client, other_owner, "Other")
    base = f"/v1/orgs/{master['id']}/followers"

    def link(org_id: str, into: str = master["id"], **body):
        return client.post(
            f"/v1/orgs/{into}/followers/link",
            headers=owner.headers,
            json={"follower_id": org_id, **body},
        )

    assert (await link(master["id"])).status_code == 422  # itself
    assert (await link(follower["id"])).status_code == 409  # already has a master
    chained = await make_follower_response(client, owner, follower["id"])
    assert chained.status_code == 409  # a follower has no followers
    master_as_follower = await client.post(
        f"/v1/orgs/{other['id']}/followers/link",
        headers=other_owner.headers,
        json={"follower_id": master["id"]},
    )
    assert master_as_follower.status_code == 409  # a master follows nobody

    for body, field in [
        ({"scopes": ["org.relations"]}, "scopes"),
        ({"scopes": ["org.everything"]}, "scopes"),
        ({"scopes": ["me.read"]}, "scopes"),
        ({"payment_methods": {"Credit Card!": True}}, "payment_methods"),
        ({"payment_methods": {"card": "yes"}}, "payment_methods.card"),
    ]:
        response = await link(other["id"], **body)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == field
    bad_org = await client.post(
        base, headers=owner.headers, json={"organisation": {"name": "X", "currency": "XYZ"}}
    )
    assert bad_org.status_code == 422
    admin = await signed_up(client, "admin")
    await add_member(runtime, master["id"], admin, "admin")
    assert (await link(other["id"])).status_code == 201  # valid now, and the owner may
    assert (
        await client.delete(f"{base}/{other['id']}", headers=admin.headers)
    ).status_code == 403  # org.relations is the owners'
    listed = await client.get(base, headers=admin.headers)
    assert {r["follower"]["name"] for r in listed.json()} == {"Follower", "Other"}
    mine = (await client.get("/v1/me/orgs", headers=owner.headers)).json()
    assert {m["organisation"]["name"] for m in mine} == {"Master", "Follower"}


async def make_follower_response(client: httpx.AsyncClient, owner, master_id: str):
    return await client.post(
        f"/v1/orgs/{master_id}/followers",
        headers=owner.headers,
        json={"organisation": {"name": "Grandchild"}},
    )


async def test_an_app_creates_a_follower_for_an_invited_owner(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    owner = await signed_up(client, "owner")
    master = await create_org(client, owner, "Network")
    key = await api_key(client, owner, master["id"], ["org.relations", "org.read"])
    nobody = await client.post(
        f"/v1/orgs/{master['id']}/followers",
        headers=key,
        json={"organisation": {"name": "Venue"}, "scopes": ["org.read"]},
    )
    assert nobody.status_code == 422 and nobody.json()["errors"][0]["field"] == "owner_email"
    assert (await client.get(f"/v1/orgs/{master['id']}/followers", headers=key)).json() == []

    email = unique_email("venue-owner")
    created = await client.post(
        f"/v1/orgs/{master['id']}/followers",
        headers=key,
        json={"organisation": {"name": "Venue"}, "scopes": ["org.read"], "owner_email": email},
    )
    assert created.status_code == 201, created.text
    follower_id = created.json()["follower"]["id"]
    assert (await client.get(f"/v1/orgs/{follower_id}/members", headers=key)).json() == []
    invitation_id, org_id, token = await invitation_link(mailbox, runtime, email)
    assert org_id == follower_id and invitation_id == created.json()["owner_invitation_id"]
    venue_owner = await login(client, await register_person(client, email))
    joined = await accept(client, venue_owner, follower_id, invitation_id, token)
    assert joined.status_code == 200 and joined.json()["role"] == "owner"


async def test_which_follower_members_a_master_may_act_for(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner = await signed_up(client, "owner")
    master = await create_org(client, owner, "Master")
    with_impersonation = await make_follower(client, owner, master["id"], ["org.impersonate"])
    without = await make_follower(client, owner, master["id"], ["org.read"])
    venue_staff = await signed_up(client, "staff")
    await add_member(runtime, with_impersonation["follower"]["id"], venue_staff, "admin")
    other_staff = await signed_up(client, "other-staff")
    await add_member(runtime, without["follower"]["id"], other_staff, "admin")

    async def may(person: Person) -> bool:
        async with unit_of_work(runtime.database, write=False) as session:
            master_id = await service.org_internal_id(session, uuid.UUID(master["id"]))
            account = await get_account(session, uuid.UUID(person.id))
            assert master_id is not None
            return await relations.master_may_act_for(session, master_id, account.id)

    assert await may(venue_staff)
    assert not await may(other_staff)  # that follower did not pass on org.impersonate
    assert not await may(owner)  # on the master's own team
    elsewhere = await create_org(client, venue_staff, "Side project")
    assert elsewhere and not await may(venue_staff)  # also on an unrelated team
