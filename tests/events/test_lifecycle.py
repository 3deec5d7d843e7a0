"""The lifecycle: publish, unpublish, live, end, cancel (people told, ticketing's hook run),
suspend — each transition only from where it makes sense (409 otherwise)."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.runtime import Runtime
from livehouse.events import hooks
from tests.support.auth import create_org, make_platform_admin, signed_up
from tests.support.events import create_event, published_event
from tests.support.messages import Mailbox, text_of


async def test_transitions_and_their_conflicts(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    event = await create_event(client, owner, org["id"])
    url = f"/v1/events/{event['id']}"

    async def step(method: str, path: str, expect: int, words: str = "") -> dict:
        response = await client.request(method, url + path, headers=owner.headers)
        assert response.status_code == expect, f"{method} {path}: {response.text}"
        if words:
            assert words in response.json()["detail"]
        return response.json()

    await step("POST", "/unpublish", 409, "not published")
    await step("POST", "/live", 409, "Only a published event")
    await step("POST", "/end", 409, "Only a published event")
    await step("POST", "/cancel", 409, "delete it instead")
    assert (await step("POST", "/publish", 200))["status"] == "published"
    await step("POST", "/publish", 409, "already published")
    live = await step("POST", "/live", 200)
    assert live["status"] == "live" and live["live"] is True
    await step("POST", "/live", 409, "already live")
    await step("POST", "/unpublish", 409, "stop the live show")
    assert (await step("DELETE", "/live", 200))["status"] == "published"
    await step("DELETE", "/live", 409, "not live")
    assert (await step("POST", "/unpublish", 200))["status"] == "unpublished"
    assert (await client.get(url)).status_code == 404, "unpublished: hidden again"
    assert (await step("POST", "/publish", 200))["status"] == "published"
    ended = await step("POST", "/end", 200)
    assert ended["status"] == "ended" and ended["ended"] is True
    await step("POST", "/end", 409, "already ended")
    await step("POST", "/cancel", 409, "already ended")
    await step("POST", "/live", 409, "has ended")


async def test_events_end_when_their_last_occurrence_is_over(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    event = await published_event(client, owner, org["id"])
    later = clock.now() + timedelta(days=31)
    with clock.use(clock.FrozenClock(later)):
        read = (await client.get(f"/v1/events/{event['id']}")).json()
        assert read["status"] == "ended" and read["next_occurrence"] is None
        again = await client.post(f"/v1/events/{event['id']}/unpublish", headers=owner.headers)
        assert again.status_code == 200
        refused = await client.post(f"/v1/events/{event['id']}/publish", headers=owner.headers)
        assert refused.status_code == 409 and "has ended" in refused.json()["detail"]


async def test_cancel_tells_people_and_runs_ticketing_hooks(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    event = await published_event(client, owner, org["id"], name="Harbour Lights")
    url = f"/v1/events/{event['id']}"
    fan = await signed_up(client, "fan")
    assert (await client.post(url + "/saves", headers=fan.headers)).status_code == 201
    speaker = await client.post(
        url + "/speakers",
        headers=owner.headers,
        json={"email": "dj@example.com", "name": "DJ Night"},
    )
    assert speaker.status_code == 201
    calls: list[hooks.Cancelled] = []

    async def refund_everyone(session: AsyncSession, cancelled: hooks.Cancelled) -> None:
        calls.append(cancelled)

    with hooks.on_cancelled.use(refund_everyone):
        cancelled = await client.post(
            url + "/cancel", headers=owner.headers, json={"reason": "Storm warning"}
        )
        assert cancelled.status_code == 200, cancelled.text
        body = cancelled.json()
        assert body["status"] == "cancelled" and body["cancel_reason"] == "Storm warning"
        told = await mailbox.wait_for(runtime, to=fan.email, subject="Cancelled: Harbour Lights")
        assert "Storm warning" in text_of(told)
        await mailbox.wait_for(runtime, to="dj@example.com", subject="Cancelled")
    assert len(calls) == 1 and str(calls[0].event_public_id) == event["id"]
    assert calls[0].reason == "Storm warning" and calls[0].job_id > 0

    assert (await client.get(url)).json()["status"] == "cancelled", "still readable"
    for attempt in (
        client.patch(url, headers=owner.headers, json={"name": "Again"}),
        client.post(url + "/publish", headers=owner.headers),
        client.post(url + "/cancel", headers=owner.headers),
        client.post(url + "/live", headers=owner.headers),
    ):
        response = await attempt
        assert response.status_code == 409, response.text
    copy = await client.post(url + "/duplicate", headers=owner.headers)
    assert copy.status_code == 201 and copy.json()["status"] == "draft"


async def test_only_platform_admins_suspend(client: httpx.AsyncClient, runtime: Runtime) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    event = await published_event(client, owner, org["id"])
    url = f"/v1/events/{event['id']}"
    refused = await client.post(url + "/suspend", headers=owner.headers)
    assert refused.status_code == 403
    admin = await signed_up(client, "admin")
    await make_platform_admin(runtime, admin)
    suspended = await client.post(url + "/suspend", headers=admin.headers, json={"reason": "spam"})
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    assert (await client.post(url + "/suspend", headers=admin.headers)).status_code == 409
    assert (await client.get(url)).status_code == 404
    assert (await client.get("/v1/events")).json()["items"] == []
    mine = (await client.get(url, headers=owner.headers)).json()
    assert mine["status"] == "suspended"
    assert (await client.post(url + "/live", headers=owner.headers)).status_code == 409
    assert (await client.post(url + "/unsuspend", headers=owner.headers)).status_code == 403
    lifted = await client.post(url + "/unsuspend", headers=admin.headers)
    assert lifted.status_code == 200 and lifted.json()["status"] == "published"
    assert (await client.get(url)).status_code == 200
