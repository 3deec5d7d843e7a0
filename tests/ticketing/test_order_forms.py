"""Order forms: organisers define the questions; buyers read them; checkout refuses wrong
answers (changing nothing) and keeps right ones on the order and on each ticket."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.auth import signed_up
from tests.support.ticketing import CARD, Shop, add_ticket_type, open_shop
from tests.support.ticketing_extra import add_field, checkout, held


async def form_shop(client: httpx.AsyncClient) -> Shop:
    shop = await open_shop(client)
    await add_field(
        client,
        shop,
        name="company",
        label="Company",
        type="text",
        mandatory=True,
        min_length=2,
        max_length=10,
        display_order=2,
    )
    await add_field(
        client, shop, name="country", label="Country", type="select", options=["AU", "BD"]
    )
    await add_field(client, shop, name="terms", label="I agree", type="checkbox", mandatory=True)
    await add_field(
        client, shop, name="age", label="Age", type="number", source="attendee", mandatory=True
    )
    await add_field(client, shop, name="born", label="Birthday", type="date", source="attendee")
    await add_field(
        client,
        shop,
        name="diet",
        label="Diet",
        type="checkbox",
        source="attendee",
        options=["vegan", "halal", "none"],
    )
    return shop


GOOD: dict[str, Any] = {
    "answers": {"company": "  Acme  ", "country": "BD", "terms": True},
    "attendees": [
        {"name": "Ada", "answers": {"age": 36, "born": "1990-02-03", "diet": ["halal", "vegan"]}},
        {"name": "Bob", "answers": {"age": 41}},
    ],
}


async def test_organisers_define_the_form_and_buyers_read_it(client: httpx.AsyncClient) -> None:
    shop = await form_shop(client)
    url = f"/v1/events/{shop.event_id}/order-form"
    form = (await client.get(url)).json()
    assert [f["name"] for f in form] == ["country", "terms", "age", "born", "diet", "company"]
    assert form[0]["options"] == ["AU", "BD"] and form[-1]["max_length"] == 10

    field = f"{url}/fields/{form[0]['id']}"
    changed = await client.patch(
        field, headers=shop.owner.headers, json={"options": ["AU", "BD", "DE"], "mandatory": True}
    )
    assert changed.status_code == 200 and changed.json()["options"] == ["AU", "BD", "DE"]
    for body, where in (
        ({"name": "company", "label": "Again", "type": "text"}, "name"),
        ({"name": "pick", "label": "Pick", "type": "select"}, "options"),
        ({"name": "n", "label": "N", "type": "number", "max_length": 3}, "min_length"),
        ({"name": "Bad Name", "label": "x", "type": "text"}, "name"),
        ({"name": "x", "label": "x", "type": "colour"}, "type"),
    ):
        bad = await client.post(f"{url}/fields", headers=shop.owner.headers, json=body)
        assert bad.status_code in (409, 422), bad.text
        assert bad.json()["errors"][0]["field"] == where, bad.text
    nulled = await client.patch(field, headers=shop.owner.headers, json={"label": None})
    assert nulled.status_code == 422 and nulled.json()["errors"][0]["field"] == "label"
    renamed = await client.patch(field, headers=shop.owner.headers, json={"name": "terms"})
    assert renamed.status_code == 409
    fan = await signed_up(client, "fan")
    intruder = await client.post(
        f"{url}/fields", headers=fan.headers, json={"name": "x", "label": "X", "type": "text"}
    )
    assert intruder.status_code == 404
    assert (await client.delete(field, headers=shop.owner.headers)).status_code == 204
    assert len((await client.get(url)).json()) == 5


async def test_wrong_answers_are_refused_and_change_nothing(client: httpx.AsyncClient) -> None:
    shop = await form_shop(client)
    buyer = await signed_up(client, "fan")
    hold_id = await held(client, buyer, shop, 2)
    cases: list[tuple[dict[str, Any], str]] = [
        ({**GOOD, "answers": {"country": "BD", "terms": True}}, "answers.company"),
        ({**GOOD, "answers": {**GOOD["answers"], "company": "x" * 11}}, "answers.company"),
        ({**GOOD, "answers": {**GOOD["answers"], "company": "x"}}, "answers.company"),
        ({**GOOD, "answers": {**GOOD["answers"], "country": "FR"}}, "answers.country"),
        ({**GOOD, "answers": {**GOOD["answers"], "terms": False}}, "answers.terms"),
        ({**GOOD, "answers": {**GOOD["answers"], "shoe_size": 44}}, "answers.shoe_size"),
        ({**GOOD, "attendees": GOOD["attendees"][:1]}, "attendees"),
        (
            {**GOOD, "attendees": [GOOD["attendees"][0], {"answers": {"age": "forty"}}]},
            "attendees.1.answers.age",
        ),
        (
            {**GOOD, "attendees": [GOOD["attendees"][0], {"answers": {"age": 1, "born": "3 May"}}]},
            "attendees.1.answers.born",
        ),
        (
            {**GOOD, "attendees": [{"answers": {"age": 1, "diet": ["keto"]}}, {"answers": {}}]},
            "attendees.0.answers.diet",
        ),
        (
            {**GOOD, "attendees": [GOOD["attendees"][0], {"answers": {"age": 1, "pet": "cat"}}]},
            "attendees.1.answers.pet",
        ),
    ]
    for body, field in cases:
        response = await checkout(client, buyer, hold_id, **body)
        assert response.status_code == 422, (field, response.text)
        assert field in [e["field"] for e in response.json()["errors"]], (field, response.text)
    everything = await checkout(
        client, buyer, hold_id, answers={"company": 5, "extra": 1}, attendees=[]
    )
    fields = {e["field"] for e in everything.json()["errors"]}
    assert {"answers.company", "answers.extra", "answers.terms", "attendees"} <= fields
    assert (await client.get("/v1/me/orders", headers=buyer.headers)).json()["items"] == []
    hold = (await client.get(f"/v1/holds/{hold_id}", headers=buyer.headers)).json()
    assert hold["status"] == "active", "the hold is untouched"


async def test_answers_are_kept_on_the_order_and_each_ticket(client: httpx.AsyncClient) -> None:
    shop = await form_shop(client)
    buyer = await signed_up(client, "fan")
    response = await client.post(
        f"/v1/events/{shop.event_id}/orders",
        headers=buyer.headers,
        json={"items": [shop.item(2)], "card": CARD, **GOOD},
    )
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["answers"] == {"company": "Acme", "country": "BD", "terms": True}
    by_holder = {t["holder_name"]: t["answers"] for t in order["tickets"]}
    assert by_holder == {
        "Ada": {"age": 36, "born": "1990-02-03", "diet": ["vegan", "halal"]},
        "Bob": {"age": 41},
    }
    seen = await client.get(
        f"/v1/events/{shop.event_id}/orders/{order['id']}", headers=shop.owner.headers
    )
    assert seen.json()["answers"]["company"] == "Acme"
    attendees = await client.get(
        f"/v1/events/{shop.event_id}/attendees", headers=shop.owner.headers
    )
    assert sorted(a["answers"]["age"] for a in attendees.json()["items"]) == [36, 41]


async def test_questions_for_some_tickets_only(client: httpx.AsyncClient) -> None:
    shop = await open_shop(client)
    vip = await add_ticket_type(client, shop.owner, shop.event_id, name="VIP")
    await add_field(
        client,
        shop,
        name="seat_wish",
        label="Seat wish",
        type="text",
        source="attendee",
        mandatory=True,
        ticket_type_ids=[vip["id"]],
    )
    buyer = await signed_up(client, "fan")
    plain = await held(client, buyer, shop, 1)
    assert (await checkout(client, buyer, plain)).status_code == 201, "not asked of General"
    response = await client.post(
        f"/v1/events/{shop.event_id}/holds",
        headers=buyer.headers,
        json={"items": [shop.item(1), {"ticket_type_id": vip["id"], "quantity": 1}]},
    )
    mixed = response.json()["id"]
    missing = await checkout(client, buyer, mixed, attendees=[{"name": "A"}])
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "attendees"
    wrong_place = await checkout(
        client, buyer, mixed, attendees=[{"answers": {"seat_wish": "front"}}, {"answers": {}}]
    )
    fields = [e["field"] for e in wrong_place.json()["errors"]]
    assert fields == ["attendees.0.answers.seat_wish", "attendees.1.answers.seat_wish"]
    ok = await checkout(
        client, buyer, mixed, attendees=[{"name": "A"}, {"answers": {"seat_wish": "front"}}]
    )
    assert ok.status_code == 201, ok.text
