"""Tenancy classification of the events routes. Builders make tenant A's resources through the
API, afresh for every call (the test calls each route several times)."""

from __future__ import annotations

from typing import Any

from tests.support.events import create_event, event_body, local
from tests.support.tenancy import World, org_of_a, rule


async def draft_of_a(world: World) -> dict[str, str]:
    event = await create_event(world.client, world.a.owner, world.a.org["id"])
    return {"event_id": event["id"]}


async def published_of_a(world: World) -> dict[str, str]:
    params = await draft_of_a(world)
    response = await world.client.post(
        f"/v1/events/{params['event_id']}/publish", headers=world.a.owner.headers
    )
    assert response.status_code == 200, response.text
    return params


async def live_of_a(world: World) -> dict[str, str]:
    params = await published_of_a(world)
    response = await world.client.post(
        f"/v1/events/{params['event_id']}/live", headers=world.a.owner.headers
    )
    assert response.status_code == 200, response.text
    return params


def session_body(world: World | None = None) -> dict[str, Any]:
    # Inside the default single occurrence (30 days ahead, 20:00-23:00 local).
    return {"name": "Opening set", "starts_on": local(30, 20, 30), "ends_on": local(30, 21, 30)}


async def session_of_a(world: World) -> dict[str, str]:
    params = await draft_of_a(world)
    response = await world.client.post(
        f"/v1/events/{params['event_id']}/sessions",
        json=session_body(),
        headers=world.a.owner.headers,
    )
    assert response.status_code == 201, response.text
    return {**params, "session_id": response.json()["id"]}


async def speaker_of_a(world: World) -> dict[str, str]:
    params = await draft_of_a(world)
    response = await world.client.post(
        f"/v1/events/{params['event_id']}/speakers",
        json={"email": "speaker@example.com", "name": "Sam Speaker"},
        headers=world.a.owner.headers,
    )
    assert response.status_code == 201, response.text
    return {**params, "speaker_id": response.json()["id"]}


EVENT = "/v1/events/{event_id}"

# managing an organisation's events
rule("POST", "/v1/orgs/{org_id}/events", "tenant", params=org_of_a, body=lambda w: event_body())
rule("GET", "/v1/orgs/{org_id}/events", "tenant", params=org_of_a)
rule("PATCH", EVENT, "tenant", params=draft_of_a, body={"description": "pwned"})
rule("DELETE", EVENT, "tenant", params=draft_of_a)
rule("POST", EVENT + "/duplicate", "tenant", params=draft_of_a)
rule("POST", EVENT + "/publish", "tenant", params=draft_of_a)
rule("POST", EVENT + "/unpublish", "tenant", params=published_of_a)
rule("POST", EVENT + "/live", "tenant", params=published_of_a)
rule("DELETE", EVENT + "/live", "tenant", params=live_of_a)
rule("POST", EVENT + "/end", "tenant", params=published_of_a)
rule("POST", EVENT + "/cancel", "tenant", params=published_of_a, body={"reason": "pwned"})
rule("GET", EVENT + "/suggestions", "tenant", params=published_of_a)
rule("POST", EVENT + "/suspend", "platform", params=published_of_a, body={"reason": "spam"})
rule("POST", EVENT + "/unsuspend", "platform", params=published_of_a)

# reading: published events are public; drafts answer 404 to outsiders (tests/events)
rule("GET", "/v1/events", "public", why="the public catalogue")
rule("GET", EVENT, "public", why="a published event's page")
rule("GET", EVENT + "/occurrences", "public", why="when a visible event takes place")
rule("GET", EVENT + "/related", "public", why="other public events")

# sessions and speakers
rule("GET", EVENT + "/sessions", "public", why="a visible event's programme")
rule("POST", EVENT + "/sessions", "tenant", params=draft_of_a, body=session_body)
rule("GET", EVENT + "/sessions/{session_id}", "public", why="a visible event's programme")
rule("PATCH", EVENT + "/sessions/{session_id}", "tenant", params=session_of_a, body={"name": "x"})
rule("DELETE", EVENT + "/sessions/{session_id}", "tenant", params=session_of_a)
rule("GET", EVENT + "/speakers", "public", why="accepted speakers of a visible event")
rule(
    "POST",
    EVENT + "/speakers",
    "tenant",
    params=draft_of_a,
    body={"email": "intruder@example.com", "name": "Intruder"},
)
rule("GET", EVENT + "/speakers/{speaker_id}", "public", why="an accepted speaker")
rule("PATCH", EVENT + "/speakers/{speaker_id}", "tenant", params=speaker_of_a, body={"bio": "x"})
rule("DELETE", EVENT + "/speakers/{speaker_id}", "tenant", params=speaker_of_a)
rule("POST", EVENT + "/speakers/{speaker_id}/resend-invite", "tenant", params=speaker_of_a)
rule(
    "POST",
    EVENT + "/speakers/{speaker_id}/accept",
    "self",
    why="binds the invitation (token + the caller's own e-mail) to the caller",
)

# saves, shares, reviews: people act on their own records; organisers list them
rule("POST", EVENT + "/saves", "self", why="the caller's own save of a visible event")
rule("DELETE", EVENT + "/saves/{save_id}", "self", why="only the caller's own save")
rule("GET", EVENT + "/saves", "tenant", params=published_of_a)
rule("GET", "/v1/me/saves", "self")
rule("GET", "/v1/me/event-suggestions", "self")
rule("POST", EVENT + "/shares", "self", why="the caller's own share record")
rule("DELETE", EVENT + "/shares/{share_id}", "self", why="only the caller's own share")
rule("GET", EVENT + "/shares", "tenant", params=published_of_a)
rule("GET", EVENT + "/reviews", "public", why="a visible event's reviews")
rule("POST", EVENT + "/reviews", "self", why="the caller's own review")
rule("PATCH", EVENT + "/reviews/{review_id}", "self", why="only the caller's own review")
rule("DELETE", EVENT + "/reviews/{review_id}", "self", why="only the caller's own review")

# organisation metrics and activities
rule("GET", "/v1/orgs/{org_id}/metrics", "public", why="review counts shown on org profiles")
rule("GET", "/v1/orgs/{org_id}/activities", "tenant", params=org_of_a)
