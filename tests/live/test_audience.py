"""The audience over HTTP: entering a show, special requests counted to their limit (also under
concurrent requests on a real server), guest upgrades by the host."""

from __future__ import annotations

import asyncio

import httpx

from livehouse.core.runtime import Runtime
from tests.support.auth import signed_up
from tests.support.live import fan, go_live, stage


async def test_entering_needs_a_live_show_and_a_ticket(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    built = await stage(client, runtime)
    vip = await fan(client, built, "vvip")
    early = await client.post(built.url("/live/entry"), headers=vip.headers)
    assert early.status_code == 409, "nothing to enter before the show starts"
    show = await go_live(client, built)

    first = await client.post(built.url("/live/entry"), headers=vip.headers)
    assert first.status_code == 200, first.text
    assert first.json()["announced"] is True and first.json()["live_session_id"] == show["id"]
    again = await client.post(built.url("/live/entry"), headers=vip.headers)
    assert again.json()["announced"] is False, "a cheerful entry is announced once per show"

    regular = await fan(client, built, "regular")
    plain = await client.post(built.url("/live/entry"), headers=regular.headers)
    assert plain.status_code == 200 and plain.json()["announced"] is False, "no cheerful perk"

    nobody = await signed_up(client, "nobody")
    refused = await client.post(built.url("/live/entry"), headers=nobody.headers)
    assert refused.status_code == 403


async def test_special_requests_stop_at_the_limit(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    built = await stage(client, runtime)
    vip, regular = await fan(client, built, "vvip"), await fan(client, built, "regular")
    body = {"message": "Play 'Fall' please"}
    not_live = await client.post(built.url("/special-requests"), json=body, headers=vip.headers)
    assert not_live.status_code == 409
    await go_live(client, built)

    no_perk = await client.post(built.url("/special-requests"), json=body, headers=regular.headers)
    assert no_perk.status_code == 403
    too_long = await client.post(
        built.url("/special-requests"), json={"message": "x" * 501}, headers=vip.headers
    )
    assert too_long.status_code == 422
    made = [
        await client.post(built.url("/special-requests"), json=body, headers=vip.headers)
        for _ in range(3)
    ]
    assert [r.status_code for r in made] == [201, 201, 409], [r.text for r in made]
    assert [r.json()["requests_left"] for r in made[:2]] == [1, 0]
    me = (await client.get(built.url("/live/me"), headers=vip.headers)).json()
    assert me["perks"]["special_requests_left"] == 0

    listed = await client.get(built.url("/special-requests"), headers=built.performer.headers)
    assert len(listed.json()["items"]) == 2, "the refused ones left nothing behind"
    request_id = listed.json()["items"][0]["id"]
    answer = built.url(f"/special-requests/{request_id}")
    steps = [("done", 409), ("accepted", 200), ("accepted", 409), ("done", 200), ("declined", 409)]
    for status, expected in steps:
        response = await client.patch(answer, json={"status": status}, headers=built.owner.headers)
        assert response.status_code == expected, (status, response.text)
    assert (
        await client.patch(answer, json={"status": "nonsense"}, headers=built.owner.headers)
    ).status_code == 422
    assert (
        await client.get(built.url("/special-requests"), headers=vip.headers)
    ).status_code == 404, "the list is the hosts'"


async def test_concurrent_special_requests_stop_exactly_at_the_limit(
    live_client: httpx.AsyncClient, runtime: Runtime
) -> None:
    built = await stage(live_client, runtime)
    vip = await fan(live_client, built, "vvip")
    await go_live(live_client, built)
    responses = await asyncio.gather(
        *[
            live_client.post(
                built.url("/special-requests"), json={"message": f"song {i}"}, headers=vip.headers
            )
            for i in range(12)
        ]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201, 201] + [409] * 10, [r.text for r in responses]
    listed = await live_client.get(built.url("/special-requests"), headers=built.owner.headers)
    assert len(listed.json()["items"]) == 2


async def test_hosts_upgrade_guests_whose_category_allows_it(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    built = await stage(client, runtime, regular={"guest_upgrade": True})
    regular, vip = await fan(client, built, "regular"), await fan(client, built, "vvip")
    vvip_id = built.categories["vvip"]["id"]

    def upgrade(person_id: str, category_id: str, headers: dict[str, str]) -> object:
        return client.post(
            built.url(f"/live/guests/{person_id}/upgrade"),
            json={"category_id": category_id},
            headers=headers,
        )

    assert (await upgrade(regular.id, vvip_id, built.owner.headers)).status_code == 409, "not live"
    await go_live(client, built)
    assert (await upgrade(regular.id, vvip_id, vip.headers)).status_code == 404, "hosts only"
    unknown = await upgrade(regular.id, "00000000-0000-0000-0000-000000000000", built.owner.headers)
    assert unknown.status_code == 422
    nobody = await signed_up(client, "nobody")
    assert (await upgrade(nobody.id, vvip_id, built.owner.headers)).status_code == 404
    refused = await upgrade(vip.id, built.categories["regular"]["id"], built.owner.headers)
    assert refused.status_code == 409, "vvip does not allow upgrades"

    done = await upgrade(regular.id, vvip_id, built.performer.headers)
    assert done.status_code == 200, done.text
    assert done.json()["category"]["name"] == "vvip"
    me = (await client.get(built.url("/live/me"), headers=regular.headers)).json()
    assert me["upgraded"] is True and me["category"]["name"] == "vvip"
    assert me["perks"]["special_requests_left"] == 2 and me["perks"]["video_chat"] is True
