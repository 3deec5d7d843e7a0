"""Waiting lists: who may join, offers of freed places as holds, lapsed offers moving down the
list, leaving, and what a rolled-back release does (nothing)."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import func, select

from livehouse.core import clock
from livehouse.core.db import unit_of_work
from livehouse.core.runtime import Runtime
from livehouse.ticketing import holds, waitlist
from livehouse.ticketing.models import Hold, WaitlistEntry
from tests.support.auth import signed_up
from tests.support.messages import Mailbox
from tests.support.outbox import drain_outbox
from tests.support.ticketing import CARD, add_ticket_type, bought, open_shop, purchase, settings
from tests.support.ticketing_extra import (
    checkout,
    held,
    join,
    my_entries,
    offer_in_mail,
    stock,
    sweep,
)


async def test_who_may_join(client: httpx.AsyncClient) -> None:
    shop = await open_shop(client, quantity=2)
    fan = await signed_up(client, "fan")
    off = await join(client, fan, shop)
    assert off.status_code == 422 and off.json()["errors"][0]["field"] == "ticket_type_id"

    await settings(client, shop, waiting_list=True)  # the event's setting opens every type
    on_sale = await join(client, fan, shop)
    assert on_sale.status_code == 409 and on_sale.json()["available"] == 2, "book instead"
    await bought(client, shop, 1)
    too_many = await join(client, fan, shop, quantity=2)
    assert too_many.status_code == 201, "one place left, two wanted: they may wait"
    again = await join(client, fan, shop, quantity=2)
    assert again.status_code == 409, "one open entry per person, ticket and date"

    anonymous = await client.post(
        f"/v1/events/{shop.event_id}/waiting-list",
        json={"ticket_type_id": shop.ticket_type["id"]},
    )
    assert anonymous.status_code == 401
    invited_only = await add_ticket_type(
        client,
        shop.owner,
        shop.event_id,
        name="Backstage",
        quantity=0,
        restrictions=[{"type": "invitation_link"}],
    )
    secret = await join(client, fan, shop, ticket_type_id=invited_only["id"])
    assert secret.status_code == 422 and "invitation" in secret.json()["detail"]
    unknown = await join(client, fan, shop, ticket_type_id=str(uuid.uuid4()))
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "ticket_type_id"

    [entry] = await my_entries(client, fan)
    assert (entry["status"], entry["position"], entry["quantity"]) == ("waiting", 1, 2)
    assert entry["email"] is None, "buyers do not see addresses"
    listing = await client.get(
        f"/v1/events/{shop.event_id}/waiting-list", headers=shop.owner.headers
    )
    assert [(e["email"], e["position"]) for e in listing.json()["items"]] == [(fan.email, 1)]
    stranger = await signed_up(client, "stranger")
    assert (
        await client.delete(f"/v1/me/waiting-list/{entry['id']}", headers=stranger.headers)
    ).status_code == 404
    assert (
        await client.delete(f"/v1/me/waiting-list/{entry['id']}", headers=fan.headers)
    ).status_code == 204
    assert [e["status"] for e in await my_entries(client, fan)] == ["left"]
    assert (await join(client, fan, shop, quantity=2)).status_code == 201, "back in line"


async def test_freed_places_go_down_the_list_as_offers_lapse(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    shop = await open_shop(client, quantity=1, waiting_list=True)
    first = await signed_up(client, "first")
    holding = await held(client, first, shop)
    w1, w2 = await signed_up(client, "w1"), await signed_up(client, "w2")
    assert (await join(client, w1, shop)).status_code == 201
    assert (await join(client, w2, shop)).status_code == 201
    assert [e["position"] for e in await my_entries(client, w2)] == [2]

    assert (await client.delete(f"/v1/holds/{holding}", headers=first.headers)).status_code == 204
    offered = await offer_in_mail(mailbox, runtime, w1)
    [entry] = await my_entries(client, w1)
    assert entry["status"] == "offered" and entry["offer"]["hold_id"] == offered
    latecomer = await signed_up(client, "latecomer")
    snipe = await purchase(client, latecomer, shop)
    assert snipe.status_code == 409, "the freed place went to the list, not to a new buyer"
    assert (await my_entries(client, w2))[0]["position"] == 1

    with clock.use(clock.OffsetClock()) as later:
        later.advance(minutes=runtime.settings.ticket_waitlist_offer_minutes + 1)
        await sweep(runtime)  # (the background sweeper may get there first: either will do)
        w2_hold = await offer_in_mail(mailbox, runtime, w2)
        assert [e["status"] for e in await my_entries(client, w1)] == ["lapsed"]
        late = await checkout(client, w1, offered)
        assert late.status_code == 409, "a lapsed offer cannot be bought"
        order = await checkout(client, w2, w2_hold)
        assert order.status_code == 201, order.text
        paid = await client.post(
            f"/v1/payments/{order.json()['payment']['id']}/card",
            headers=w2.headers,
            json={"card": CARD},
        )
        assert paid.json()["status"] == "succeeded"
    [w2_entry] = await my_entries(client, w2)
    assert w2_entry["status"] == "purchased" and w2_entry["offer"] is None
    assert await stock(runtime, shop) == {
        "taken": 1,
        "event_taken": 1,
        "held": 0,
        "tickets": 1,
        "offers": 2,
    }


async def test_a_refund_offers_the_places_and_the_next_who_fits_is_served(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    shop = await open_shop(client, quantity=3, waiting_list=True)
    _, order = await bought(client, shop, 1)
    await bought(client, shop, 2)
    big, small = await signed_up(client, "big"), await signed_up(client, "small")
    assert (await join(client, big, shop, quantity=2)).status_code == 201
    assert (await join(client, small, shop, quantity=1)).status_code == 201

    refund = await client.post(
        f"/v1/events/{shop.event_id}/orders/{order['id']}/refunds",
        headers=shop.owner.headers,
        json={},
    )
    assert refund.status_code == 200 and refund.json()["status"] == "refunded"
    hold_id = await offer_in_mail(mailbox, runtime, small)
    [waiting] = await my_entries(client, big)
    assert (waiting["status"], waiting["position"]) == ("waiting", 1), "keeps its place"
    view = await client.get(f"/v1/holds/{hold_id}", headers=small.headers)
    assert view.status_code == 200 and view.json()["lines"][0]["seats"] == 1
    assert await stock(runtime, shop) == {
        "taken": 3,
        "event_taken": 3,
        "held": 1,
        "tickets": 2,
        "offers": 1,
    }


async def test_leaving_with_an_offer_passes_it_on(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    shop = await open_shop(client, quantity=1, waiting_list=True)
    first = await signed_up(client, "first")
    holding = await held(client, first, shop)
    w1, w2 = await signed_up(client, "w1"), await signed_up(client, "w2")
    await join(client, w1, shop)
    await join(client, w2, shop)
    await client.delete(f"/v1/holds/{holding}", headers=first.headers)
    offered = await offer_in_mail(mailbox, runtime, w1)
    [entry] = await my_entries(client, w1)
    assert (
        await client.delete(f"/v1/me/waiting-list/{entry['id']}", headers=w1.headers)
    ).status_code == 204
    assert (await client.get(f"/v1/holds/{offered}", headers=w1.headers)).json()[
        "status"
    ] == "released"
    await offer_in_mail(mailbox, runtime, w2)
    assert [e["status"] for e in await my_entries(client, w2)] == ["offered"]
    assert (await stock(runtime, shop))["taken"] == 1


async def test_organisers_offer_places_they_added(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    shop = await open_shop(client, quantity=1, waiting_list=True)
    await bought(client, shop, 1)
    fans = [await signed_up(client, f"fan{i}") for i in range(3)]
    for fan in fans:
        assert (await join(client, fan, shop)).status_code == 201
    grown = await client.patch(
        f"/v1/events/{shop.event_id}/ticket-types/{shop.ticket_type['id']}",
        headers=shop.owner.headers,
        json={"quantity": 3},
    )
    assert grown.status_code == 200
    offers = await client.post(
        f"/v1/events/{shop.event_id}/waiting-list/offers",
        headers=shop.owner.headers,
        json={"ticket_type_id": shop.ticket_type["id"]},
    )
    assert offers.status_code == 200 and offers.json() == {"offers": 2}
    for fan in fans[:2]:
        await offer_in_mail(mailbox, runtime, fan)
    assert [e["status"] for e in await my_entries(client, fans[2])] == ["waiting"]
    assert (await stock(runtime, shop))["taken"] == 3


async def test_a_release_that_rolls_back_offers_nothing(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    shop = await open_shop(client, quantity=1, waiting_list=True)
    first = await signed_up(client, "first")
    holding = await held(client, first, shop)
    waiter = await signed_up(client, "waiter")
    await join(client, waiter, shop)

    class Abandoned(Exception):
        pass

    try:
        async with unit_of_work(runtime.database) as session:
            hold = await holds.get_hold(session, uuid.UUID(holding), lock=True)
            assert await holds.release(session, hold)
            offered = await session.scalar(
                select(func.count()).select_from(Hold).where(Hold.waitlist_entry_id.is_not(None))
            )
            assert offered == 1, "inside the transaction the offer exists"
            raise Abandoned
    except Abandoned:
        pass
    assert [e["status"] for e in await my_entries(client, waiter)] == ["waiting"]
    await drain_outbox(runtime)
    assert await stock(runtime, shop) == {
        "taken": 1,
        "event_taken": 1,
        "held": 1,
        "tickets": 0,
        "offers": 0,
    }
    notices = [m for m in mailbox.to(waiter.email) if "waiting for you" in str(m["Subject"])]
    assert notices == [], "no notice sent"


async def test_an_entry_is_offered_once(client: httpx.AsyncClient, runtime: Runtime) -> None:
    shop = await open_shop(client, quantity=2, waiting_list=True)
    first = await signed_up(client, "first")
    holding = await held(client, first, shop, 2)
    waiter = await signed_up(client, "waiter")
    await join(client, waiter, shop)
    async with unit_of_work(runtime.database) as session:
        hold = await holds.get_hold(session, uuid.UUID(holding), lock=True)
        assert await holds.release(session, hold)  # two places back: the entry is offered one
        # Offering it again (as a second release racing the first would) finds it taken.
        entry = await session.scalar(select(WaitlistEntry))
        assert entry is not None
        assert await waitlist.offer(session, hold.event_id, hold.occurrence_id, [entry]) == 0
    assert (await stock(runtime, shop))["offers"] == 1
    assert (await stock(runtime, shop))["taken"] == 1, "one place offered, one back on sale"
