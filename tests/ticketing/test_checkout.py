"""From a basket to a paid order with issued tickets: holds, checkout, payment, pricing."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select

from livehouse.core import clock
from livehouse.core.db import unit_of_work
from livehouse.core.runtime import Runtime
from livehouse.ticketing.models import Hold
from tests.support.auth import signed_up
from tests.support.messages import Mailbox, code_in, text_of
from tests.support.sql import statements
from tests.support.ticketing import (
    CARD,
    add_coupon,
    add_ticket_type,
    bought,
    hold,
    open_shop,
    purchase,
    settings,
)


async def test_hold_checkout_pay(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    shop = await open_shop(client)
    buyer = await signed_up(client, "fan")
    held = await hold(client, buyer, shop, shop.item(2))
    assert held.status_code == 201, held.text
    body = held.json()
    assert body["status"] == "active" and body["quote"]["total"] == 5000
    assert body["lines"][0]["ticket_type_id"] == shop.ticket_type["id"]
    types = await client.get(f"/v1/events/{shop.event_id}/ticket-types")
    assert types.json()[0]["available"] == 98, "held places are not for sale"

    order = await client.post(
        f"/v1/holds/{body['id']}/checkout",
        headers=buyer.headers,
        json={"buyer": {"name": "Ada"}, "attendees": [{"name": "Bob"}]},
    )
    assert order.status_code == 201, order.text
    order_body = order.json()
    assert order_body["status"] == "pending" and order_body["tickets"] == []
    payment_id = order_body["payment"]["id"]
    paid = await client.post(
        f"/v1/payments/{payment_id}/card", headers=buyer.headers, json={"card": CARD}
    )
    assert paid.json()["status"] == "succeeded"

    final = (await client.get(f"/v1/me/orders/{order_body['id']}", headers=buyer.headers)).json()
    assert final["status"] == "paid" and len(final["tickets"]) == 2
    # Read out loud at a box office: no 0/O or 1/I.
    assert re.fullmatch(r"LH-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", final["number"]), final
    assert {t["holder_name"] for t in final["tickets"]} == {"Bob", "Ada"}
    assert all(t["pass_code"] for t in final["tickets"])
    confirmation = await mailbox.wait_for(runtime, to=buyer.email, subject="Your tickets")
    assert final["number"] in str(confirmation["Subject"])
    mine = (await client.get("/v1/me/tickets", headers=buyer.headers)).json()["items"]
    assert len(mine) == 2
    assert (await client.get(f"/v1/events/{shop.event_id}/ticket-types")).json()[0][
        "available"
    ] == 98


async def test_one_step_purchase_and_its_idempotent_retry(client: httpx.AsyncClient) -> None:
    shop = await open_shop(client)
    buyer = await signed_up(client, "fan")
    key = {"Idempotency-Key": "buy-once-please"}
    first = await purchase(client, buyer, shop, shop.item(3), headers=key)
    retry = await purchase(client, buyer, shop, shop.item(3), headers=key)
    assert first.status_code == retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json()["id"] == first.json()["id"]
    payments = (await client.get("/v1/me/payments", headers=buyer.headers)).json()["items"]
    assert len(payments) == 1 and payments[0]["status"] == "succeeded", "charged once"
    orders = (await client.get("/v1/me/orders", headers=buyer.headers)).json()["items"]
    assert len(orders) == 1 and orders[0]["status"] == "paid"
    assert len((await client.get("/v1/me/tickets", headers=buyer.headers)).json()["items"]) == 3


async def test_a_purchase_takes_its_stock_counters_last(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """A hot counter row stays locked from its UPDATE to COMMIT: nothing else is sent between
    them — the rows still pending (the confirmation's outbox job) are flushed before the first
    counter (SQLAlchemy autoflushes before Core statements too), not by the commit after it."""
    shop = await open_shop(client)
    await bought(client, shop)  # the first sale creates the event's counter rows
    buyer = await signed_up(client, "fan")
    with statements(runtime) as sent:
        response = await purchase(client, buyer, shop, shop.item(2))
    assert response.status_code == 201, response.text
    counters = ("UPDATE ticket_stock", "UPDATE event_stock", "INSERT INTO customer_purchases")
    first = next(i for i, sql in enumerate(sent) if sql.startswith(counters))
    assert [sql.split(" SET ")[0].split(" (")[0] for sql in sent[first:]] == list(counters), sent
    assert any(sql.startswith("INSERT INTO outbox_jobs") for sql in sent[:first]), sent


async def test_one_step_purchase_keeps_a_hold_only_while_its_card_is_challenged(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    shop = await open_shop(client, quantity=2)
    challenged = await signed_up(client, "fan")
    response = await purchase(client, challenged, shop, card={**CARD, "number": "4000000000003220"})
    assert response.status_code == 201, response.text
    pending = response.json()
    assert pending["status"] == "pending" and pending["payment"]["status"] == "requires_action"
    assert await holds_by_status(runtime) == {"active": 1}, "its places wait for the code"
    _, paid_at_once = await bought(client, shop)
    assert paid_at_once["status"] == "paid"
    assert await holds_by_status(runtime) == {"active": 1}, "a card that pays leaves no hold"
    late = await purchase(client, await signed_up(client, "fan"), shop)
    assert late.status_code == 409, "the challenged order's place is still taken"

    code = code_in(
        text_of(await mailbox.wait_for(runtime, to=challenged.email, subject="payment code"))
    )
    answered = await client.post(
        f"/v1/payments/{pending['payment']['id']}/challenge",
        headers=challenged.headers,
        json={"code": code},
    )
    assert answered.status_code == 200, answered.text
    order = await client.get(f"/v1/me/orders/{pending['id']}", headers=challenged.headers)
    assert order.json()["status"] == "paid" and len(order.json()["tickets"]) == 1
    assert await holds_by_status(runtime) == {"converted": 1}

    # Both orders are undone from their own rows: a full refund puts each place back on sale.
    for paid in (pending, paid_at_once):
        refunded = await client.post(
            f"/v1/events/{shop.event_id}/orders/{paid['id']}/refunds",
            headers=shop.owner.headers,
            json={},
        )
        assert refunded.json()["status"] == "refunded", refunded.text
    types = (await client.get(f"/v1/events/{shop.event_id}/ticket-types")).json()
    assert types[0]["available"] == 2


async def holds_by_status(runtime: Runtime) -> dict[str, int]:
    async with unit_of_work(runtime.database, write=False) as session:
        rows = await session.execute(select(Hold.status, func.count()).group_by(Hold.status))
        return {status: count for status, count in rows.all()}


async def test_free_orders_skip_payment(client: httpx.AsyncClient) -> None:
    shop = await open_shop(client, variations=[{"price": 0}])
    buyer = await signed_up(client, "fan")
    held = (await hold(client, buyer, shop)).json()
    order = await client.post(f"/v1/holds/{held['id']}/checkout", headers=buyer.headers, json={})
    body = order.json()
    assert body["status"] == "paid" and body["total"] == 0 and len(body["tickets"]) == 1
    assert body["payment"]["provider"] is None


async def test_variations_donations_and_tables(client: httpx.AsyncClient) -> None:
    shop = await open_shop(
        client,
        name="Group",
        quantity=20,
        variations=[
            {"name": "Gold", "price": 25000, "quantity_included": 5},
            {"name": "Silver", "price": 5000, "quantity_included": 3},
        ],
    )
    donation = await add_ticket_type(
        client,
        shop.owner,
        shop.event_id,
        name="Support us",
        category="donation",
        donation_minimum=500,
        quantity=None,
    )
    vvip = await add_ticket_type(
        client,
        shop.owner,
        shop.event_id,
        name="VVIP table 1",
        category="table",
        section="VVIP",
        table_number=1,
        quantity=4,
        reduction_bp=1000,
        variations=[{"price": 10000}],
    )
    gold = shop.ticket_type["variations"][0]["id"]
    buyer = await signed_up(client, "fan")
    response = await purchase(
        client,
        buyer,
        shop,
        shop.item(2, variation_id=gold),
        {"ticket_type_id": donation["id"], "quantity": 1, "donation_amount": 1234},
        {"ticket_type_id": vvip["id"], "quantity": 2},
    )
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["subtotal"] == 2 * 25000 + 1234 + 2 * 9000
    assert len(order["tickets"]) == 10 + 1 + 2
    assert {t["table_number"] for t in order["tickets"]} == {None, 1}
    too_little = await purchase(
        client,
        buyer,
        shop,
        {"ticket_type_id": donation["id"], "quantity": 1, "donation_amount": 100},
    )
    assert too_little.status_code == 422
    assert too_little.json()["errors"][0]["field"] == "items.0.donation_amount"
    ambiguous = await purchase(client, buyer, shop, shop.item(1))
    assert ambiguous.status_code == 422
    assert ambiguous.json()["errors"][0]["field"] == "items.0.variation_id"
    over = await purchase(client, buyer, shop, shop.item(3, variation_id=gold))
    assert over.status_code == 409 and over.json()["available"] == 10, "20 - 10 sold"


async def test_pricing_with_coupon_early_bird_service_charge_and_tax(
    client: httpx.AsyncClient,
) -> None:
    shop = await open_shop(
        client,
        event={"tax": {"code": "VAT", "rate_basis_points": 2000}},
        variations=[{"price": 10000}],
    )
    now = clock.now()
    await settings(
        client,
        shop,
        service_charge_bp=500,
        service_charge_fixed=100,
        tax_inclusive=False,
        early_bird={
            "type": "percentage",
            "value": 1000,
            "starts_at": (now.replace(year=now.year - 1)).isoformat(),
            "ends_at": (now.replace(year=now.year + 1)).isoformat(),
        },
    )
    await add_coupon(client, shop, "SPRING", discount_type="fixed", discount_value=1000)
    buyer = await signed_up(client, "fan")
    body = (await hold(client, buyer, shop, shop.item(2), coupon_code="spring")).json()
    quote = body["quote"]
    # 2 x (100.00 - 10 % early bird) = 180.00; coupon -10.00; service 2 x (5 % of 90.00 + 1.00)
    assert quote["subtotal"] == 18000 and quote["discount"] == 1000
    assert quote["service_charge"] == 2 * (450 + 100)
    assert quote["tax"] == (18000 - 1000 + 1100) * 20 // 100 and not quote["tax_inclusive"]
    assert quote["total"] == 18000 - 1000 + 1100 + quote["tax"]
    unknown = await hold(client, buyer, shop, coupon_code="NOPE")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "coupon_code"


async def test_merchandise_with_tickets(client: httpx.AsyncClient) -> None:
    shop = await open_shop(client)
    product = await client.post(
        f"/v1/orgs/{shop.org['id']}/products",
        headers=shop.owner.headers,
        json={
            "name": "T-shirt",
            "code": "TS-1",
            "price": 2000,
            "currency": "EUR",
            "qty_available": 1,
            "max_per_order": 5,
        },
    )
    assert product.status_code == 201, product.text
    product_id = product.json()["id"]
    buyer = await signed_up(client, "fan")
    alone = await hold(
        client, buyer, shop, merchandise=[{"product_id": product_id, "quantity": 1}], items=[]
    )
    assert alone.status_code == 422
    response = await purchase(
        client, buyer, shop, shop.item(1), merchandise=[{"product_id": product_id, "quantity": 1}]
    )
    assert response.status_code == 201 and response.json()["subtotal"] == 4500
    gone = await purchase(
        client, buyer, shop, shop.item(1), merchandise=[{"product_id": product_id, "quantity": 1}]
    )
    assert gone.status_code == 409 and "T-shirt" in gone.json()["detail"]
    refunded = await client.post(
        f"/v1/events/{shop.event_id}/orders/{response.json()['id']}/refunds",
        headers=shop.owner.headers,
        json={},
    )
    assert refunded.json()["status"] == "refunded", refunded.text
    again = await purchase(
        client, buyer, shop, shop.item(1), merchandise=[{"product_id": product_id, "quantity": 1}]
    )
    assert again.status_code == 201, "a refunded order's goods go back on sale with its seats"


async def test_expired_holds_return_to_sale(client: httpx.AsyncClient, runtime: Runtime) -> None:
    shop = await open_shop(client, quantity=2)
    buyer, other = await signed_up(client, "fan"), await signed_up(client, "fan")
    held = await hold(client, buyer, shop, shop.item(2))
    assert held.status_code == 201
    assert (await hold(client, other, shop)).status_code == 409, "sold out while held"
    later = clock.OffsetClock()
    later.advance(minutes=11)
    with clock.use(later):
        from livehouse.ticketing.jobs import release_expired_holds

        assert await release_expired_holds(runtime) == 1
        assert (await client.get(f"/v1/holds/{held.json()['id']}", headers=buyer.headers)).json()[
            "status"
        ] == "released"
        assert (await hold(client, other, shop, shop.item(2))).status_code == 201
    late = await client.post(
        f"/v1/holds/{held.json()['id']}/checkout", headers=buyer.headers, json={}
    )
    assert late.status_code == 409


async def test_releasing_a_hold_and_declined_payment(client: httpx.AsyncClient) -> None:
    shop = await open_shop(client, quantity=1)
    buyer = await signed_up(client, "fan")
    held = (await hold(client, buyer, shop)).json()
    assert (
        await client.delete(f"/v1/holds/{held['id']}", headers=buyer.headers)
    ).status_code == 204
    declined = await purchase(client, buyer, shop, card={**CARD, "number": "4000000000000002"})
    assert declined.status_code == 201
    order = declined.json()
    assert order["status"] == "pending" and order["payment"]["failure_code"] == "card_declined"
    retry = await client.post(
        f"/v1/payments/{order['payment']['id']}/card", headers=buyer.headers, json={"card": CARD}
    )
    assert retry.json()["status"] == "succeeded"
    final = (await client.get(f"/v1/me/orders/{order['id']}", headers=buyer.headers)).json()
    assert final["status"] == "paid" and len(final["tickets"]) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"items": [{"ticket_type_id": "00000000-0000-7000-8000-000000000000", "quantity": 1}]},
            "items.0.ticket_type_id",
        ),
        ({"items": [{"quantity": 0}]}, "items.0.quantity"),
        ({"items": []}, "items"),
    ],
)
async def test_bad_baskets(client: httpx.AsyncClient, change: dict, field: str) -> None:
    shop = await open_shop(client)
    buyer = await signed_up(client, "fan")
    body = {**change}
    if body.get("items") and "ticket_type_id" not in body["items"][0]:
        body["items"][0]["ticket_type_id"] = shop.ticket_type["id"]
    response = await client.post(
        f"/v1/events/{shop.event_id}/holds", json=body, headers=buyer.headers
    )
    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in response.json()["errors"]}


async def test_booking_windows_and_limits(client: httpx.AsyncClient) -> None:
    shop = await open_shop(client, max_per_customer=2)
    buyer = await signed_up(client, "fan")
    assert (await hold(client, buyer, shop, shop.item(3))).status_code == 422
    await bought(client, shop, 2, buyer)
    again = await hold(client, buyer, shop, shop.item(1))
    assert again.status_code == 409 and "per customer" in again.json()["detail"]
    future = clock.now().replace(year=clock.now().year + 1).isoformat()
    hidden = await add_ticket_type(
        client,
        shop.owner,
        shop.event_id,
        name="Later",
        booking_starts_at=future,
        hide_until_booking_starts=True,
    )
    names = [
        t["name"] for t in (await client.get(f"/v1/events/{shop.event_id}/ticket-types")).json()
    ]
    assert "Later" not in names
    early = await hold(client, buyer, shop, {"ticket_type_id": hidden["id"], "quantity": 1})
    assert early.status_code == 422
    await settings(client, shop, booking_ends_at=clock.now().isoformat())
    closed = await hold(client, await signed_up(client, "fan"), shop)
    assert closed.status_code == 409 and "closed" in closed.json()["detail"]


async def test_age_and_invitation_code_restrictions(client: httpx.AsyncClient) -> None:
    shop = await open_shop(client, restrictions=[{"type": "age", "min": 18}])
    minor = await signed_up(client, "kid", date_of_birth=f"{clock.now().year - 15}-01-01")
    adult = await signed_up(client, "adult", date_of_birth="1990-01-01")
    unknown_age = await signed_up(client, "anon")
    assert (await hold(client, minor, shop)).status_code == 422
    assert (await hold(client, unknown_age, shop)).status_code == 422
    assert (await hold(client, adult, shop)).status_code == 201
    coded = await add_ticket_type(
        client,
        shop.owner,
        shop.event_id,
        name="Friends",
        restrictions=[{"type": "invitation_code", "code": "Backstage"}],
    )
    item = {"ticket_type_id": coded["id"], "quantity": 1}
    wrong = await hold(client, adult, shop, item, invitation_code="frontstage")
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "invitation_code"
    assert (await hold(client, adult, shop, item, invitation_code="backstage")).status_code == 201
    listed = (await client.get(f"/v1/events/{shop.event_id}/ticket-types")).json()
    assert "Backstage".lower() not in str(listed).lower(), "the code is never shown"
