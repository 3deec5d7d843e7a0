"""Video chats over HTTP: requests need the perk; the states move only as the rules say."""

from __future__ import annotations

import httpx

from livehouse.core.runtime import Runtime
from tests.support.auth import signed_up
from tests.support.live import fan, go_live, stage


async def _act(
    client: httpx.AsyncClient, chat_id: str, action: str, person: object
) -> httpx.Response:
    return await client.post(
        f"/v1/video-chats/{chat_id}/{action}",
        headers=person.headers,  # type: ignore[attr-defined]
    )


async def test_request_invite_accept_stage_end(client: httpx.AsyncClient, runtime: Runtime) -> None:
    built = await stage(client, runtime)
    vip, regular = await fan(client, built, "vvip"), await fan(client, built, "regular")
    url = built.url("/video-chats")
    unnamed = await client.post(url, json={}, headers=vip.headers)
    assert unnamed.status_code == 422, "no show live: the entertainer must be named"
    show = await go_live(client, built)
    assert (await client.post(url, json={}, headers=regular.headers)).status_code == 403

    asked = await client.post(url, json={}, headers=vip.headers)
    assert asked.status_code == 201, asked.text
    chat = asked.json()
    assert (chat["status"], chat["requested_by"]) == ("pending", "guest")
    assert chat["host_id"] == show["host_id"] == built.performer.id and chat["guest_id"] == vip.id
    assert (await client.post(url, json={}, headers=vip.headers)).status_code == 409, "one open"

    chat_id = chat["id"]
    assert (await _act(client, chat_id, "accept", vip)).status_code == 409, "not invited yet"
    assert (await _act(client, chat_id, "invite", vip)).status_code == 403, "the host invites"
    assert (await _act(client, chat_id, "invite", regular)).status_code == 404, "not a party"
    invited = await _act(client, chat_id, "invite", built.performer)
    assert invited.status_code == 200 and invited.json()["status"] == "invited"
    assert (await _act(client, chat_id, "live", built.performer)).status_code == 409
    assert (await _act(client, chat_id, "accept", built.performer)).status_code == 403
    accepted = await _act(client, chat_id, "accept", vip)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert (await _act(client, chat_id, "decline", vip)).status_code == 409
    staged = await _act(client, chat_id, "live", built.owner)
    assert staged.status_code == 200 and staged.json()["status"] == "live", "any host may"
    ended = await _act(client, chat_id, "end", vip)
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    assert (await _act(client, chat_id, "end", vip)).status_code == 409

    again = await client.post(url, json={}, headers=vip.headers)
    assert again.status_code == 201, "a closed chat frees the way for a new request"

    mine = (await client.get("/v1/me/video-chats", headers=vip.headers)).json()["items"]
    assert [c["status"] for c in mine] == ["pending", "ended"]
    hosts = (await client.get("/v1/me/video-chats", headers=built.performer.headers)).json()
    assert len(hosts["items"]) == 2
    listed = await client.get(url, params={"status": "pending"}, headers=built.owner.headers)
    assert [c["id"] for c in listed.json()["items"]] == [again.json()["id"]]
    assert (await client.get(url, headers=vip.headers)).status_code == 404, "hosts list"
    one = await client.get(f"/v1/video-chats/{chat_id}", headers=vip.headers)
    assert one.status_code == 200 and one.json()["status"] == "ended"
    assert (
        await client.get(f"/v1/video-chats/{chat_id}", headers=regular.headers)
    ).status_code == 404


async def test_declines_and_direct_invitations(client: httpx.AsyncClient, runtime: Runtime) -> None:
    built = await stage(client, runtime)
    vip, regular = await fan(client, built, "vvip"), await fan(client, built, "regular")
    asked = (
        await client.post(
            built.url("/video-chats"), json={"host_id": built.performer.id}, headers=vip.headers
        )
    ).json()
    assert asked["host_id"] == built.performer.id, "named entertainer, no show needed"
    assert (await _act(client, asked["id"], "decline", vip)).status_code == 409
    declined = await _act(client, asked["id"], "decline", built.performer)
    assert declined.status_code == 200 and declined.json()["status"] == "declined"

    invitations = built.url("/video-chats/invitations")
    direct = await client.post(
        invitations, json={"user_id": regular.id}, headers=built.owner.headers
    )
    assert direct.status_code == 201 and direct.json()["status"] == "invited"
    assert direct.json()["requested_by"] == "host" and direct.json()["host_id"] == built.owner.id
    twice = await client.post(
        invitations, json={"user_id": regular.id}, headers=built.owner.headers
    )
    assert twice.status_code == 409
    no = await _act(client, direct.json()["id"], "decline", regular)
    assert no.status_code == 200 and no.json()["status"] == "declined"

    pending = (
        await client.post(
            built.url("/video-chats"), json={"host_id": built.owner.id}, headers=vip.headers
        )
    ).json()
    turned = await client.post(
        invitations, json={"user_id": vip.id}, headers=built.performer.headers
    )
    assert turned.status_code == 200, "their pending request becomes the invitation"
    assert turned.json()["id"] == pending["id"] and turned.json()["host_id"] == built.performer.id


async def test_bad_requests_change_nothing(client: httpx.AsyncClient, runtime: Runtime) -> None:
    built = await stage(client, runtime)
    vip = await fan(client, built, "vvip")
    stranger = await signed_up(client, "stranger")
    url = built.url("/video-chats")
    for body in (
        {"host_id": stranger.id},  # not an entertainer of the event
        {"host_id": "00000000-0000-0000-0000-000000000000"},
        {"host_id": vip.id},
        {"host_id": "not-a-uuid"},
        {"other": 1},
    ):
        response = await client.post(url, json=body, headers=vip.headers)
        assert response.status_code == 422, (body, response.text)
    invitations = built.url("/video-chats/invitations")
    for body in ({"user_id": "00000000-0000-0000-0000-000000000000"}, {"user_id": built.owner.id}):
        response = await client.post(invitations, json=body, headers=built.owner.headers)
        assert response.status_code == 422, (body, response.text)
    assert (await client.get(url, headers=built.owner.headers)).json()["items"] == []
