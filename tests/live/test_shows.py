"""Live sessions over HTTP: who may start and stop a show, one live session per event, the
list of what is live, and the event's own live state following along."""

from __future__ import annotations

import asyncio

import httpx

from livehouse.core.runtime import Runtime
from tests.support.auth import signed_up
from tests.support.live import fan, go_live, stage
from tests.support.outbox import drain_outbox


async def test_a_host_starts_and_stops_a_show(client: httpx.AsyncClient, runtime: Runtime) -> None:
    built = await stage(client, runtime)
    show = await go_live(
        client, built, event_link="davprice.com/live", stage_name="davido", name="lovee"
    )
    assert show["is_live"] is True and show["ended_at"] is None
    assert show["event_id"] == built.event_id and show["org_id"] == built.shop.org["id"]
    assert (show["name"], show["stage_name"], show["event_link"]) == (
        "lovee",
        "davido",
        "davprice.com/live",
    )
    assert (show["viewers"], show["watching"]) == (0, 0)
    assert show["occurrence_id"] is not None, "the next date of the event"
    assert show["channels"]["presence"] == f"presence-event.{built.event_id}"
    assert show["rtc"]["room"].startswith("show-") and len(show["rtc"]["room"]) <= 31

    event = (await client.get(f"/v1/events/{built.event_id}")).json()
    assert event["status"] == "live", "the event itself is live"

    live = (await client.get("/v1/live-sessions")).json()
    assert [s["id"] for s in live["items"]] == [show["id"]]

    again = await client.post(built.url("/live-sessions"), json={}, headers=built.owner.headers)
    assert again.status_code == 409, "one live session per event"

    stopped = await client.post(
        f"/v1/live-sessions/{show['id']}/stop", headers=built.performer.headers
    )
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["is_live"] is False and stopped.json()["ended_at"]
    assert (await client.get(f"/v1/events/{built.event_id}")).json()["status"] == "published"
    assert (await client.get("/v1/live-sessions")).json()["items"] == []
    twice = await client.post(f"/v1/live-sessions/{show['id']}/stop", headers=built.owner.headers)
    assert twice.status_code == 409

    history = (await client.get(built.url("/live-sessions"))).json()["items"]
    assert [s["id"] for s in history] == [show["id"]]
    assert (await go_live(client, built))["id"] != show["id"], "a new show may start"


async def test_defaults_come_from_the_performer_page(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    built = await stage(client, runtime)
    page = await client.put(
        "/v1/me/performer", json={"stage_name": "Burna"}, headers=built.performer.headers
    )
    assert page.status_code in (200, 201), page.text
    show = await go_live(client, built)
    assert show["stage_name"] == "Burna"
    assert show["name"] == built.shop.event["name"]
    assert show["host_id"] == built.performer.id


async def test_only_hosts_start_shows(client: httpx.AsyncClient, runtime: Runtime) -> None:
    built = await stage(client, runtime)
    fan_person = await fan(client, built, "vvip")
    outsider = await signed_up(client, "outsider")
    for person, status in ((fan_person, 404), (outsider, 404)):
        response = await client.post(built.url("/live-sessions"), json={}, headers=person.headers)
        assert response.status_code == status, response.text
    anonymous = await client.post(built.url("/live-sessions"), json={})
    assert anonymous.status_code == 401
    show = await go_live(client, built)
    refused = await client.post(f"/v1/live-sessions/{show['id']}/stop", headers=fan_person.headers)
    assert refused.status_code == 404
    assert (await client.get(f"/v1/live-sessions/{show['id']}")).json()["is_live"] is True


async def test_bad_input_changes_nothing(client: httpx.AsyncClient, runtime: Runtime) -> None:
    built = await stage(client, runtime)
    cases = [
        {"stage_name": "x" * 101},
        {"event_link": ""},
        {"unknown": 1},
        {"occurrence_id": "00000000-0000-0000-0000-000000000000"},
        {"profile_image_id": "00000000-0000-0000-0000-000000000000"},
    ]
    for body in cases:
        response = await client.post(
            built.url("/live-sessions"), json=body, headers=built.performer.headers
        )
        assert response.status_code == 422, (body, response.text)
    assert (await client.get("/v1/live-sessions")).json()["items"] == []
    event = (await client.get(f"/v1/events/{built.event_id}")).json()
    assert event["status"] == "published", "a refused start left the event as it was"


async def test_a_draft_event_cannot_go_live(client: httpx.AsyncClient, runtime: Runtime) -> None:
    from tests.support.events import create_event

    built = await stage(client, runtime)
    draft = await create_event(client, built.owner, built.shop.org["id"])
    response = await client.post(
        f"/v1/events/{draft['id']}/live-sessions", json={}, headers=built.performer.headers
    )
    assert response.status_code == 409, response.text


async def test_two_hosts_starting_at_once_get_one_show(
    live_client: httpx.AsyncClient, runtime: Runtime
) -> None:
    built = await stage(live_client, runtime)
    responses = await asyncio.gather(
        *[
            live_client.post(built.url("/live-sessions"), json={}, headers=host.headers)
            for host in (built.owner, built.performer) * 4
        ]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 7, [r.text for r in responses]
    live = (await live_client.get("/v1/live-sessions")).json()["items"]
    assert len(live) == 1


async def test_a_cancelled_event_stops_its_show(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    built = await stage(client, runtime)
    show = await go_live(client, built)
    cancelled = await client.post(built.url("/cancel"), json={}, headers=built.owner.headers)
    assert cancelled.status_code == 200, cancelled.text
    await drain_outbox(runtime)
    after = (
        await client.get(f"/v1/events/{built.event_id}/live-sessions", headers=built.owner.headers)
    ).json()
    assert after["items"][0]["id"] == show["id"] and after["items"][0]["is_live"] is False
    assert after["items"][0]["ended_at"] is not None
