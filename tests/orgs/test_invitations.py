"""Team invitations: e-mail link, acceptance by the invited address only, rank limits, resend,
expiry — and refused requests change nothing."""

from __future__ import annotations

import httpx

from livehouse.core import clock
from livehouse.core.outbox import OutboxDispatcher
from livehouse.core.runtime import Runtime
from tests.support.auth import (
    PASSWORD,
    add_member,
    create_app,
    create_org,
    login,
    register,
    signed_up,
    unique_email,
)
from tests.support.messages import Mailbox
from tests.support.orgs import accept, invitation_link, invite, join


async def test_invite_then_accept_with_the_invited_address(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner, "Blue Note")
    email = unique_email("Newbie")  # mixed case: matching ignores case
    sent = await invite(client, owner, org["id"], email.upper(), role="admin", first_name="Ann")
    assert sent.status_code == 201, sent.text
    invitation = sent.json()
    assert invitation["status"] == "pending" and invitation["role"] == "admin"
    assert "token" not in sent.text

    invitation_id, org_id, token = await invitation_link(mailbox, runtime, email)
    assert (invitation_id, org_id) == (invitation["id"], org["id"])
    person = await login(client, await register(client, email))
    joined = await accept(client, person, org["id"], invitation_id, token)
    assert joined.status_code == 200, joined.text
    assert joined.json()["role"] == "admin" and joined.json()["email"] == email

    team = (await client.get(f"/v1/orgs/{org['id']}/members", headers=person.headers)).json()
    assert {m["email"] for m in team} == {owner.email, email}
    read = await client.get(
        f"/v1/orgs/{org['id']}/invitations/{invitation_id}", headers=owner.headers
    )
    assert read.json()["status"] == "accepted" and read.json()["member_id"] == joined.json()["id"]

    again = await accept(client, person, org["id"], invitation_id, token)
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "token"


