"""Studio guest categories: perks mapped to ticket tiers; a viewer's perks follow the tier of
their ticket (the best-ranked one when they hold several)."""

from __future__ import annotations

import httpx

from livehouse.core.runtime import Runtime
from tests.support.auth import signed_up
from tests.support.live import fan, make_category, stage
from tests.support.ticketing import add_ticket_type, purchase


async def test_categories_map_tiers_to_perks(client: httpx.AsyncClient, runtime: Runtime) -> None:
    built = await stage(client, runtime)
    listed = (await client.get(built.url("/guest-categories"))).json()
    assert [c["name"] for c in listed] == ["vvip", "regular"], "highest rank first"
    vvip = listed[0]
    assert vvip["special_request_limit"] == 2 and vvip["video_chat"] is True
    assert [t["id"] for t in vvip["ticket_types"]] == [built.vip_type["id"]]

    regular_fan = await fan(client, built, "regular")
    me = (await client.get(built.url("/live/me"), headers=regular_fan.headers)).json()
    assert me["ticket"] is True and me["may_watch"] is True
    assert me["category"]["name"] == "regular"
    assert me["perks"]["commenting"] is True and me["perks"]["video_chat"] is False
    assert me["perks"]["special_requests_left"] == 0

    vip_fan = await fan(client, built, "vvip")
    me = (await client.get(built.url("/live/me"), headers=vip_fan.headers)).json()
    assert me["category"]["name"] == "vvip"
    assert me["perks"]["video_chat"] is True and me["perks"]["special_requests_left"] == 2

    nobody = await signed_up(client, "nobody")
    me = (await client.get(built.url("/live/me"), headers=nobody.headers)).json()
    assert me["ticket"] is False and me["may_watch"] is False and me["category"] is None
    assert not any(v for k, v in me["perks"].items() if k != "special_requests_left")

    host = (await client.get(built.url("/live/me"), headers=built.performer.headers)).json()
    assert host["host"] is True and host["may_watch"] is True
    assert host["perks"]["commenting"] is True, "hosts comment without a ticket"


async def test_the_best_ranked_tier_wins_and_changes_apply_at_once(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    built = await stage(client, runtime)
    both = await fan(client, built, "regular")
    response = await purchase(
        client, both, built.shop, {"ticket_type_id": built.vip_type["id"], "quantity": 1}
    )
    assert response.status_code == 201
    me = (await client.get(built.url("/live/me"), headers=both.headers)).json()
    assert me["category"]["name"] == "vvip"

    regular_id = built.categories["regular"]["id"]
    changed = await client.patch(
        built.url(f"/guest-categories/{regular_id}"),
        json={"rank": 50, "video_chat": True},
        headers=built.owner.headers,
    )
    assert changed.status_code == 200, changed.text
    me = (await client.get(built.url("/live/me"), headers=both.headers)).json()
    assert me["category"]["name"] == "regular" and me["perks"]["video_chat"] is True


async def test_a_tier_without_a_category_watches_without_perks(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    built = await stage(client, runtime)
    balcony = await add_ticket_type(
        client, built.owner, built.event_id, name="Balcony", variations=[{"price": 1000}]
    )
    person = await signed_up(client, "balcony")
    response = await purchase(
        client, person, built.shop, {"ticket_type_id": balcony["id"], "quantity": 1}
    )
    assert response.status_code == 201
    me = (await client.get(built.url("/live/me"), headers=person.headers)).json()
    assert me["may_watch"] is True and me["category"] is None
    assert me["perks"]["commenting"] is False


async def test_bad_categories_change_nothing(client: httpx.AsyncClient, runtime: Runtime) -> None:
    built = await stage(client, runtime)
    other = await stage(client, runtime)
    url, headers = built.url("/guest-categories"), built.owner.headers
    cases = [
        ({"name": ""}, 422),
        ({"name": "x" * 51}, 422),
        ({"name": "gold", "special_requests": True}, 422),  # no limit
        ({"name": "gold", "special_request_limit": -1}, 422),
        ({"name": "gold", "ticket_type_ids": [other.vip_type["id"]]}, 422),  # another event's
        ({"name": "gold", "ticket_type_ids": [built.vip_type["id"]]}, 422),  # in vvip already
        ({"name": "gold", "colour": "red"}, 422),  # unknown field
        ({"name": "vvip"}, 409),
    ]
    for body, status in cases:
        response = await client.post(url, json=body, headers=headers)
        assert response.status_code == status, (body, response.text)
    names = [c["name"] for c in (await client.get(url)).json()]
    assert sorted(names) == ["regular", "vvip"]

    regular_id = built.categories["regular"]["id"]
    refused = await client.patch(
        f"{url}/{regular_id}",
        json={"commenting": False, "ticket_type_ids": [other.vip_type["id"]]},
        headers=headers,
    )
    assert refused.status_code == 422
    regular = next(c for c in (await client.get(url)).json() if c["name"] == "regular")
    assert regular["commenting"] is True, "the refused change left the category as it was"
    assert [t["id"] for t in regular["ticket_types"]] == [built.shop.ticket_type["id"]]
    assert (
        await client.patch(f"{url}/{regular_id}", json={"name": None}, headers=headers)
    ).status_code == 422


async def test_hosts_manage_categories_and_deleting_frees_the_tier(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    built = await stage(client, runtime)
    vip_fan = await fan(client, built, "vvip")
    intruder = await client.post(
        built.url("/guest-categories"), json={"name": "mine"}, headers=vip_fan.headers
    )
    assert intruder.status_code == 404
    vvip_id = built.categories["vvip"]["id"]
    deleted = await client.delete(
        built.url(f"/guest-categories/{vvip_id}"), headers=built.performer.headers
    )
    assert deleted.status_code == 204
    me = (await client.get(built.url("/live/me"), headers=vip_fan.headers)).json()
    assert me["category"] is None and me["perks"]["video_chat"] is False
    again = await make_category(
        client, built.owner, built.event_id, name="gold", ticket_type_ids=[built.vip_type["id"]]
    )
    assert [t["id"] for t in again["ticket_types"]] == [built.vip_type["id"]]
    missing = await client.delete(
        built.url(f"/guest-categories/{vvip_id}"), headers=built.owner.headers
    )
    assert missing.status_code == 404
