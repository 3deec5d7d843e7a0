"""Events: creation with defaults and validated parts, changes, private data, duplicates,
deleting drafts — and bad input answered with a 422 naming the field, changing nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from livehouse.core.runtime import Runtime
from tests.support.auth import add_member, create_org, signed_up
from tests.support.events import ONLINE, VENUE, create_event, event_body, local, single


async def test_create_read_and_defaults(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner, currency="AUD", timezone="Australia/Melbourne")
    event = await create_event(
        client,
        owner,
        org["id"],
        timezone=None,
        currency=None,
        name="Flower Festival",
        display_name="The Flower Festival",
        description="Flowers, talks and a band",
        category="festival",
        tags=["Outdoor", "family", "outdoor"],
        tax={"code": "GST", "rate_basis_points": 1000},
        terminology="registration",
        capacity=500,
        banners=[
            {"name": "wide", "image": "https://cdn.example/wide.jpg"},
            {"name": "square", "image": "uploads/orgs/x/square.jpg"},
        ],
        resources=[
            {"order": 2, "type": "video", "content": "https://youtube.com/watch?v=abc"},
            {"order": 1, "type": "text", "content": "About the festival"},
        ],
        links=[{"name": "instagram", "value": "https://instagram.com/flowers"}],
        custom_attributes=[{"name": "dress code", "value": "green"}],
        tracking_codes=[{"type": "google_analytics", "value": "G-12345"}],
        occurrence=single(days=40, hour=10, minutes=60),
    )
    assert event["timezone"] == "Australia/Melbourne" and event["currency"] == "AUD"
    assert event["country"] == "DE", "the venue's country"
    assert event["tags"] == ["outdoor", "family"]
    assert event["tax"] == {"code": "GST", "rate_basis_points": 1000}
    assert [b["primary"] for b in event["banners"]] == [True, False], "first is primary"
    assert [r["type"] for r in event["resources"]] == ["text", "video"], "ordered"
    assert all(r["id"] for r in event["resources"])
    assert event["status"] == "draft" and event["publishing"] == "draft" and event["listed"]
    assert event["starts"]["local"] == local(40, 10) + "+11:00"  # AEDT in January
    assert event["starts"]["utc"].endswith("Z") and event["next_occurrence"] is not None

    read = await client.get(f"/v1/events/{event['id']}", headers=owner.headers)
    assert read.status_code == 200 and read.json()["name"] == "Flower Festival"


async def test_stream_link_is_for_organisers_only(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    event = await create_event(client, owner, org["id"], event_type="hybrid", online=ONLINE)
    assert event["online"]["stream_url"] == ONLINE["stream_url"]
    await client.post(f"/v1/events/{event['id']}/publish", headers=owner.headers)
    stranger = await signed_up(client, "fan")
    for headers in ({}, stranger.headers):
        public = (await client.get(f"/v1/events/{event['id']}", headers=headers)).json()
        assert "stream_url" not in public["online"] and public["online"]["platform"] == "livehouse"
    listed = (await client.get("/v1/events")).json()["items"][0]
    assert "stream_url" not in listed["online"]
    mine = (await client.get("/v1/events", headers=owner.headers)).json()["items"][0]
    assert mine["online"]["stream_url"] == ONLINE["stream_url"]


BAD_FIELDS: list[tuple[dict[str, Any], str]] = [
    ({"name": ""}, "name"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"currency": "XYZ"}, "currency"),
    ({"event_type": "cruise"}, "event_type"),
    ({"links": [{"name": "facebook", "value": "https://evil.example/x"}]}, "links.0"),
    ({"venue": {**VENUE, "address": {"country": "Atlantis"}}}, "venue.address.country"),
    (
        {"venue": {**VENUE, "address": {**VENUE["address"], "post_code": "1"}}},
        "venue.address",
    ),
    ({"venue": {**VENUE, "url": "kesselhaus.example"}}, "venue.url"),
    ({"online": ONLINE}, "online"),  # a venue event with a stream
    ({"event_type": "online"}, "venue"),  # an online event with a venue
    ({"online": {"stream_url": "ftp://x.example/s"}, "event_type": "hybrid"}, "online.stream_url"),
    ({"banners": [{"image": "../etc/passwd"}]}, "banners.0.image"),
    (
        {
            "banners": [
                {"image": "https://a.example/1.jpg", "primary": True},
                {"image": "https://a.example/2.jpg", "primary": True},
            ]
        },
        "banners",
    ),
    ({"resources": [{"type": "video", "content": "not a url"}]}, "resources.0.content"),
    ({"custom_attributes": [{"name": "a"}, {"name": "A"}]}, "custom_attributes"),
    ({"tax": {"code": "GST", "rate_basis_points": 10001}}, "tax.rate_basis_points"),
    ({"capacity": 0}, "capacity"),
    ({"description": "x" * 20_001}, "description"),
    ({"surprise": 1}, "surprise"),
]


@pytest.mark.parametrize(("fields", "field"), BAD_FIELDS)
async def test_bad_event_fields(client: httpx.AsyncClient, fields: dict, field: str) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    response = await client.post(
        f"/v1/orgs/{org['id']}/events", json=event_body(**fields), headers=owner.headers
    )
    assert response.status_code == 422, response.text
    fields_named = [e["field"] for e in response.json()["errors"]]
    assert any(f.startswith(field) for f in fields_named), fields_named
    listing = await client.get(f"/v1/orgs/{org['id']}/events", headers=owner.headers)
    assert listing.json()["items"] == []


async def test_update_merges_and_bad_updates_change_nothing(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    event = await create_event(client, owner, org["id"])
    url = f"/v1/events/{event['id']}"
    changed = await client.patch(
        url,
        headers=owner.headers,
        json={"description": "Now with a brass band", "event_type": "hybrid", "online": ONLINE},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["description"] == "Now with a brass band" and body["venue"]["name"] == "Kesselhaus"
    assert body["online"]["stream_url"] == ONLINE["stream_url"]

    for bad, field in (
        ({"name": None}, "name"),
        ({"event_type": "venue"}, "online"),  # still has a stream
        (
            {"occurrence": {"type": "weekly", "starts_on": local(), "duration_minutes": 60}},
            "occurrence.ends",
        ),
        ({"timezone": "Nowhere/Land"}, "timezone"),
    ):
        refused = await client.patch(url, headers=owner.headers, json={**bad, "description": "x"})
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == field
    after = (await client.get(url, headers=owner.headers)).json()
    assert after["description"] == "Now with a brass band" and after["event_type"] == "hybrid"
    assert after["occurrence"] == event["occurrence"]


async def test_published_event_keeps_what_publishing_needs(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    event = await create_event(client, owner, org["id"], venue=None)
    refused = await client.post(f"/v1/events/{event['id']}/publish", headers=owner.headers)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "venue"
    await client.patch(f"/v1/events/{event['id']}", headers=owner.headers, json={"venue": VENUE})
    assert (
        await client.post(f"/v1/events/{event['id']}/publish", headers=owner.headers)
    ).status_code == 200
    unset = await client.patch(
        f"/v1/events/{event['id']}", headers=owner.headers, json={"venue": None}
    )
    assert unset.status_code == 422 and unset.json()["errors"][0]["field"] == "venue"


async def test_who_may_manage_events(client: httpx.AsyncClient, runtime: Runtime) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    member = await signed_up(client, "member")
    await add_member(runtime, org["id"], member, "member")
    outsider = await signed_up(client, "outsider")
    event = await create_event(client, member, org["id"])  # members draft events
    url = f"/v1/events/{event['id']}"
    assert (await client.patch(url, headers=member.headers, json={"name": "B"})).status_code == 200
    assert (await client.post(url + "/publish", headers=member.headers)).status_code == 403
    assert (await client.delete(url, headers=member.headers)).status_code == 403
    for attempt in (
        client.get(url, headers=outsider.headers),
        client.patch(url, headers=outsider.headers, json={"name": "C"}),
        client.post(url + "/publish", headers=outsider.headers),
        client.get(url),
    ):
        response = await attempt
        assert response.status_code == 404 and "event" in response.json()["detail"]
    assert (await client.post(url + "/publish", headers=owner.headers)).status_code == 200
    assert (await client.get(url, headers=outsider.headers)).status_code == 200


async def test_duplicate_copies_details_and_sessions(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    event = await create_event(
        client, owner, org["id"], resources=[{"type": "text", "content": "hello"}]
    )
    session = await client.post(
        f"/v1/events/{event['id']}/sessions",
        headers=owner.headers,
        json={"name": "Soundcheck", "starts_on": local(30, 20), "ends_on": local(30, 20, 45)},
    )
    assert session.status_code == 201, session.text
    await client.post(f"/v1/events/{event['id']}/publish", headers=owner.headers)
    copy = await client.post(f"/v1/events/{event['id']}/duplicate", headers=owner.headers)
    assert copy.status_code == 201, copy.text
    twin = copy.json()
    assert twin["id"] != event["id"] and twin["name"] == "Friday Night Jazz (copy)"
    assert twin["status"] == "draft" and twin["venue"] == event["venue"]
    assert twin["occurrence"] == event["occurrence"]
    assert twin["resources"][0]["content"] == "hello"
    assert twin["resources"][0]["id"] != event["resources"][0]["id"]
    sessions = (await client.get(f"/v1/events/{twin['id']}/sessions", headers=owner.headers)).json()
    assert [s["name"] for s in sessions["items"]] == ["Soundcheck"]
    assert sessions["items"][0]["occurrence_id"] == twin["next_occurrence"]["id"]
    named = await client.post(
        f"/v1/events/{event['id']}/duplicate", headers=owner.headers, json={"name": "Encore"}
    )
    assert named.json()["name"] == "Encore"


async def test_only_drafts_are_deleted(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    draft = await create_event(client, owner, org["id"])
    assert (
        await client.delete(f"/v1/events/{draft['id']}", headers=owner.headers)
    ).status_code == 204
    assert (await client.get(f"/v1/events/{draft['id']}", headers=owner.headers)).status_code == 404
    event = await create_event(client, owner, org["id"])
    await client.post(f"/v1/events/{event['id']}/publish", headers=owner.headers)
    await client.post(f"/v1/events/{event['id']}/unpublish", headers=owner.headers)
    refused = await client.delete(f"/v1/events/{event['id']}", headers=owner.headers)
    assert refused.status_code == 409 and "Only drafts" in refused.json()["detail"]
    assert (await client.get(f"/v1/events/{event['id']}", headers=owner.headers)).status_code == 200