async def test_acceptance_refusals_change_nothing(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    invitee = await signed_up(client, "invitee")
    assert (await invite(client, owner, org["id"], invitee.email)).status_code == 201
    invitation_id, _, token = await invitation_link(mailbox, runtime, invitee.email)

    someone_else = await signed_up(client, "else")
    wrong_person = await accept(client, someone_else, org["id"], invitation_id, token)
    assert wrong_person.status_code == 403 and "another e-mail" in wrong_person.text
    wrong_token = await accept(client, invitee, org["id"], invitation_id, token[:-2] + "xx")
    assert wrong_token.status_code == 422
    other_org = await create_org(client, someone_else, "Elsewhere")
    wrong_org = await accept(client, invitee, other_org["id"], invitation_id, token)
    assert wrong_org.status_code == 404
    anonymous = await client.post(
        f"/v1/orgs/{org['id']}/invitations/{invitation_id}/accept", json={"token": token}
    )
    assert anonymous.status_code == 401
    team = (await client.get(f"/v1/orgs/{org['id']}/members", headers=owner.headers)).json()
    assert [m["email"] for m in team] == [owner.email]
    read = await client.get(
        f"/v1/orgs/{org['id']}/invitations/{invitation_id}", headers=owner.headers
    )
    assert read.json()["status"] == "pending"

    later = clock.OffsetClock()
    with clock.use(later):
        later.advance(days=8)
        expired = await accept(client, invitee, org["id"], invitation_id, token)
        assert expired.status_code == 410
        listed = await client.get(
            f"/v1/orgs/{org['id']}/invitations?status=expired", headers=owner.headers
        )
        assert [i["id"] for i in listed.json()["items"]] == [invitation_id]
    # Still usable before it expires: the refusals above spent nothing.
    assert (await accept(client, invitee, org["id"], invitation_id, token)).status_code == 200


async def test_wrong_tokens_are_rate_limited(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    invitee = await signed_up(client, "invitee")
    await invite(client, owner, org["id"], invitee.email)
    invitation_id, _, token = await invitation_link(mailbox, runtime, invitee.email)
    statuses = [
        (await accept(client, invitee, org["id"], invitation_id, f"guess-{n}")).status_code
        for n in range(6)
    ]
    assert statuses[:4] == [422] * 4 and statuses[-1] == 429
    locked = await accept(client, invitee, org["id"], invitation_id, token)
    assert locked.status_code == 429 and locked.headers["Retry-After"]


async def test_resend_replaces_the_link_and_is_rate_limited(
    client: httpx.AsyncClient,
    runtime: Runtime,
    mailbox: Mailbox,
    paused_dispatcher: OutboxDispatcher,  # the n-th e-mail delivered is the n-th sent
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    email = unique_email("invitee")
    invitation = (await invite(client, owner, org["id"], email)).json()
    _, _, first_token = await invitation_link(mailbox, runtime, email)
    url = f"/v1/orgs/{org['id']}/invitations/{invitation['id']}/resend"
    resent = await client.post(url, headers=owner.headers)
    assert resent.status_code == 200 and resent.json()["sent_count"] == 2
    _, _, second_token = await invitation_link(mailbox, runtime, email, count=2)
    assert second_token != first_token

    person = await login(client, await register(client, email))
    old = await accept(client, person, org["id"], invitation["id"], first_token)
    assert old.status_code == 422
    assert (await client.post(url, headers=owner.headers)).status_code == 200
    assert (await client.post(url, headers=owner.headers)).status_code == 200
    too_often = await client.post(url, headers=owner.headers)
    assert too_often.status_code == 429
    _, _, last_token = await invitation_link(mailbox, runtime, email, count=4)
    assert (
        await accept(client, person, org["id"], invitation["id"], last_token)
    ).status_code == 200
    done = await client.post(url, headers=owner.headers)
    assert done.status_code == 409, "an accepted invitation is not resent"


async def test_nobody_invites_above_their_rank(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    admin = await signed_up(client, "admin")
    await join(client, runtime, mailbox, owner, org["id"], admin, "admin")
    narrowed = await signed_up(client, "narrowed")
    await join(
        client, runtime, mailbox, owner, org["id"], narrowed, "admin", ["org.read", "org.members"]
    )
    member = await signed_up(client, "member")
    await add_member(runtime, org["id"], member, "member")

    cases = [
        (admin, {"role": "owner"}, 403),
        (narrowed, {"role": "admin"}, 422),  # the admin role holds more than they do
        (narrowed, {"role": "member", "scopes": ["org.read", "org.write"]}, 422),
        (admin, {"role": "member", "scopes": ["org.billing"]}, 422),  # above the role's ceiling
        (admin, {"role": "wizard"}, 422),
        (member, {"role": "member"}, 403),
    ]
    for inviter, body, status in cases:
        response = await invite(client, inviter, org["id"], unique_email("x"), **body)
        assert response.status_code == status, (body, response.text)
    bad_email = await invite(client, owner, org["id"], "not-an-address")
    assert bad_email.status_code == 422 and bad_email.json()["errors"][0]["field"] == "email"
    listed = await client.get(f"/v1/orgs/{org['id']}/invitations", headers=owner.headers)
    assert {i["email"] for i in listed.json()["items"]} == {admin.email, narrowed.email}

    ok = await invite(client, narrowed, org["id"], unique_email("y"), scopes=["org.read"])
    assert ok.status_code == 201
    by_admin = await invite(client, admin, org["id"], unique_email("z"), role="admin")
    assert by_admin.status_code == 201
    by_owner = await invite(client, owner, org["id"], unique_email("o"), role="owner")
    assert by_owner.status_code == 201


async def test_no_duplicates_and_withdrawal(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    email = unique_email("dup")
    first = (await invite(client, owner, org["id"], email)).json()
    again = await invite(client, owner, org["id"], email.upper())
    assert again.status_code == 409 and again.json()["invitation_id"] == first["id"]
    already = await invite(client, owner, org["id"], owner.email)
    assert already.status_code == 409

    _, _, token = await invitation_link(mailbox, runtime, email)
    gone = await client.delete(
        f"/v1/orgs/{org['id']}/invitations/{first['id']}", headers=owner.headers
    )
    assert gone.status_code == 204
    person = await login(client, await register(client, email))
    assert (await accept(client, person, org["id"], first["id"], token)).status_code == 404
    assert (await invite(client, owner, org["id"], email)).status_code == 201


async def test_listing_filters_and_pages(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    for name in ("Alice", "Bob", "Carol"):
        await invite(client, owner, org["id"], unique_email(name.lower()), first_name=name)
    url = f"/v1/orgs/{org['id']}/invitations"
    page = (await client.get(url, params={"limit": 2}, headers=owner.headers)).json()
    assert [i["first_name"] for i in page["items"]] == ["Carol", "Bob"] and page["next_cursor"]
    rest = await client.get(
        url, params={"limit": 2, "cursor": page["next_cursor"]}, headers=owner.headers
    )
    assert [i["first_name"] for i in rest.json()["items"]] == ["Alice"]
    assert rest.json()["next_cursor"] is None
    found = await client.get(url, params={"q": "CAR"}, headers=owner.headers)
    assert [i["first_name"] for i in found.json()["items"]] == ["Carol"]
    wildcard = await client.get(url, params={"q": "%"}, headers=owner.headers)
    assert wildcard.json()["items"] == []
    accepted = await client.get(url, params={"status": "accepted"}, headers=owner.headers)
    assert accepted.json()["items"] == []
    bad = await client.get(url, params={"status": "maybe"}, headers=owner.headers)
    assert bad.status_code == 422


async def test_an_impersonation_session_cannot_accept(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    app = await create_app(client, owner, org["id"])
    customer = await login(client, await register(client, client_id=app["client_id"]))
    assert (await invite(client, owner, org["id"], customer.email)).status_code == 201
    invitation_id, _, token = await invitation_link(mailbox, runtime, customer.email)
    started = await client.post(
        f"/v1/orgs/{org['id']}/impersonation",
        headers=owner.headers,
        json={"account_id": customer.id, "password": PASSWORD},
    )
    assert started.status_code == 200, started.text
    acting = {"Authorization": f"Bearer {started.json()['access_token']}"}
    refused = await client.post(
        f"/v1/orgs/{org['id']}/invitations/{invitation_id}/accept",
        json={"token": token},
        headers=acting,
    )
    assert refused.status_code == 403 and "acting as someone else" in refused.text
    assert (await accept(client, customer, org["id"], invitation_id, token)).status_code == 200
