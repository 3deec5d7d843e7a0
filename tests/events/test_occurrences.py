"""Stored occurrences: a bounded horizon moved forward by a job; rule and zone edits re-derive
future rows only; rows with sessions or sales are never dropped."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.db import unit_of_work
from livehouse.core.models import OutboxJob
from livehouse.core.runtime import Runtime
from livehouse.events import hooks, occurrences
from livehouse.events.models import Event
from tests.support.auth import create_org, signed_up
from tests.support.events import event_body, occurrences_of
from tests.support.outbox import described, drain_outbox, outbox_rows

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday


def weekly(count: int, **extra: Any) -> dict[str, Any]:
    return {
        "type": "weekly",
        "starts_on": "2026-01-08T20:00",
        "duration_minutes": 120,
        "days": ["thursday"],
        "ends": {"after": count},
        **extra,
    }


async def test_horizon_moves_forward_with_time(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.settings, "events_occurrence_horizon_days", 60)
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    with clock.use(clock.FrozenClock(NOW)) as now:
        created = await client.post(
            f"/v1/orgs/{org['id']}/events",
            json=event_body(occurrence=weekly(20)),
            headers=owner.headers,
        )
        event = created.json()
        rows = await occurrences_of(client, event["id"], owner.headers)
        # 60 days from the first upcoming one (8 Jan): up to 5 March.
        assert [r["starts"]["local"][:10] for r in rows][-1] == "2026-03-05" and len(rows) == 9
        assert event["ends"]["local"][:10] == "2026-05-21", "the span covers the whole rule"
        first_ids = [r["id"] for r in rows]

        now.advance(days=8)  # 13 January: the weekly horizon job is due
        await drain_outbox(runtime)
        rows = await occurrences_of(client, event["id"], owner.headers)
        assert [r["id"] for r in rows[:9]] == first_ids, "existing rows are kept"
        jobs = described(await outbox_rows(runtime))  # (what went wrong, should it fail again)
        assert rows[-1]["starts"]["local"][:10] == "2026-03-12" and len(rows) == 10, jobs

        for _ in range(15):  # the job keeps running weekly while the rule reaches further
            now.advance(days=7)
            await drain_outbox(runtime)
        rows = await occurrences_of(client, event["id"], owner.headers)
        assert len(rows) == 20 and rows[-1]["starts"]["local"][:10] == "2026-05-21"


async def test_the_horizon_job_is_due_by_the_reading_of_the_clock_that_decided_it(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The job once read the clock again for its due time. When the clock had moved in between
    (a test moving it while a job ran), the next job was due a week after the *later* reading
    and the horizon skipped a week (test_horizon_moves_forward_with_time, now and then in CI)."""
    monkeypatch.setattr(runtime.settings, "events_occurrence_horizon_days", 60)
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    ticking = clock.FrozenClock(NOW)

    def tick() -> datetime:
        return ticking.advance(minutes=1)  # every reading a minute later than the last

    with clock.use(tick):
        created = await client.post(
            f"/v1/orgs/{org['id']}/events",
            json=event_body(occurrence=weekly(20)),
            headers=owner.headers,
        )
        assert created.status_code == 201, created.text
    async with unit_of_work(runtime.database, write=False) as session:
        decided = await session.scalar(select(Event.horizon_job_at))
        due = await session.scalar(
            select(OutboxJob.available_at).where(OutboxJob.topic == occurrences.EXTEND_TOPIC)
        )
    assert decided is not None and due == decided


async def test_rule_edits_touch_only_the_future(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    with clock.use(clock.FrozenClock(NOW)) as now:
        event = (
            await client.post(
                f"/v1/orgs/{org['id']}/events",
                json=event_body(occurrence=weekly(4)),
                headers=owner.headers,
            )
        ).json()
        url = f"/v1/events/{event['id']}"
        before = await occurrences_of(client, event["id"], owner.headers)
        now.advance(days=10)  # 15 January 09:00: the 8 January show is history

        longer = await client.patch(
            url, headers=owner.headers, json={"occurrence": weekly(4, duration_minutes=150)}
        )
        assert longer.status_code == 200, longer.text
        rows = await occurrences_of(client, event["id"], owner.headers)
        assert [r["id"] for r in rows] == [r["id"] for r in before], "same rows, new ends"
        assert rows[0]["ends"] == before[0]["ends"], "the past is not rewritten"
        assert rows[1]["ends"]["local"] == "2026-01-15T22:30:00+01:00"

        later = await client.patch(
            url,
            headers=owner.headers,
            json={"occurrence": weekly(4, starts_on="2026-01-08T21:00")},
        )
        assert later.status_code == 200, later.text
        rows = await occurrences_of(client, event["id"], owner.headers)
        assert [r["starts"]["local"][11:16] for r in rows] == ["20:00", "21:00", "21:00", "21:00"]
        assert rows[0]["id"] == before[0]["id"]

        moved = await client.patch(url, headers=owner.headers, json={"timezone": "Europe/London"})
        assert moved.status_code == 200, moved.text
        rows = await occurrences_of(client, event["id"], owner.headers)
        # Wall-clock times stay (21:00 in London now), so the instants move by an hour.
        assert rows[1]["starts"] == {
            "local": "2026-01-15T21:00:00Z",
            "utc": "2026-01-15T21:00:00Z",
        }
        assert rows[0]["starts"]["utc"] == before[0]["starts"]["utc"]


async def test_occurrences_with_sessions_or_sales_are_kept(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    with clock.use(clock.FrozenClock(NOW)):
        event = (
            await client.post(
                f"/v1/orgs/{org['id']}/events",
                json=event_body(occurrence=weekly(4)),
                headers=owner.headers,
            )
        ).json()
        url = f"/v1/events/{event['id']}"
        session = await client.post(
            url + "/sessions",
            headers=owner.headers,
            json={"name": "Set", "starts_on": "2026-01-15T21:00", "ends_on": "2026-01-15T21:50"},
        )
        assert session.status_code == 201, session.text
        dropped = await client.patch(
            url, headers=owner.headers, json={"occurrence": weekly(4, exclusions=["2026-01-15"])}
        )
        assert dropped.status_code == 409, dropped.text
        assert dropped.json()["occurrences"][0]["reason"] == "has sessions"
        assert "2026-01-15T20:00:00" in dropped.json()["detail"]
        shorter = await client.patch(
            url, headers=owner.headers, json={"occurrence": weekly(4, duration_minutes=60)}
        )
        assert shorter.status_code == 409 and "ending after its new end" in shorter.text
        assert (await client.get(url, headers=owner.headers)).json()["occurrence"] == event[
            "occurrence"
        ]

        async def everything_sold(session: AsyncSession, ids: list[int]) -> set[int]:
            return set(ids)

        with hooks.occurrences_with_sales.use(everything_sold):
            fewer = await client.patch(url, headers=owner.headers, json={"occurrence": weekly(3)})
            assert fewer.status_code == 409 and "has sales" in fewer.text
            # Sold occurrences may still change their end (nothing is removed).
            ok = await client.patch(
                url, headers=owner.headers, json={"occurrence": weekly(4, duration_minutes=150)}
            )
            assert ok.status_code == 200, ok.text
        fewer = await client.patch(url, headers=owner.headers, json={"occurrence": weekly(3)})
        assert fewer.status_code == 200, "nothing sold, no session on the 29th"
        assert len(await occurrences_of(client, event["id"], owner.headers)) == 3
