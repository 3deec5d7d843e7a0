"""Finding events: what the public sees, filters, search, ordering and cursors, time filters in
each event's own zone, "my" events, related events and suggestions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from livehouse.core import clock
from livehouse.core.runtime import Runtime
from tests.support.auth import add_member, create_org, signed_up
from tests.support.events import ONLINE, VENUE, create_event, published_event
from tests.support.sql import statements


def ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [e["id"] for e in response.json()["items"]]


def venue_in(city: str, country: str, state: str | None = None) -> dict[str, Any]:
    address: dict[str, Any] = {"city": city, "country": country}
    if state:
        address["state"] = state
    return {"name": f"Hall of {city}", "address": address}


async def test_what_the_public_sees(client: httpx.AsyncClient, runtime: Runtime) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    draft = await create_event(client, owner, org["id"], name="Draft")
    listed = await published_event(client, owner, org["id"], name="Listed")
    unlisted = await published_event(client, owner, org["id"], name="Unlisted", listed=False)
    assert ids(await client.get("/v1/events")) == [listed["id"]]
    assert (await client.get(f"/v1/events/{unlisted['id']}")).status_code == 200, "by its id"
    assert (await client.get(f"/v1/events/{draft['id']}")).status_code == 404
    every = ids(await client.get(f"/v1/orgs/{org['id']}/events", headers=owner.headers))
    assert sorted(every) == sorted([draft["id"], listed["id"], unlisted["id"]])
    member = await signed_up(client, "member")
    await add_member(runtime, org["id"], member, "member")
    mine = ids(await client.get("/v1/events", headers=member.headers, params={"my": "organised"}))
    assert sorted(mine) == sorted(every), "drafts too, for the team"
    assert (
        ids(await client.get("/v1/events", headers=member.headers, params={"status": "draft"}))
        == []
    )
    assert (await client.get("/v1/events", params={"my": "all"})).status_code == 401
    attending = await client.get("/v1/events", headers=member.headers, params={"my": "attending"})
    assert ids(attending) == [], "nobody holds a ticket"
    stranger = await signed_up(client, "stranger")
    assert (
        await client.get(f"/v1/orgs/{org['id']}/events", headers=stranger.headers)
    ).status_code == 404


async def test_filters_search_order_and_cursor(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    other_owner = await signed_up(client, "other")
    other = await create_org(client, other_owner, "Other House")
    berlin = await published_event(
        client,
        owner,
        org["id"],
        name="Berlin Brass Night",
        category="music",
        description="Trumpets and trombones",
    )
    munich = await published_event(
        client,
        owner,
        org["id"],
        name="Alpine Folk",
        category="music",
        venue=venue_in("München", "DE", "Bayern"),
        currency="CHF",
    )
    online = await published_event(
        client,
        owner,
        org["id"],
        name="Coding Live",
        category="tech",
        event_type="online",
        venue=None,
        online=ONLINE,
        country="Australia",
    )
    melbourne = await published_event(
        client,
        other_owner,
        other["id"],
        name="Brass on the Yarra",
        category="music",
        venue=venue_in("South Yarra", "AU", "Victoria"),
        timezone="Australia/Melbourne",
    )

    async def find(**params: Any) -> list[str]:
        return ids(await client.get("/v1/events", params=params))

    assert set(await find(category="music")) == {berlin["id"], munich["id"], melbourne["id"]}
    assert await find(event_type="online") == [online["id"]]
    assert set(await find(country="Germany")) == {berlin["id"], munich["id"]}
    assert await find(country="AU", event_type="online") == [online["id"]]
    assert await find(venue_city="münchen") == [munich["id"]]
    assert await find(venue_state="bayern") == [munich["id"]]
    assert await find(venue_country="Australia") == [melbourne["id"]]
    assert await find(currency="chf") == [munich["id"]]
    assert await find(org_id=other["id"]) == [melbourne["id"]]
    assert set(await find(org_id=[other["id"], org["id"]])) == {
        berlin["id"],
        munich["id"],
        online["id"],
        melbourne["id"],
    }
    assert set(await find(q="brass")) == {berlin["id"], melbourne["id"]}
    assert await find(q="brass trombones") == [berlin["id"]], "every word must match"
    assert await find(q="yarra") == [melbourne["id"]], "the venue's city"
    assert await find(q="100%_") == []
    assert await find(order_by="name_asc") == [
        munich["id"],
        berlin["id"],
        melbourne["id"],
        online["id"],
    ]
    assert await find(order_by="name_desc") == [
        online["id"],
        melbourne["id"],
        berlin["id"],
        munich["id"],
    ]
    assert await find(order_by="created_asc") == [
        berlin["id"],
        munich["id"],
        online["id"],
        melbourne["id"],
    ]

    pages: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"order_by": "created_desc", "limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/v1/events", params=params)).json()
        pages += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert pages == [melbourne["id"], online["id"], munich["id"], berlin["id"]]

    await client.post(f"/v1/events/{munich['id']}/live", headers=owner.headers)
    await client.post(f"/v1/events/{online['id']}/cancel", headers=owner.headers)
    assert await find(status="live") == [munich["id"]]
    assert await find(status="cancelled") == [online["id"]]
    assert set(await find(status="published")) == {berlin["id"], melbourne["id"]}

    for bad in (
        {"status": "sleeping"},
        {"time_filter": "someday"},
        {"country": "Atlantis"},
        {"order_by": "random"},
        {"currency": "XYZ"},
        {"cursor": "garbage"},
    ):
        response = await client.get("/v1/events", params=bad)
        assert response.status_code == 422, bad
        assert response.json()["errors"][0]["field"] == next(iter(bad))


# 10 June 2026 23:30 UTC: Wednesday 16:30 in Los Angeles, Thursday 01:30 in Berlin and
# Thursday 09:30 in Sydney. "Today" is a different day depending on the event's zone.
WHEN = datetime(2026, 6, 10, 23, 30, tzinfo=UTC)
ZONE_EVENTS = {
    "la_tonight": ("America/Los_Angeles", "2026-06-10T19:00"),
    "berlin_thursday": ("Europe/Berlin", "2026-06-11T20:00"),
    "berlin_wednesday": ("Europe/Berlin", "2026-06-10T20:00"),
    "sydney_friday": ("Australia/Sydney", "2026-06-12T10:00"),
    "sydney_saturday": ("Australia/Sydney", "2026-06-13T19:00"),
    "la_next_saturday": ("America/Los_Angeles", "2026-06-20T19:00"),
    "berlin_july": ("Europe/Berlin", "2026-07-03T20:00"),
    "berlin_2027": ("Europe/Berlin", "2027-02-05T20:00"),
}
EXPECTED = {
    "today": {"la_tonight", "berlin_thursday"},
    "tomorrow": {"sydney_friday"},
    "this_weekend": {"sydney_saturday"},
    "this_week": {
        "la_tonight",
        "berlin_thursday",
        "berlin_wednesday",
        "sydney_friday",
        "sydney_saturday",
    },
    "next_week": {"la_next_saturday"},
    "next_weekend": {"la_next_saturday"},
    "this_month": {
        "la_tonight",
        "berlin_thursday",
        "berlin_wednesday",
        "sydney_friday",
        "sydney_saturday",
        "la_next_saturday",
    },
    "next_month": {"berlin_july"},
    "this_year": set(ZONE_EVENTS) - {"berlin_2027"},
    "next_year": {"berlin_2027"},
}


async def test_time_filters_use_each_events_zone(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    made: dict[str, str] = {}
    with clock.use(clock.FrozenClock(datetime(2026, 6, 1, tzinfo=UTC))):
        for name, (zone, start) in ZONE_EVENTS.items():
            event = await published_event(
                client,
                owner,
                org["id"],
                name=name,
                timezone=zone,
                venue=VENUE,
                occurrence={"type": "single", "starts_on": start, "duration_minutes": 120},
            )
            made[event["id"]] = name
    with clock.use(clock.FrozenClock(WHEN)):
        for period, expected in EXPECTED.items():
            found = ids(await client.get("/v1/events", params={"time_filter": period}))
            assert {made[i] for i in found} == expected, period


async def test_related_events_and_suggestions(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    rival_owner = await signed_up(client, "rival")
    rival = await create_org(client, rival_owner, "Rival Hall")
    base = await published_event(client, owner, org["id"], name="Jazz I", category="jazz")
    same_all = await published_event(client, owner, org["id"], name="Jazz II", category="jazz")
    same_org = await published_event(
        client, owner, org["id"], name="Poetry", category="words", venue=venue_in("Hamburg", "DE")
    )
    same_city = await published_event(
        client, rival_owner, rival["id"], name="Rock", category="rock"
    )
    await create_event(client, owner, org["id"], name="Jazz draft", category="jazz")
    unrelated = await published_event(
        client, rival_owner, rival["id"], name="Far", category="x", venue=venue_in("Lisbon", "PT")
    )
    cancelled = await published_event(client, owner, org["id"], name="Jazz off", category="jazz")
    await client.post(f"/v1/events/{cancelled['id']}/cancel", headers=owner.headers)

    related = ids_of(await client.get(f"/v1/events/{base['id']}/related"))
    assert related[0] == same_all["id"], "shares organisation, category and city"
    assert set(related) == {same_all["id"], same_org["id"], same_city["id"]}
    assert unrelated["id"] not in related
    assert (
        len(ids_of(await client.get(f"/v1/events/{base['id']}/related", params={"limit": 1}))) == 1
    )

    fan = await signed_up(client, "fan")
    loyal = await signed_up(client, "loyal")
    for person, event in ((fan, same_org), (loyal, same_org), (loyal, same_all), (fan, base)):
        await client.post(f"/v1/events/{event['id']}/saves", headers=person.headers)
    await client.post(f"/v1/events/{same_all['id']}/shares", headers=loyal.headers)
    outsider = await signed_up(client, "outsider")
    await client.post(f"/v1/events/{same_city['id']}/saves", headers=outsider.headers)
    people = await client.get(f"/v1/events/{base['id']}/suggestions", headers=owner.headers)
    assert people.status_code == 200, people.text
    # Loyal engaged three times with the organisation's other events; fan already saved this
    # one; the rival's audience is not ours to see.
    assert [(p["account"]["id"], p["score"]) for p in people.json()] == [(loyal.id, 3)]
    assert (
        await client.get(f"/v1/events/{base['id']}/suggestions", headers=fan.headers)
    ).status_code == 404

    suggested = await client.get("/v1/me/event-suggestions", headers=outsider.headers)
    assert same_city["id"] not in ids_of(suggested), "already saved"
    assert base["id"] in ids_of(suggested), "same city as what they saved"


def ids_of(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [e["id"] for e in response.json()]


async def test_a_page_from_many_organisations_costs_what_a_page_from_one_does(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    async def page_statements() -> tuple[list[dict[str, Any]], int]:
        with statements(runtime) as sent:
            response = await client.get("/v1/events")
        assert response.status_code == 200, response.text
        return response.json()["items"], len(sent)

    owners = [await signed_up(client, f"owner{n}") for n in range(3)]
    orgs = [await create_org(client, owner) for owner in owners]
    await published_event(client, owners[0], orgs[0]["id"], name="First")
    _, one_org = await page_statements()
    for owner, org in zip(owners[1:], orgs[1:], strict=True):
        await published_event(client, owner, org["id"], name=f"Of {org['name']}")
    hides = await client.patch(
        f"/v1/orgs/{orgs[2]['id']}/privacy-settings",
        headers=owners[2].headers,
        json={"hide_reviews_on_my_organisation_profile": True},
    )
    assert hides.status_code == 200, hides.text
    items, three_orgs = await page_statements()
    assert three_orgs == one_org, "organisations are read for the whole page at once"
    by_org = {e["org_id"]: e for e in items}
    assert set(by_org) == {org["id"] for org in orgs}
    assert by_org[orgs[2]["id"]]["metrics"]["review_count"] is None, "its own privacy"
    assert [by_org[org["id"]]["metrics"]["review_count"] for org in orgs[:2]] == [0, 0]
