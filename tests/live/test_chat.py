"""Comments and moderation over HTTP: the commenting perk, length and rate limits, slow mode,
history pages, edits and deletes, hiding, bans."""

from __future__ import annotations

import httpx
import pytest

from livehouse.core import clock
from livehouse.core.runtime import Runtime
from tests.support.auth import signed_up
from tests.support.live import comment, fan, go_live, stage


async def test_who_may_comment(client: httpx.AsyncClient, runtime: Runtime) -> None:
    built = await stage(client, runtime, regular={"commenting": False})
    regular, vip = await fan(client, built, "regular"), await fan(client, built, "vvip")
    nobody = await signed_up(client, "nobody")
    assert (await comment(client, built, regular)).status_code == 403, "no commenting perk"
    assert (await comment(client, built, nobody)).status_code == 403, "no ticket"
    assert (await client.post(built.url("/comments"), json={"message": "hi"})).status_code == 401

    posted = await comment(client, built, vip, "hello world")
    assert posted.status_code == 201, posted.text
    body = posted.json()
    assert body["user_id"] == vip.id and body["category_name"] == "vvip"
    assert body["message"] == "hello world" and body["live_session_id"] is None
    show = await go_live(client, built)
    host = await comment(client, built, built.performer, "am good we moving forward")
    assert host.status_code == 201 and host.json()["category_name"] == "host"
    assert host.json()["live_session_id"] == show["id"]

    history = (await client.get(built.url("/comments"))).json()
    assert [c["message"] for c in history["items"]] == ["am good we moving forward", "hello world"]


