"""Saves, shares, reviews (attendees only: a checker decides; none registered = nobody), the
counts on events, organisation metrics and activities."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.runtime import Runtime
from livehouse.events import hooks
from tests.support.auth import create_org, signed_up
from tests.support.events import create_event, published_event


async def test_saves(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    event = await published_event(client, owner, org["id"])
    url = f"/v1/events/{event['id']}/saves"
    fan = await signed_up(client, "fan", full_name="Frankie Fan")
    first = await client.post(url, headers=fan.headers)
    assert first.status_code == 201, first.text
    again = await client.post(url, headers=fan.headers)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    mine = (await client.get("/v1/me/saves", headers=fan.headers)).json()["items"]
    assert [s["event"]["id"] for s in mine] == [event["id"]]
    assert mine[0]["event"]["metrics"]["saved_count"] == 1
    savers = (await client.get(url, headers=owner.headers)).json()["items"]
    assert savers[0]["account"] == {"id": fan.id, "name": "Frankie Fan"}
    assert (await client.get(url, headers=fan.headers)).status_code == 404, "organisers only"

    other = await signed_up(client, "other")
    save_url = f"{url}/{first.json()['id']}"
    assert (await client.delete(save_url, headers=other.headers)).status_code == 404
    assert (await client.delete(save_url, headers=fan.headers)).status_code == 204
    assert (await client.get("/v1/me/saves", headers=fan.headers)).json()["items"] == []

    draft = await create_event(client, owner, org["id"])
    refused = await client.post(f"/v1/events/{draft['id']}/saves", headers=fan.headers)
    assert refused.status_code == 404, "drafts cannot be seen, so not saved"
    assert (await client.post(url)).status_code == 401


async def test_shares(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    event = await published_event(client, owner, org["id"])
    url = f"/v1/events/{event['id']}/shares"
    fan = await signed_up(client, "fan")
    one = await client.post(url, headers=fan.headers, json={"channel": "whatsapp"})
    two = await client.post(url, headers=fan.headers)
    assert one.status_code == 201 and two.json()["channel"] == "link"
    bad = await client.post(url, headers=fan.headers, json={"channel": "pigeon"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "channel"
    assert (await client.get(f"/v1/events/{event['id']}")).json()["metrics"]["shared_count"] == 2
    shares = (await client.get(url, headers=owner.headers)).json()["items"]
    assert [s["channel"] for s in shares] == ["link", "whatsapp"]
    assert (
        await client.delete(f"{url}/{one.json()['id']}", headers=fan.headers)
    ).status_code == 204
    assert (await client.get(f"/v1/events/{event['id']}")).json()["metrics"]["shared_count"] == 1


async def test_reviews_need_an_eligibility_checker(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    fan = await signed_up(client, "fan", full_name="Frankie Fan")
    stranger = await signed_up(client, "stranger")
    start = clock.now()
    event = await published_event(client, owner, org["id"])  # 30 days ahead
    url = f"/v1/events/{event['id']}/reviews"
    early = await client.post(url, headers=fan.headers, json={"rating": 5})
    assert early.status_code == 409 and "once it has started" in early.json()["detail"]

    with clock.use(clock.FrozenClock(start + timedelta(days=31))):
        with hooks.review_eligibility.only():
            nobody = await client.post(url, headers=fan.headers, json={"rating": 5})
        assert nobody.status_code == 403, "no checker: the safe default is no reviews"

        attended = {fan.id}

        async def attendees_only(session: AsyncSession, event_id: int, account_id: int) -> bool:
            from livehouse.identity.models import Account

            account = await session.get(Account, account_id)
            return account is not None and str(account.public_id) in attended

        with hooks.review_eligibility.only(attendees_only):
            refused = await client.post(url, headers=stranger.headers, json={"rating": 1})
            assert refused.status_code == 403 and "attended" in refused.json()["detail"]
            bad = await client.post(url, headers=fan.headers, json={"rating": 6})
            assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "rating"
            review = await client.post(url, headers=fan.headers, json={"rating": 4, "text": "Fun"})
            assert review.status_code == 201, review.text
            assert review.json()["account"] == {"id": fan.id, "name": "Frankie Fan"}
            twice = await client.post(url, headers=fan.headers, json={"rating": 5})
            assert twice.status_code == 409 and twice.json()["review_id"] == review.json()["id"]
            organiser = await client.post(url, headers=owner.headers, json={"rating": 5})
            assert organiser.status_code == 403

        # Installations without ticketing may open reviews to any signed-in person.
        monkeypatch.setattr(runtime.settings, "events_reviews_without_checker", True)
        with hooks.review_eligibility.only():
            other = await client.post(url, headers=stranger.headers, json={"rating": 1})
        assert other.status_code == 201, other.text

    mine = f"{url}/{review.json()['id']}"
    assert (
        await client.patch(mine, headers=stranger.headers, json={"rating": 5})
    ).status_code == 404
    changed = await client.patch(mine, headers=fan.headers, json={"rating": 3})
    assert changed.status_code == 200 and changed.json()["text"] == "Fun"
    listing = (await client.get(url)).json()["items"]
    assert [r["rating"] for r in listing] == [1, 3], "newest first"
    assert [r["rating"] for r in (await client.get(url, params={"rating": 3})).json()["items"]] == [
        3
    ]
    metrics = (await client.get(f"/v1/events/{event['id']}")).json()["metrics"]
    assert metrics["review_count"] == 2 and metrics["review_rating_average"] == 2.0
    org_metrics = (await client.get(f"/v1/orgs/{org['id']}/metrics")).json()["metrics"]
    assert (org_metrics["review_count"], org_metrics["review_rating_average"]) == (2, 2.0)

    async def followers(session: AsyncSession, org_id: int, viewer: int | None) -> dict:
        return {"follows_me": 7, "followed_by_me": viewer is not None}

    with hooks.org_metrics.use(followers):
        shown = (await client.get(f"/v1/orgs/{org['id']}/metrics", headers=fan.headers)).json()
    assert shown["metrics"]["follows_me"] == 7 and shown["metrics"]["followed_by_me"] is True
    assert (await client.delete(mine, headers=fan.headers)).status_code == 204


async def test_activities(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner, timezone="Europe/Berlin")
    url = f"/v1/orgs/{org['id']}/activities"
    with clock.use(clock.FrozenClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))) as now:
        weekly = await published_event(
            client,
            owner,
            org["id"],
            name="Weekly",
            occurrence={
                "type": "weekly",
                "starts_on": "2026-01-06T20:00",
                "duration_minutes": 60,
                "days": ["tuesday", "friday"],
                "ends": {"after": 8},
            },
        )
        single = await published_event(
            client,
            owner,
            org["id"],
            name="Single",
            occurrence={"type": "single", "starts_on": "2026-01-20T20:00", "duration_minutes": 60},
        )
        await create_event(client, owner, org["id"], name="Draft")
        now.advance(days=14)  # 19 January: four of Weekly's shows have begun

        totals = (await client.get(url, headers=owner.headers)).json()
        assert [e["name"] for e in totals["events"]] == ["Single", "Weekly"], "latest published"
        hosted = next(a for a in totals["activities"] if a["name"] == "events_hosted")
        assert hosted["value"] == 4 and hosted["series"] is None
        sold = next(a for a in totals["activities"] if a["name"] == "tickets_sold")
        assert sold["value"] == 0, "ticketing's counter: nothing sold yet"

        async def tickets(session: AsyncSession, ids: list[int], lo: datetime, hi: datetime):
            return {event_id: 10 for event_id in ids}

        ticketing = hooks.activity_counters.get("tickets_sold")
        hooks.activity_counters.register("tickets_sold")(tickets)
        try:
            weekly_view = await client.get(
                url,
                headers=owner.headers,
                params={
                    "events": [weekly["id"], single["id"]],
                    "start_date": "2026-01-05",
                    "end_date": "2026-01-18",
                    "interval": "weekly",
                    "group_by_event": "true",
                },
            )
        finally:
            hooks.activity_counters.remove("tickets_sold")
            if ticketing is not None:  # put ticketing's own counter back for later tests
                hooks.activity_counters.register("tickets_sold")(ticketing)
        body = weekly_view.json()
        hosted = next(a for a in body["activities"] if a["name"] == "events_hosted")
        assert [(p["start"], p["end"], p["value"]) for p in hosted["series"]] == [
            ("2026-01-05", "2026-01-11", 2),
            ("2026-01-12", "2026-01-18", 2),
        ]
        by_event = {e["event_id"]: e["value"] for e in hosted["by_event"]}
        assert by_event == {weekly["id"]: 4, single["id"]: 0}
        sold = next(a for a in body["activities"] if a["name"] == "tickets_sold")
        assert sold["value"] == 40, "10 per event per weekly bucket"

        for params, field in (
            ({"start_date": "2026-01-10", "end_date": "2026-01-01"}, "end_date"),
            ({"start_date": "2020-01-01", "interval": "daily"}, "interval"),
            ({"events": [org["id"]]}, "events"),
            ({"interval": "hourly"}, "interval"),
        ):
            bad = await client.get(url, headers=owner.headers, params=params)
            assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == field, bad.text


async def test_event_metrics_count_per_event(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    one = await published_event(client, owner, org["id"], name="One")
    two = await published_event(client, owner, org["id"], name="Two")
    fans = [await signed_up(client, f"fan{i}") for i in range(3)]
    for fan in fans:
        await client.post(f"/v1/events/{one['id']}/saves", headers=fan.headers)
    await client.post(f"/v1/events/{two['id']}/saves", headers=fans[0].headers)
    listed = {
        e["name"]: e["metrics"]["saved_count"]
        for e in (await client.get("/v1/events")).json()["items"]
    }
    assert listed == {"One": 3, "Two": 1}


async def test_reviews_follow_the_organisations_privacy(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.settings, "events_reviews_without_checker", True)
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    fan = await signed_up(client, "fan", full_name="Frankie Fan")
    start = clock.now()
    event = await published_event(client, owner, org["id"])
    url = f"/v1/events/{event['id']}/reviews"
    with clock.use(clock.FrozenClock(start + timedelta(days=31))), hooks.review_eligibility.only():
        assert (await client.post(url, headers=fan.headers, json={"rating": 5})).status_code == 201
    settings = f"/v1/orgs/{org['id']}/privacy-settings"

    await client.patch(
        settings, headers=owner.headers, json={"hide_review_interactions_from_public": True}
    )
    public = (await client.get(url)).json()["items"]
    assert public[0]["rating"] == 5 and public[0]["account"] == {"id": None, "name": None}
    team = (await client.get(url, headers=owner.headers)).json()["items"]
    assert team[0]["account"]["name"] == "Frankie Fan"

    await client.patch(
        settings, headers=owner.headers, json={"hide_reviews_on_my_organisation_profile": True}
    )
    hidden = await client.get(url, headers=fan.headers)
    assert hidden.status_code == 403
    assert (await client.get(f"/v1/events/{event['id']}")).json()["metrics"]["review_count"] is None
    org_metrics = (await client.get(f"/v1/orgs/{org['id']}/metrics")).json()["metrics"]
    assert org_metrics["review_count"] is None
    inside = (await client.get(f"/v1/orgs/{org['id']}/metrics", headers=owner.headers)).json()
    assert (inside["metrics"]["review_count"], inside["metrics"]["review_rating_average"]) == (
        1,
        5.0,
    )
    assert (await client.get(url, headers=owner.headers)).status_code == 200
