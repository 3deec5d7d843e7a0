"""Speakers: invited by e-mail (a link token stored hashed), accepted by the invited address,
resent (the old link dies), changed, removed; the public sees accepted speakers only."""

from __future__ import annotations

import re

import httpx

from livehouse.core.runtime import Runtime
from tests.support.auth import create_org, login, register, signed_up
from tests.support.events import create_event
from tests.support.messages import Mailbox, text_of

LINK = re.compile(r"/speaker-invitations/([0-9a-f-]{36})\?event=([0-9a-f-]{36})&token=([\w-]+)")


async def invitation(runtime: Runtime, mailbox: Mailbox, email: str, count: int = 1) -> tuple:
    message = await mailbox.wait_for(runtime, to=email, subject="invited to speak", count=count)
    match = LINK.search(text_of(message))
    assert match, text_of(message)
    return match.groups()


async def test_invite_accept_and_public_view(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    event = await create_event(client, owner, org["id"], name="Data Days")
    url = f"/v1/events/{event['id']}/speakers"
    added = await client.post(
        url,
        headers=owner.headers,
        json={
            "email": "Ada@Example.com",
            "name": "Ada Lovelace",
            "title": "Analyst",
            "bio": "Wrote the first program",
            "image": "https://cdn.example/ada.jpg",
        },
    )
    assert added.status_code == 201, added.text
    speaker = added.json()
    assert speaker["status"] == "invited" and speaker["email"] == "Ada@example.com"
    again = await client.post(
        url, headers=owner.headers, json={"email": "ada@example.com", "name": "A"}
    )
    assert again.status_code == 409

    speaker_id, event_id, token = await invitation(runtime, mailbox, "ada@example.com")
    assert (speaker_id, event_id) == (speaker["id"], event["id"])
    accept = f"{url}/{speaker_id}/accept"

    impostor = await signed_up(client, "impostor")
    refused = await client.post(accept, headers=impostor.headers, json={"token": token})
    assert refused.status_code == 403, "the link was forwarded to someone else"
    ada = await login(client, await register(client, "ada@example.com"))
    wrong = await client.post(accept, headers=ada.headers, json={"token": "x" * 43})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "token"

    # A resend replaces the link: the first token stops working.
    resent = await client.post(f"{url}/{speaker_id}/resend-invite", headers=owner.headers)
    assert resent.status_code == 200
    _, _, new_token = await invitation(runtime, mailbox, "ada@example.com", count=2)
    stale = await client.post(accept, headers=ada.headers, json={"token": token})
    assert stale.status_code == 422
    accepted = await client.post(accept, headers=ada.headers, json={"token": new_token})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted" and accepted.json()["account_id"] == ada.id
    used = await client.post(accept, headers=ada.headers, json={"token": new_token})
    assert used.status_code == 422, "single use"
    resend_accepted = await client.post(f"{url}/{speaker_id}/resend-invite", headers=owner.headers)
    assert resend_accepted.status_code == 409

    pending = await client.post(
        url, headers=owner.headers, json={"email": "bob@example.com", "name": "Bob"}
    )
    await client.post(f"/v1/events/{event['id']}/publish", headers=owner.headers)
    public = (await client.get(url)).json()["items"]
    assert [s["name"] for s in public] == ["Ada Lovelace"]
    assert public[0]["email"] is None and public[0]["status"] is None
    assert (await client.get(f"{url}/{pending.json()['id']}")).status_code == 404
    everyone = (await client.get(url, headers=owner.headers)).json()["items"]
    assert {s["email"]: s["status"] for s in everyone} == {
        "Ada@example.com": "accepted",
        "bob@example.com": "invited",
    }

    speaking = await client.get("/v1/events", headers=ada.headers, params={"my": "speaking"})
    assert [e["id"] for e in speaking.json()["items"]] == [event["id"]]

    changed = await client.patch(
        f"{url}/{speaker_id}", headers=owner.headers, json={"title": "Countess", "name": None}
    )
    assert changed.status_code == 422 and changed.json()["errors"][0]["field"] == "name"
    changed = await client.patch(
        f"{url}/{speaker_id}", headers=owner.headers, json={"title": "Countess"}
    )
    assert changed.json()["title"] == "Countess"
    assert (await client.delete(f"{url}/{speaker_id}", headers=owner.headers)).status_code == 204
    assert (await client.get(url)).json()["items"] == []
    speaking = await client.get("/v1/events", headers=ada.headers, params={"my": "speaking"})
    assert speaking.json()["items"] == []
