"""Helpers that drive events through the HTTP API, as an organiser's app would."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from livehouse.core import clock
from tests.support.auth import Person

VENUE: dict[str, Any] = {
    "name": "Kesselhaus",
    "address": {
        "address_line1": "Schönhauser Allee 36",
        "city": "Berlin",
        "post_code": "10435",
        "country": "DE",
    },
    "latitude": 52.539,
    "longitude": 13.412,
    "url": "https://kesselhaus.example/",
}
ONLINE: dict[str, Any] = {"stream_url": "https://stream.example/live/abc", "platform": "livehouse"}


def local(days: int = 30, hour: int = 20, minute: int = 0) -> str:
    """A wall-clock time `days` from now (by livehouse's clock), as the API takes it."""
    day = (clock.now() + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, minute).isoformat()


def single(days: int = 30, hour: int = 20, minutes: int = 180) -> dict[str, Any]:
    return {"type": "single", "starts_on": local(days, hour), "duration_minutes": minutes}


def event_body(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Friday Night Jazz",
        "event_type": "venue",
        "timezone": "Europe/Berlin",
        "currency": "EUR",
        "venue": VENUE,
        "occurrence": single(),
    }
    body.update(fields)
    return body


async def create_event(
    client: httpx.AsyncClient, owner: Person, org_id: str, **fields: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/orgs/{org_id}/events", json=event_body(**fields), headers=owner.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def published_event(
    client: httpx.AsyncClient, owner: Person, org_id: str, **fields: Any
) -> dict[str, Any]:
    event = await create_event(client, owner, org_id, **fields)
    response = await client.post(f"/v1/events/{event['id']}/publish", headers=owner.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def occurrences_of(
    client: httpx.AsyncClient, event_id: str, headers: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Every stored occurrence, following the cursor."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 100}
        if cursor:
            params["cursor"] = cursor
        response = await client.get(
            f"/v1/events/{event_id}/occurrences", params=params, headers=headers or {}
        )
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if not cursor:
            return items
