"""The per-process sale cache (ticketing/salecache.py): a sale stops reading an event's dates,
ticket types and order form once they are cached, and every change an organiser can make to
them reaches the very next sale."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from livehouse.core import clock
from livehouse.core.db import unit_of_work
from livehouse.core.errors import ValidationFailed
from livehouse.core.runtime import Runtime
from livehouse.ticketing import catalog, holds
from livehouse.ticketing.models import TicketType
from tests.support.auth import signed_up
from tests.support.events import local, single
from tests.support.sql import statements
from tests.support.ticketing import Shop, add_ticket_type, open_shop, purchase, settings

CATALOGUE_TABLES = ("event_occurrences", "ticket_types", "ticket_variations", "order_form_fields")


def catalogue_reads(sent: list[str]) -> list[str]:
    return [
        s
        for s in sent
        if s.lstrip().upper().startswith("SELECT") and any(t in s for t in CATALOGUE_TABLES)
    ]


async def paid(client: httpx.AsyncClient, shop: Shop, *items: dict[str, Any], **extra: Any) -> Any:
    buyer = await signed_up(client, "fan")
    response = await purchase(client, buyer, shop, *items, **extra)
    assert response.status_code == 201, response.text
    return response.json()


async def refused(
    client: httpx.AsyncClient, shop: Shop, *items: dict[str, Any], **extra: Any
) -> Any:
    buyer = await signed_up(client, "fan")
    response = await purchase(client, buyer, shop, *items, **extra)
    assert response.status_code == 422, response.text
    return response.json()


async def test_a_sale_reads_the_catalogue_from_the_cache(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    shop = await open_shop(client)
    await settings(client, shop, guest_checkout=False)  # the row that carries the version
    with statements(runtime) as first:
        await paid(client, shop)
    assert catalogue_reads(first), "the first sale reads dates, types and the order form"
    with statements(runtime) as second:
        await paid(client, shop)
    assert catalogue_reads(second) == [], "the next reads them from the cache"
    assert len(second) < len(first)


async def test_every_catalogue_change_reaches_the_next_sale(client: httpx.AsyncClient) -> None:
    shop = await open_shop(client)
    owner, event_id = shop.owner.headers, shop.event_id
    await settings(client, shop, guest_checkout=False)
    assert (await paid(client, shop))["total"] == 2500
    await paid(client, shop)  # now from the cache

    # A new price (the type's variations replaced).
    changed = await client.patch(
        f"/v1/events/{event_id}/ticket-types/{shop.ticket_type['id']}",
        json={"variations": [{"price": 4000}]},
        headers=owner,
    )
    assert changed.status_code == 200, changed.text
    assert (await paid(client, shop))["total"] == 4000

    # A mandatory question, then its removal.
    field = await client.post(
        f"/v1/events/{event_id}/order-form/fields",
        json={"name": "shoe_size", "label": "Shoe size", "type": "number", "mandatory": True},
        headers=owner,
    )
    assert field.status_code == 201, field.text
    problem = await refused(client, shop)
    assert "answers.shoe_size" in {e["field"] for e in problem["errors"]}
    assert (await paid(client, shop, answers={"shoe_size": 44}))["total"] == 4000
    gone = await client.delete(
        f"/v1/events/{event_id}/order-form/fields/{field.json()['id']}", headers=owner
    )
    assert gone.status_code == 204
    await paid(client, shop)

    # A new ticket type is on sale at once; a removed one is not.
    balcony = await add_ticket_type(client, shop.owner, event_id, name="Balcony")
    balcony_item = {"ticket_type_id": balcony["id"], "quantity": 1}
    assert (await paid(client, shop, balcony_item))["lines"][0]["description"].startswith("Balcony")
    removed = await client.delete(
        f"/v1/events/{event_id}/ticket-types/{balcony['id']}", headers=owner
    )
    assert removed.status_code == 204
    problem = await refused(client, shop, balcony_item)
    assert problem["errors"][0]["field"] == "items.0.ticket_type_id"

    # A second date: a sale must now say which.
    second_date = {**single(), "type": "daily", "interval": 7, "ends": {"after": 2}}
    dated = await client.patch(
        f"/v1/events/{event_id}", json={"occurrence": second_date}, headers=owner
    )
    assert dated.status_code == 200, dated.text
    problem = await refused(client, shop)
    assert problem["errors"][0]["field"] == "occurrence_id"


async def test_a_deleted_session_takes_its_tickets_off_sale(client: httpx.AsyncClient) -> None:
    shop = await open_shop(client)
    owner, event_id = shop.owner.headers, shop.event_id
    await settings(client, shop, guest_checkout=False)
    part = await client.post(
        f"/v1/events/{event_id}/sessions",
        json={
            "name": "Opening set",
            "starts_on": local(30, 20, 30),
            "ends_on": local(30, 21, 30),
            "sold_individually": True,
        },
        headers=owner,
    )
    assert part.status_code == 201, part.text
    opening = await add_ticket_type(
        client, shop.owner, event_id, name="Opening set only", session=part.json()["id"]
    )
    await paid(client, shop)
    await paid(client, shop)  # the types, the session's included, are cached now
    deleted = await client.delete(
        f"/v1/events/{event_id}/sessions/{part.json()['id']}", headers=owner
    )
    assert deleted.status_code == 204, deleted.text  # the database deletes its ticket type
    problem = await refused(client, shop, {"ticket_type_id": opening["id"], "quantity": 1})
    assert problem["errors"][0]["field"] == "items.0.ticket_type_id"


async def test_the_only_upcoming_date_is_found_again_once_a_date_has_passed(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    two_dates = {
        "type": "daily",
        "interval": 4,
        "starts_on": local(1, 20),
        "duration_minutes": 60,
        "ends": {"after": 2},
    }
    shop = await open_shop(client, event={"occurrence": two_dates})
    await settings(client, shop, guest_checkout=False)
    dates = (await client.get(f"/v1/events/{shop.event_id}/occurrences")).json()["items"]

    async def only_upcoming_date() -> str:
        async with unit_of_work(runtime.database) as session:
            event = await catalog.event_for_sale(session, uuid.UUID(shop.event_id))
            return str((await holds.pick_occurrence(session, event, None)).public_id)

    for _ in range(2):  # the second answer comes from the cache
        with statements(runtime) as sent, pytest.raises(ValidationFailed, match="several"):
            await only_upcoming_date()
    assert catalogue_reads(sent) == []
    with clock.use(clock.OffsetClock()) as later:
        later.advance(days=2)  # the first date is over, the second is four days later
        assert await only_upcoming_date() == dates[1]["id"]


async def test_changes_not_yet_written_are_read_from_the_database(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    shop = await open_shop(client)
    await settings(client, shop, guest_checkout=False)
    await paid(client, shop)
    await paid(client, shop)
    async with unit_of_work(runtime.database) as session:
        event = await catalog.event_for_sale(session, uuid.UUID(shop.event_id))
        wanted = [uuid.UUID(shop.ticket_type["id"])]
        cached, _ = await catalog.types_on_sale(session, event, wanted)
        assert list(cached) == wanted
        cached[wanted[0]].active = False  # not flushed yet
        after, _ = await catalog.types_on_sale(session, event, wanted)
        assert after == {}, "the session's own change wins over the cache"
        await session.rollback()


async def test_bulk_changes_of_watched_tables_are_refused(runtime: Runtime) -> None:
    async with unit_of_work(runtime.database) as session:
        with pytest.raises(RuntimeError, match="sale catalogue"):
            await session.execute(update(TicketType).values(name="everything"))
        await session.rollback()


async def test_the_version_moves_with_each_change(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    shop = await open_shop(client)
    await settings(client, shop, guest_checkout=False)

    async def version() -> int:
        async with unit_of_work(runtime.database) as session:
            event = await catalog.event_for_sale(session, uuid.UUID(shop.event_id))
            return int((await catalog.settings_of(session, event)).sale_version)

    start = await version()
    await add_ticket_type(client, shop.owner, shop.event_id, name="Balcony")  # two flushes
    assert await version() == start + 1, "bumped once, at the commit"
    unchanged = await version()
    await settings(client, shop, guest_checkout=True)  # not something the cache holds
    assert await version() == unchanged
