"""Sessions: within one occurrence of their event, starting in the future, ending after they
start; names and descriptions bounded; the programme of a visible event is public."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.events import hooks
from tests.support.auth import create_org, signed_up
from tests.support.events import create_event, event_body, local


async def test_sessions_live_inside_an_occurrence(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    with clock.use(clock.FrozenClock(now)):
        created = await client.post(
            f"/v1/orgs/{org['id']}/events",
            headers=owner.headers,
            json=event_body(
                occurrence={
                    "type": "daily",
                    "starts_on": "2026-02-01T18:00",
                    "duration_minutes": 240,
                    "ends": {"after": 2},
                }
            ),
        )
        event = created.json()
        url = f"/v1/events/{event['id']}/sessions"
        first = await client.post(
            url,
            headers=owner.headers,
            json={
                "name": "Keynote",
                "description": "Opening words",
                "image": "https://cdn.example/k.jpg",
                "starts_on": "2026-02-02T18:30",
                "ends_on": "2026-02-02T19:30",
                "sold_individually": True,
            },
        )
        assert first.status_code == 201, first.text
        keynote = first.json()
        assert keynote["starts"] == {
            "local": "2026-02-02T18:30:00+01:00",
            "utc": "2026-02-02T17:30:00Z",
        }
        assert keynote["sold_individually"] is True
        occurrences = (
            await client.get(f"/v1/events/{event['id']}/occurrences", headers=owner.headers)
        ).json()["items"]
        assert keynote["occurrence_id"] == occurrences[1]["id"], "the second day's occurrence"
        second = await client.post(
            url,
            headers=owner.headers,
            json={"name": "Panel", "starts_on": "2026-02-01T17:30Z", "ends_on": "2026-02-01T19:00"},
        )
        assert second.status_code == 201, second.text
        assert second.json()["occurrence_id"] == occurrences[0]["id"]

        listing = (await client.get(url, headers=owner.headers)).json()["items"]
        assert [s["name"] for s in listing] == ["Panel", "Keynote"], "in time order"
        day_two = await client.get(
            url, headers=owner.headers, params={"occurrence_id": occurrences[1]["id"]}
        )
        assert [s["name"] for s in day_two.json()["items"]] == ["Keynote"]

        moved = await client.patch(
            f"{url}/{keynote['id']}",
            headers=owner.headers,
            json={"starts_on": "2026-02-01T20:00", "ends_on": "2026-02-01T21:00", "name": "Talk"},
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["occurrence_id"] == occurrences[0]["id"]
        assert moved.json()["name"] == "Talk"
        outside = await client.patch(
            f"{url}/{keynote['id']}", headers=owner.headers, json={"ends_on": "2026-02-01T23:00"}
        )
        assert outside.status_code == 422 and outside.json()["errors"][0]["field"] == "starts_on"

        assert (await client.get(url)).status_code == 404, "a draft's programme is not public"
        await client.post(f"/v1/events/{event['id']}/publish", headers=owner.headers)
        public = await client.get(f"{url}/{keynote['id']}")
        assert public.status_code == 200 and public.json()["name"] == "Talk"
        assert (
            await client.delete(f"{url}/{keynote['id']}", headers=owner.headers)
        ).status_code == 204
        assert (await client.get(f"{url}/{keynote['id']}")).status_code == 404


BAD_SESSIONS = [
    ({"name": "x" * 76}, "name", "75"),
    ({"description": "x" * 2501}, "description", "2500"),
    ({"starts_on": local(30, 21), "ends_on": local(30, 20, 30)}, "ends_on", "after it starts"),
    ({"starts_on": local(30, 21), "ends_on": local(30, 21)}, "ends_on", "after it starts"),
    ({"starts_on": local(30, 22), "ends_on": local(30, 23, 30)}, "starts_on", "within"),
    ({"starts_on": local(31, 20), "ends_on": local(31, 21)}, "starts_on", "within"),
    ({"image": "javascript:alert(1)"}, "image", ""),
    ({"starts_on": "yesterday"}, "starts_on", ""),
]


@pytest.mark.parametrize(("fields", "field", "words"), BAD_SESSIONS)
async def test_bad_sessions(
    client: httpx.AsyncClient, fields: dict, field: str, words: str
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    event = await create_event(client, owner, org["id"])  # 30 days ahead, 20:00-23:00 local
    body = {"name": "Set", "starts_on": local(30, 20, 30), "ends_on": local(30, 21), **fields}
    url = f"/v1/events/{event['id']}/sessions"
    response = await client.post(url, headers=owner.headers, json=body)
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert error["field"] == field and words in error["message"], error
    assert (await client.get(url, headers=owner.headers)).json()["items"] == []


async def test_sessions_must_start_in_the_future(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    now = datetime(2026, 2, 1, 18, 0, tzinfo=UTC)  # 19:00 in Berlin, an hour into the show
    with clock.use(clock.FrozenClock(datetime(2026, 1, 5, tzinfo=UTC))) as frozen:
        event = (
            await client.post(
                f"/v1/orgs/{org['id']}/events",
                headers=owner.headers,
                json=event_body(
                    occurrence={
                        "type": "single",
                        "starts_on": "2026-02-01T18:00",
                        "duration_minutes": 240,
                    }
                ),
            )
        ).json()
        frozen.current = now
        late = await client.post(
            f"/v1/events/{event['id']}/sessions",
            headers=owner.headers,
            json={"name": "Late", "starts_on": "2026-02-01T18:30", "ends_on": "2026-02-01T19:30"},
        )
        assert late.status_code == 422 and late.json()["errors"][0]["field"] == "starts_on"
        assert "future" in late.json()["errors"][0]["message"]
        ok = await client.post(
            f"/v1/events/{event['id']}/sessions",
            headers=owner.headers,
            json={"name": "Encore", "starts_on": "2026-02-01T21:00", "ends_on": "2026-02-01T21:30"},
        )
        assert ok.status_code == 201, ok.text


async def test_sessions_with_sales_stay_put(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    event = await create_event(
        client,
        owner,
        org["id"],
        occurrence={
            "type": "daily",
            "starts_on": local(30, 20),
            "duration_minutes": 180,
            "ends": {"after": 2},
        },
    )
    url = f"/v1/events/{event['id']}/sessions"
    made = await client.post(
        url,
        headers=owner.headers,
        json={"name": "Set", "starts_on": local(30, 20, 30), "ends_on": local(30, 21)},
    )
    item = f"{url}/{made.json()['id']}"

    async def sold(session: AsyncSession, ids: list[int]) -> set[int]:
        return set(ids)

    with hooks.sessions_with_sales.use(sold):
        assert (await client.delete(item, headers=owner.headers)).status_code == 409
        moved = await client.patch(
            item,
            headers=owner.headers,
            json={"starts_on": local(31, 20, 30), "ends_on": local(31, 21)},
        )
        assert moved.status_code == 409 and "another occurrence" in moved.json()["detail"]
        same_night = await client.patch(
            item, headers=owner.headers, json={"starts_on": local(30, 21), "ends_on": local(30, 22)}
        )
        assert same_night.status_code == 200, "moving within its occurrence is fine"
    assert (await client.delete(item, headers=owner.headers)).status_code == 204