async def test_bad_comments_change_nothing(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = await stage(client, runtime)
    vip = await fan(client, built, "vvip")
    for body in ({"message": ""}, {"message": "x" * 501}, {}, {"message": "hi", "extra": 1}):
        response = await client.post(built.url("/comments"), json=body, headers=vip.headers)
        assert response.status_code == 422, (body, response.text)
    monkeypatch.setattr(runtime.settings, "live_comment_max_length", 5)
    assert (await comment(client, built, vip, "123456")).status_code == 422
    assert (await comment(client, built, vip, "12345")).status_code == 201
    history = (await client.get(built.url("/comments"))).json()["items"]
    assert [c["message"] for c in history] == ["12345"]


async def test_history_pages_back_in_time_and_filters_by_person(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    built = await stage(client, runtime)
    vip, regular = await fan(client, built, "vvip"), await fan(client, built, "regular")
    for i in range(5):
        assert (await comment(client, built, vip if i % 2 else regular, f"m{i}")).status_code == 201
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(built.url("/comments"), params=params)).json()
        seen += [c["message"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["m4", "m3", "m2", "m1", "m0"]
    mine = (await client.get(built.url("/comments"), params={"user_id": vip.id})).json()
    assert [c["message"] for c in mine["items"]] == ["m3", "m1"]
    bad = await client.get(built.url("/comments"), params={"cursor": "nonsense"})
    assert bad.status_code == 422


async def test_edit_own_delete_own_or_as_moderator(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    built = await stage(client, runtime)
    vip, regular = await fan(client, built, "vvip"), await fan(client, built, "regular")
    mine = (await comment(client, built, vip, "helo")).json()
    url = built.url(f"/comments/{mine['id']}")
    assert (
        await client.patch(url, json={"message": "x"}, headers=regular.headers)
    ).status_code == 403
    too_long = await client.patch(url, json={"message": "x" * 501}, headers=vip.headers)
    assert too_long.status_code == 422
    edited = await client.patch(url, json={"message": "hello"}, headers=vip.headers)
    assert edited.status_code == 200 and edited.json()["message"] == "hello"
    assert edited.json()["edited_at"] is not None

    assert (await client.delete(url, headers=regular.headers)).status_code == 403
    assert (await client.delete(url, headers=vip.headers)).status_code == 204
    assert (await client.delete(url, headers=vip.headers)).status_code == 404

    other = (await comment(client, built, regular, "spam")).json()
    moderated = await client.delete(
        built.url(f"/comments/{other['id']}"), headers=built.performer.headers
    )
    assert moderated.status_code == 204, "members moderate (live.moderate)"
    assert (await client.get(built.url("/comments"))).json()["items"] == []


async def test_hidden_comments_leave_the_history(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    built = await stage(client, runtime)
    vip = await fan(client, built, "vvip")
    rude = (await comment(client, built, vip, "rude")).json()
    await comment(client, built, vip, "nice")
    hide = built.url(f"/comments/{rude['id']}/hide")
    assert (await client.post(hide, headers=vip.headers)).status_code == 404, "moderators only"
    hidden = await client.post(hide, headers=built.owner.headers)
    assert hidden.status_code == 200 and hidden.json()["hidden"] is True
    assert (await client.post(hide, headers=built.owner.headers)).status_code == 409

    public = (await client.get(built.url("/comments"))).json()["items"]
    assert [c["message"] for c in public] == ["nice"]
    everything = await client.get(
        built.url("/comments"), params={"include_hidden": "true"}, headers=built.owner.headers
    )
    assert [c["message"] for c in everything.json()["items"]] == ["nice", "rude"]
    refused = await client.get(
        built.url("/comments"), params={"include_hidden": "true"}, headers=vip.headers
    )
    assert refused.status_code == 403

    shown = await client.post(
        built.url(f"/comments/{rude['id']}/unhide"), headers=built.owner.headers
    )
    assert shown.status_code == 200 and shown.json()["hidden"] is False
    assert len((await client.get(built.url("/comments"))).json()["items"]) == 2


async def test_banned_people_cannot_comment_until_unbanned(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    built = await stage(client, runtime)
    vip = await fan(client, built, "vvip")
    said = (await comment(client, built, vip, "first")).json()
    bans = built.url("/chat/bans")
    assert (
        await client.post(bans, json={"user_id": vip.id}, headers=vip.headers)
    ).status_code == 404
    unknown = await client.post(
        bans, json={"user_id": "00000000-0000-0000-0000-000000000000"}, headers=built.owner.headers
    )
    assert unknown.status_code == 422
    banned = await client.post(
        bans, json={"user_id": vip.id, "reason": "spam"}, headers=built.performer.headers
    )
    assert banned.status_code == 201, banned.text
    assert banned.json()["reason"] == "spam" and banned.json()["banned_by"] == built.performer.id
    again = await client.post(bans, json={"user_id": vip.id}, headers=built.owner.headers)
    assert again.status_code == 409

    assert (await comment(client, built, vip, "again")).status_code == 403
    edit = await client.patch(
        built.url(f"/comments/{said['id']}"), json={"message": "edited"}, headers=vip.headers
    )
    assert edit.status_code == 403
    me = (await client.get(built.url("/live/me"), headers=vip.headers)).json()
    assert me["banned"] is True and me["perks"]["commenting"] is False
    listed = (await client.get(bans, headers=built.owner.headers)).json()["items"]
    assert [b["user_id"] for b in listed] == [vip.id]

    assert (await client.delete(f"{bans}/{vip.id}", headers=built.owner.headers)).status_code == 204
    assert (await client.delete(f"{bans}/{vip.id}", headers=built.owner.headers)).status_code == 404
    assert (await comment(client, built, vip, "back")).status_code == 201


async def test_slow_mode_spaces_one_persons_comments(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    built = await stage(client, runtime)
    vip, regular = await fan(client, built, "vvip"), await fan(client, built, "regular")
    settings_url = built.url("/chat/settings")
    assert (
        await client.patch(settings_url, json={"slow_mode_seconds": 30}, headers=vip.headers)
    ).status_code == 404
    bad = await client.patch(
        settings_url, json={"slow_mode_seconds": -1}, headers=built.owner.headers
    )
    assert bad.status_code == 422
    on = await client.patch(
        settings_url, json={"slow_mode_seconds": 30}, headers=built.owner.headers
    )
    assert on.status_code == 200 and on.json()["slow_mode_seconds"] == 30
    assert (await client.get(settings_url)).json()["slow_mode_seconds"] == 30

    later = clock.OffsetClock()
    with clock.use(later):
        assert (await comment(client, built, vip, "one")).status_code == 201
        slowed = await comment(client, built, vip, "two")
        assert slowed.status_code == 429 and 1 <= int(slowed.headers["Retry-After"]) <= 30
        assert (await comment(client, built, regular, "other person")).status_code == 201
        host = [await comment(client, built, built.owner, f"host {i}") for i in range(2)]
        assert [r.status_code for r in host] == [201, 201], "hosts are not slowed"
        later.advance(seconds=31)
        assert (await comment(client, built, vip, "three")).status_code == 201
    messages = [c["message"] for c in (await client.get(built.url("/comments"))).json()["items"]]
    assert "two" not in messages and "three" in messages


async def test_the_comment_rate_limit(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.settings, "live_comment_rate", "3/minute")
    built = await stage(client, runtime)
    vip = await fan(client, built, "vvip")
    codes = [(await comment(client, built, vip, f"c{i}")).status_code for i in range(4)]
    assert codes == [201, 201, 201, 429]
    assert len((await client.get(built.url("/comments"))).json()["items"]) == 3
    other = await fan(client, built, "vvip", tag="other")
    assert (await comment(client, built, other)).status_code == 201, "per person"
