"""Invitations to book: invitation-link tickets refused without a valid token, allowed with
one for the invited address, refused again once the invitation is deleted or expired."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from livehouse.core import clock
from livehouse.core.runtime import Runtime
from tests.support.auth import signed_up
from tests.support.messages import Mailbox, text_of
from tests.support.ticketing import add_ticket_type, hold, open_shop, purchase, settings
from tests.support.ticketing_extra import GUEST, invitation_token, invite


async def test_invitation_links_open_invitation_only_tickets(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    shop = await open_shop(client, restrictions=[{"type": "invitation_link"}])
    friend = await signed_up(client, "friend")
    stranger = await signed_up(client, "stranger")

    refused = await hold(client, friend, shop)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "invitation_token"

    sent = await invite(client, shop, friend.email.upper(), message="Bring a friend")
    assert sent.status_code == 201, sent.text
    [invitation] = sent.json()
    assert invitation["status"] == "active" and invitation["booked"] is False
    token = await invitation_token(mailbox, runtime, friend.email)
    assert "Bring a friend" in text_of(
        await mailbox.wait_for(runtime, to=friend.email, subject="invited to book")
    )

    forwarded = await hold(client, stranger, shop, invitation_token=token)
    assert forwarded.status_code == 422 and "another e-mail" in forwarded.json()["detail"]
    wrong = await hold(client, friend, shop, invitation_token=token[:-2] + "xx")
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "invitation_token"
    bought = await purchase(client, friend, shop, invitation_token=token)
    assert bought.status_code == 201 and bought.json()["status"] == "paid", bought.text

    listed = await client.get(f"/v1/events/{shop.event_id}/invitations", headers=shop.owner.headers)
    [row] = listed.json()["items"]
    assert (row["email"].casefold(), row["booked"]) == (friend.email.casefold(), True)
    one = f"/v1/events/{shop.event_id}/invitations/{row['id']}"
    assert (await client.get(one, headers=shop.owner.headers)).json()["id"] == row["id"]
    assert (await client.get(one, headers=friend.headers)).status_code == 404
    assert (await client.delete(one, headers=shop.owner.headers)).status_code == 204
    gone = await hold(client, friend, shop, invitation_token=token)
    assert gone.status_code == 422, "a deleted invitation opens nothing"
    assert (await client.get(one, headers=shop.owner.headers)).status_code == 404


async def test_inviting_again_replaces_the_link_and_links_expire(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = await open_shop(client, restrictions=[{"type": "invitation_link"}])
    friend = await signed_up(client, "friend")
    await invite(client, shop, friend.email)
    old = await invitation_token(mailbox, runtime, friend.email)
    monkeypatch.setattr(runtime.settings, "ticket_invitation_ttl_seconds", 3600)
    again = await invite(client, shop, friend.email)
    assert again.json()[0]["sent_count"] == 2
    new = await invitation_token(mailbox, runtime, friend.email, count=2)
    assert (await hold(client, friend, shop, invitation_token=old)).status_code == 422
    with clock.use(clock.FrozenClock(clock.now() + timedelta(hours=2))):
        expired = await hold(client, friend, shop, invitation_token=new)
    assert expired.status_code == 422 and "expired" in expired.json()["detail"]
    assert (await hold(client, friend, shop, invitation_token=new)).status_code == 201


async def test_an_invitation_to_one_ticket_type(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    shop = await open_shop(client, name="Backstage", restrictions=[{"type": "invitation_link"}])
    other = await add_ticket_type(
        client,
        shop.owner,
        shop.event_id,
        name="Dinner",
        restrictions=[{"type": "invitation_link"}],
    )
    public = await add_ticket_type(client, shop.owner, shop.event_id, name="Floor")
    friend = await signed_up(client, "friend")
    sent = await invite(client, shop, friend.email, ticket_type_id=shop.ticket_type["id"])
    assert sent.json()[0]["ticket_type_id"] == shop.ticket_type["id"]
    token = await invitation_token(mailbox, runtime, friend.email)
    dinner = {"ticket_type_id": other["id"], "quantity": 1}
    floor = {"ticket_type_id": public["id"], "quantity": 1}
    refused = await hold(client, friend, shop, shop.item(), dinner, invitation_token=token)
    assert refused.status_code == 422 and "Dinner" in refused.json()["detail"]
    ok = await hold(client, friend, shop, shop.item(), floor, invitation_token=token)
    assert ok.status_code == 201, ok.text


async def test_invited_guests_and_event_wide_links(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    shop = await open_shop(client)
    await settings(client, shop, guest_checkout=True, restrictions=[{"type": "invitation_link"}])
    await invite(client, shop, GUEST)
    token = await invitation_token(mailbox, runtime, GUEST)
    body = {"items": [shop.item()], "buyer_email": GUEST}
    url = f"/v1/events/{shop.event_id}/holds"
    assert (await client.post(url, json=body)).status_code == 422
    ok = await client.post(url, json={**body, "invitation_token": token})
    assert ok.status_code == 201, ok.text
    other = await client.post(
        url, json={**body, "buyer_email": "someone@example.com", "invitation_token": token}
    )
    assert other.status_code == 422
    bad = await client.post(
        f"/v1/events/{shop.event_id}/invitations",
        headers=shop.owner.headers,
        json={"invitees": [{"email": "not-an-address"}]},
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "invitees.0.email"
