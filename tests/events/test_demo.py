"""The demo: a published weekly event of the demo organisation, with sessions, for later
capabilities (ctx["event"])."""

from __future__ import annotations

import httpx

from livehouse import demo
from livehouse.core.runtime import Runtime


async def test_demo_event(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ctx = await demo.load(runtime)
    event_id = ctx["event"].public_id
    event = (await client.get(f"/v1/events/{event_id}")).json()
    assert event["status"] == "published" and event["event_type"] == "hybrid"
    assert event["occurrence"]["type"] == "weekly" and event["occurrence"]["days"] == ["friday"]
    assert event["next_occurrence"]["starts"]["local"][11:19] == "20:00:00"
    assert event["timezone"] == "Europe/Berlin"
    sessions = (await client.get(f"/v1/events/{event_id}/sessions")).json()["items"]
    assert [s["name"] for s in sessions] == ["Opening act", "Headliner"]
    assert [e["id"] for e in (await client.get("/v1/events")).json()["items"]] == [str(event_id)]
    again = await demo.load(runtime)
    assert not again["loaded_now"] and str(event_id) in again["credentials"]["event"]
