"""Occurrence rules through the API: expanded with dateutil in the event's zone, wall-clock times
kept across DST, monthly by day number and by weekday, exclusions, ends on a date or after N,
explicit schedules — and bad combinations refused with the field named."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from livehouse.core import clock
from tests.support.auth import Person, create_org, signed_up
from tests.support.events import event_body, occurrences_of

# Before the 2026 rules below begin: every occurrence is upcoming, hence stored.
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


async def organiser(client: httpx.AsyncClient) -> tuple[Person, dict[str, Any]]:
    # Signed in before the clock is frozen: access tokens are checked against real time.
    owner = await signed_up(client, "owner")
    return owner, await create_org(client, owner)


async def make(
    client: httpx.AsyncClient, owner: Person, org: dict[str, Any], rule: dict[str, Any], **kw: Any
) -> httpx.Response:
    return await client.post(
        f"/v1/orgs/{org['id']}/events",
        json=event_body(occurrence=rule, **kw),
        headers=owner.headers,
    )


async def starts(client: httpx.AsyncClient, owner: Person, event: dict[str, Any]) -> list[tuple]:
    rows = await occurrences_of(client, event["id"], owner.headers)
    return [(o["starts"]["local"], o["starts"]["utc"]) for o in rows]


async def test_weekly_show_keeps_its_wall_clock_time_across_dst(
    client: httpx.AsyncClient,
) -> None:
    owner, org = await organiser(client)
    with clock.use(clock.FrozenClock(NOW)):
        spring = await make(
            client,
            owner,
            org,
            {
                "type": "weekly",
                "starts_on": "2026-03-15T20:00",
                "duration_minutes": 120,
                "days": ["sunday"],
                "ends": {"after": 3},
            },
        )
        assert spring.status_code == 201, spring.text
        # Clocks go forward on Sunday 29 March 2026 (last Sunday of March), at 02:00.
        assert await starts(client, owner, spring.json()) == [
            ("2026-03-15T20:00:00+01:00", "2026-03-15T19:00:00Z"),
            ("2026-03-22T20:00:00+01:00", "2026-03-22T19:00:00Z"),
            ("2026-03-29T20:00:00+02:00", "2026-03-29T18:00:00Z"),
        ]
        autumn = await make(
            client,
            owner,
            org,
            {
                "type": "weekly",
                "starts_on": "2026-10-18T20:00",
                "duration_minutes": 120,
                "days": ["sunday"],
                "ends": {"on": "2026-11-01"},
            },
        )
        # Clocks go back on Sunday 25 October 2026 (last Sunday of October).
        assert await starts(client, owner, autumn.json()) == [
            ("2026-10-18T20:00:00+02:00", "2026-10-18T18:00:00Z"),
            ("2026-10-25T20:00:00+01:00", "2026-10-25T19:00:00Z"),
            ("2026-11-01T20:00:00+01:00", "2026-11-01T19:00:00Z"),
        ]
        event = autumn.json()
        assert event["ends"]["local"] == "2026-11-01T22:00:00+01:00"


async def test_times_that_do_not_exist_or_happen_twice(client: httpx.AsyncClient) -> None:
    owner, org = await organiser(client)
    with clock.use(clock.FrozenClock(NOW)):
        gap = await make(
            client,
            owner,
            org,
            {
                "type": "daily",
                "starts_on": "2026-03-28T02:30",
                "duration_minutes": 60,
                "ends": {"after": 3},
            },
        )
        # 02:30 does not exist on 29 March in Berlin: it moves forward by the gap, to 03:30.
        assert [local for local, _ in await starts(client, owner, gap.json())] == [
            "2026-03-28T02:30:00+01:00",
            "2026-03-29T03:30:00+02:00",
            "2026-03-30T02:30:00+02:00",
        ]
        overlap = await make(
            client,
            owner,
            org,
            {"type": "single", "starts_on": "2026-10-25T02:30", "duration_minutes": 60},
        )
        # 02:30 happens twice on 25 October: the first (summer time) is meant. One elapsed hour.
        event = overlap.json()
        assert event["starts"] == {
            "local": "2026-10-25T02:30:00+02:00",
            "utc": "2026-10-25T00:30:00Z",
        }
        assert event["ends"] == {
            "local": "2026-10-25T02:30:00+01:00",
            "utc": "2026-10-25T01:30:00Z",
        }


async def test_monthly_last_friday_and_day_number(client: httpx.AsyncClient) -> None:
    owner, org = await organiser(client)
    with clock.use(clock.FrozenClock(NOW)):
        last_friday = await make(
            client,
            owner,
            org,
            {
                "type": "monthly",
                "starts_on": "2026-01-30T21:00",
                "duration_minutes": 180,
                "monthly_by": "weekday",
                "week_of_month": -1,
                "weekday": "friday",
                "ends": {"after": 5},
            },
        )
        assert last_friday.status_code == 201, last_friday.text
        assert [local for local, _ in await starts(client, owner, last_friday.json())] == [
            "2026-01-30T21:00:00+01:00",
            "2026-02-27T21:00:00+01:00",
            "2026-03-27T21:00:00+01:00",
            "2026-04-24T21:00:00+02:00",
            "2026-05-29T21:00:00+02:00",
        ]
        second_tuesday = await make(
            client,
            owner,
            org,
            # 10 February 2026 is the second Tuesday: the rule is derived from the start.
            {
                "type": "monthly",
                "starts_on": "2026-02-10T19:00",
                "duration_minutes": 90,
                "monthly_by": "weekday",
                "ends": {"after": 3},
            },
        )
        rule = second_tuesday.json()["occurrence"]
        assert (rule["week_of_month"], rule["weekday"]) == (2, "tuesday")
        assert [local[:10] for local, _ in await starts(client, owner, second_tuesday.json())] == [
            "2026-02-10",
            "2026-03-10",
            "2026-04-14",
        ]
        on_the_31st = await make(
            client,
            owner,
            org,
            {
                "type": "monthly",
                "starts_on": "2026-01-31T18:00",
                "duration_minutes": 60,
                "ends": {"on": "2026-05-31"},
            },
        )
        # RFC 5545: months without a 31st are skipped.
        assert [local[:10] for local, _ in await starts(client, owner, on_the_31st.json())] == [
            "2026-01-31",
            "2026-03-31",
            "2026-05-31",
        ]


async def test_exclusions_and_ends_after_n(client: httpx.AsyncClient) -> None:
    owner, org = await organiser(client)
    with clock.use(clock.FrozenClock(NOW)):
        response = await make(
            client,
            owner,
            org,
            {
                "type": "weekly",
                "starts_on": "2026-03-02T18:00",
                "duration_minutes": 60,
                "days": ["monday", "thursday"],
                "interval": 2,
                "ends": {"after": 6},
                "exclusions": ["2026-03-05", "2026-03-16T18:00"],
            },
        )
        assert response.status_code == 201, response.text
        # Every other week on Monday and Thursday; 6 in all, of which 2 are excluded.
        assert [local[:10] for local, _ in await starts(client, owner, response.json())] == [
            "2026-03-02",
            "2026-03-19",
            "2026-03-30",
            "2026-04-02",
        ]


async def test_explicit_schedule(client: httpx.AsyncClient) -> None:
    owner, org = await organiser(client)
    with clock.use(clock.FrozenClock(NOW)):
        response = await make(
            client,
            owner,
            org,
            {
                "type": "schedule",
                "schedule": [
                    {"starts_on": "2026-06-12T19:00", "duration_minutes": 90},
                    {"starts_on": "2026-06-05T20:00+00:00", "duration_minutes": 60},
                ],
            },
        )
        assert response.status_code == 201, response.text
        event = response.json()
        assert event["occurrence"]["schedule"][0]["starts_on"] == "2026-06-05T22:00:00"
        rows = await occurrences_of(client, event["id"], owner.headers)
        assert [(o["starts"]["local"], o["ends"]["local"]) for o in rows] == [
            ("2026-06-05T22:00:00+02:00", "2026-06-05T23:00:00+02:00"),
            ("2026-06-12T19:00:00+02:00", "2026-06-12T20:30:00+02:00"),
        ]
        # Query bounds without an offset are local times too.
        later = await client.get(
            f"/v1/events/{event['id']}/occurrences",
            headers=owner.headers,
            params={"starts_from": "2026-06-05T22:00", "starts_before": "2026-06-12T19:00"},
        )
        assert [o["starts"]["local"] for o in later.json()["items"]] == [
            "2026-06-05T22:00:00+02:00"
        ]


RECURRING = {"starts_on": "2026-03-02T18:00", "duration_minutes": 60}
BAD_RULES: list[tuple[dict[str, Any], str, str]] = [
    ({"type": "weekly", **RECURRING}, "occurrence.ends", "must end"),
    (
        {"type": "daily", **RECURRING, "ends": {"after": 2, "on": "2026-04-01"}},
        "occurrence.ends",
        "not both",
    ),
    ({"type": "daily", **RECURRING, "ends": {}}, "occurrence.ends", "either"),
    ({"type": "daily", **RECURRING, "ends": {"on": "2026-03-01"}}, "occurrence.ends.on", "before"),
    ({"type": "single", **RECURRING, "days": ["monday"]}, "occurrence.days", "single"),
    ({"type": "single", **RECURRING, "ends": {"after": 2}}, "occurrence.ends", "single"),
    (
        {"type": "daily", **RECURRING, "ends": {"after": 2}, "days": ["monday"]},
        "occurrence.days",
        "daily",
    ),
    (
        {"type": "weekly", **RECURRING, "ends": {"after": 2}, "days": ["monday", "monday"]},
        "occurrence.days",
        "once",
    ),
    (
        {"type": "weekly", **RECURRING, "ends": {"after": 2}, "days": ["funday"]},
        "occurrence.days.0",
        "",
    ),
    (
        {
            "type": "monthly",
            **RECURRING,
            "ends": {"after": 2},
            "monthly_by": "day_number",
            "weekday": "friday",
        },
        "occurrence.monthly_by",
        "weekday",
    ),
    (
        {
            "type": "monthly",
            **RECURRING,
            "ends": {"after": 2},
            "monthly_by": "weekday",
            "day_of_month": 3,
        },
        "occurrence.day_of_month",
        "day_number",
    ),
    (
        {"type": "monthly", **RECURRING, "ends": {"after": 2}, "week_of_month": 0},
        "occurrence.week_of_month",
        "1-5",
    ),
    ({"type": "schedule", **RECURRING}, "occurrence.starts_on", "schedule"),
    (
        {
            "type": "schedule",
            "schedule": [{"starts_on": "2026-03-02T18:00", "duration_minutes": 60}] * 2,
        },
        "occurrence.schedule.1.starts_on",
        "twice",
    ),
    (
        {"type": "daily", "duration_minutes": 60, "ends": {"after": 2}},
        "occurrence.starts_on",
        "start",
    ),
    (
        {"type": "single", "starts_on": "2026-03-02T18:00"},
        "occurrence.duration_minutes",
        "required",
    ),
    ({"type": "single", **RECURRING, "duration_minutes": 0}, "occurrence.duration_minutes", ""),
    ({"type": "daily", **RECURRING, "ends": {"after": 1001}}, "occurrence.ends", "more than 1000"),
    (
        {"type": "daily", **RECURRING, "ends": {"on": "2030-01-01"}},
        "occurrence.ends",
        "more than 1000",
    ),
    (
        {"type": "daily", **RECURRING, "ends": {"after": 3}, "exclusions": ["2026-03-09"]},
        "occurrence.exclusions.0",
        "no occurrence",
    ),
    (
        {"type": "daily", **RECURRING, "ends": {"after": 3}, "exclusions": ["2026-03-03T19:00"]},
        "occurrence.exclusions.0",
        "no occurrence",
    ),
    (
        {"type": "daily", **RECURRING, "ends": {"after": 1}, "exclusions": ["2026-03-02"]},
        "occurrence",
        "no occurrence",
    ),
    ({"type": "hourly", **RECURRING}, "occurrence.type", ""),
]


@pytest.mark.parametrize(("rule", "field", "words"), BAD_RULES)
async def test_bad_rules(
    client: httpx.AsyncClient, rule: dict[str, Any], field: str, words: str
) -> None:
    owner, org = await organiser(client)
    with clock.use(clock.FrozenClock(NOW)):
        response = await make(client, owner, org, rule)
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert error["field"] == field and words in error["message"], error
    listing = await client.get(f"/v1/orgs/{org['id']}/events", headers=owner.headers)
    assert listing.json()["items"] == []
