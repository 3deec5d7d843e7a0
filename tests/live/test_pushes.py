"""Live changes reach the right sockets — and only them — over a real uvicorn: the native
protocol (/v1/realtime) and pusher-js, with private and presence channels authorised by the
show's rules (a ticket for the show, or the team)."""

from __future__ import annotations

from typing import Any

import httpx

from livehouse.core.runtime import Runtime
from tests.realtime.clients import Native, until
from tests.realtime.conftest import StartJs
from tests.support.auth import make_platform_admin, signed_up
from tests.support.live import comment, fan, go_live, stage


def _message(event: str, **data: Any) -> Any:
    return lambda f: (
        f.get("type") == "message"
        and f.get("event") == event
        and all(f["data"].get(k) == v for k, v in data.items())
    )


async def test_comments_reach_the_seed_channel_and_the_events_channel_only(
    base: str, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    built, other = await stage(http, runtime), await stage(http, runtime)
    vip = await fan(http, built, "vvip")
    everyone, this_show, other_show = [await Native.connect(base) for _ in range(3)]
    await everyone.subscribe("comment")
    await this_show.subscribe(f"event.{built.event_id}")
    await other_show.subscribe(f"event.{other.event_id}")

    posted = (await comment(http, built, vip, "how are you doing")).json()
    for socket, channel in ((everyone, "comment"), (this_show, f"event.{built.event_id}")):
        got = await socket.expect(_message("comment", id=posted["id"]))
        assert got["channel"] == channel
        assert got["data"]["message"] == "how are you doing"
        assert got["data"]["event_id"] == built.event_id and got["data"]["category_name"] == "vvip"

    edited = await http.patch(
        built.url(f"/comments/{posted['id']}"), json={"message": "edited"}, headers=vip.headers
    )
    assert edited.status_code == 200
    assert (await this_show.expect(_message("commentUpdated")))["data"]["message"] == "edited"
    hidden = await http.post(
        built.url(f"/comments/{posted['id']}/hide"), headers=built.owner.headers
    )
    assert hidden.status_code == 200
    got = await this_show.expect(_message("commentHidden", id=posted["id"]))
    assert got["data"]["hidden"] is True
    refused = await comment(http, built, await fan(http, built, "vvip", tag="banned"), "x" * 501)
    assert refused.status_code == 422
    assert await other_show.quiet() == [], "another event's channel heard nothing"
    for socket in (everyone, this_show, other_show):
        await socket.close()


async def test_the_audience_channel_is_for_ticket_holders_and_the_team(
    base: str, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    built = await stage(http, runtime)
    vip, outsider = await fan(http, built, "vvip"), await signed_up(http, "outsider")
    await go_live(http, built)
    channel = f"private-event.{built.event_id}"
    socket = await Native.connect(base)
    assert (await socket.subscribe(channel))["code"] == "unauthorized"
    assert (await socket.subscribe(channel, token=outsider.access_token))["code"] == "forbidden"
    team = await Native.connect(base)
    assert (await team.subscribe(channel, token=built.performer.access_token))[
        "type"
    ] == "subscribed"
    holder = await Native.connect(base)
    assert (await holder.subscribe(channel, token=vip.access_token))["type"] == "subscribed"

    entered = await http.post(built.url("/live/entry"), headers=vip.headers)
    assert entered.json()["announced"] is True
    for listener in (team, holder):
        got = await listener.expect(_message("cheerfulEntry", user_id=vip.id))
        assert got["data"]["category"] == "vvip"
    assert await socket.quiet() == [], "the refused socket got nothing"
    for s in (socket, team, holder):
        await s.close()


async def test_a_refunded_ticket_closes_the_audience_channel_at_once(
    base: str, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    built = await stage(http, runtime)
    vip = await fan(http, built, "vvip")
    channel = f"private-event.{built.event_id}"
    holder = await Native.connect(base)
    assert (await holder.subscribe(channel, token=vip.access_token))["type"] == "subscribed"
    [order] = (await http.get("/v1/me/orders", headers=vip.headers)).json()["items"]
    refunded = await http.post(
        built.url(f"/orders/{order['id']}/refunds"), headers=built.shop.owner.headers, json={}
    )
    assert refunded.status_code == 200 and refunded.json()["status"] == "refunded"
    assert (await holder.expect(type="unsubscribed")) == {
        "type": "unsubscribed",
        "channel": channel,
        "reason": "unauthorized",
    }
    assert (await holder.subscribe(channel, token=vip.access_token))["code"] == "forbidden"
    await holder.close()


async def test_viewer_counts_come_from_presence_and_watchers_from_the_show_channel(
    base: str, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    built = await stage(http, runtime)
    vip, regular = await fan(http, built, "vvip"), await fan(http, built, "regular")
    outsider = await signed_up(http, "outsider")
    show = await go_live(http, built)
    channel = f"presence-event.{built.event_id}"
    first, second = await Native.connect(base), await Native.connect(base)
    ack = await first.subscribe(channel, token=vip.access_token)
    assert ack["presence"]["count"] == 1
    assert ack["presence"]["members"][vip.id]["category"] == "vvip"
    assert ack["presence"]["members"][vip.id]["cheerful_entry"] is True
    await second.subscribe(channel, token=regular.access_token)
    joined = await first.expect(type="member_added")
    assert joined["member"]["id"] == regular.id
    intruder = await Native.connect(base)
    assert (await intruder.subscribe(channel, token=outsider.access_token))["code"] == "forbidden"

    # Anyone may follow the public show channel, signed in or not: they are watching.
    watchers = [await Native.connect(base) for _ in range(3)]
    for watcher in watchers:
        await watcher.subscribe(f"event.{built.event_id}")

    live = (await http.get("/v1/live-sessions")).json()["items"]
    assert [(s["id"], s["viewers"], s["watching"]) for s in live] == [(show["id"], 2, 3)]
    await second.close()
    await first.expect(type="member_removed")
    await watchers[0].close()

    async def counts() -> tuple[int, int]:
        again = (await http.get(f"/v1/live-sessions/{show['id']}")).json()
        return again["viewers"], again["watching"]

    await until(counts, (1, 2))
    await first.close()
    await intruder.close()
    for watcher in watchers[1:]:
        await watcher.close()


async def test_video_chat_changes_reach_both_private_channels_and_the_studio(
    base: str, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    built = await stage(http, runtime)
    vip, nosy = await fan(http, built, "vvip"), await fan(http, built, "vvip", tag="nosy")
    await go_live(http, built)
    host_socket, fan_socket, studio = [await Native.connect(base) for _ in range(3)]
    await host_socket.subscribe(
        f"private-user.{built.performer.id}", token=built.performer.access_token
    )
    await fan_socket.subscribe(f"private-user.{vip.id}", token=vip.access_token)
    await studio.subscribe(f"private-studio.{built.event_id}", token=built.owner.access_token)
    spy = await Native.connect(base)
    assert (await spy.subscribe(f"private-user.{vip.id}", token=nosy.access_token))[
        "code"
    ] == "forbidden"
    studio_spy = await spy.subscribe(f"private-studio.{built.event_id}", token=nosy.access_token)
    assert studio_spy["code"] == "forbidden"

    chat = (await http.post(built.url("/video-chats"), json={}, headers=vip.headers)).json()
    for socket in (host_socket, fan_socket, studio):
        got = await socket.expect(_message("videoChat", id=chat["id"]))
        assert got["data"]["status"] == "pending"
    invited = await http.post(
        f"/v1/video-chats/{chat['id']}/invite", headers=built.performer.headers
    )
    assert invited.status_code == 200
    for socket in (host_socket, fan_socket, studio):
        assert (await socket.expect(_message("videoChat")))["data"]["status"] == "invited"
    wrong = await http.post(f"/v1/video-chats/{chat['id']}/live", headers=built.performer.headers)
    assert wrong.status_code == 409
    accepted = await http.post(f"/v1/video-chats/{chat['id']}/accept", headers=vip.headers)
    assert accepted.status_code == 200
    got = await fan_socket.expect(_message("videoChat"))
    assert got["data"]["status"] == "accepted", "the refused move announced nothing"
    assert await spy.quiet() == []
    for socket in (host_socket, fan_socket, studio, spy):
        await socket.close()


async def test_banners_brand_and_shows_are_announced(
    base: str, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    built = await stage(http, runtime)
    banners, brands, shows, this_show = [await Native.connect(base) for _ in range(4)]
    await banners.subscribe("banner")
    await brands.subscribe("brand")
    await shows.subscribe("liveEvents")
    await this_show.subscribe(f"event.{built.event_id}")
    headers = built.owner.headers

    draft = await http.post(built.url("/banners"), json={"title": "soon"}, headers=headers)
    assert draft.status_code == 201
    live = await http.post(
        built.url("/banners"), json={"title": "hello", "status": "live"}, headers=headers
    )
    got = await banners.expect(_message("banner"))
    assert got["data"]["id"] == live.json()["id"], "the draft was never announced"
    taken_down = await http.patch(
        built.url(f"/banners/{live.json()['id']}"), json={"status": "draft"}, headers=headers
    )
    assert taken_down.status_code == 200
    assert (await banners.expect(_message("banner")))["data"]["status"] == "draft"

    brand = await http.put(built.url("/brand"), json={"colour": "#ff6347"}, headers=headers)
    assert brand.status_code == 201
    assert (await brands.expect(_message("brand")))["data"]["colour"] == "#ff6347"

    show = await go_live(http, built)
    started = await shows.expect(_message("live", id=show["id"]))
    assert started["data"]["is_live"] is True and started["data"]["stage_name"] == "Davido Live"
    await http.post(f"/v1/live-sessions/{show['id']}/stop", headers=headers)
    stopped = await shows.expect(_message("live", id=show["id"]))
    assert stopped["data"]["is_live"] is False

    seen = [f["event"] for f in await this_show.quiet(1.0) if f.get("type") == "message"]
    for event in ("banner", "brand", "live"):
        assert event in seen, (event, seen)
    for socket in (banners, brands, shows, this_show):
        await socket.close()


async def test_a_show_ends_when_events_own_routes_take_the_event_out_of_live(
    base: str, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    built = await stage(http, runtime)
    shows = await Native.connect(base)
    await shows.subscribe("liveEvents")
    headers = built.owner.headers
    for leave in ("stop live", "end early"):
        show = await go_live(http, built)
        assert (await shows.expect(_message("live", id=show["id"])))["data"]["is_live"] is True
        if leave == "stop live":
            left = await http.delete(f"/v1/events/{built.event_id}/live", headers=headers)
        else:
            left = await http.post(built.url("/end"), headers=headers)
        assert left.status_code == 200, left.text
        stopped = await shows.expect(_message("live", id=show["id"]))
        assert stopped["data"]["is_live"] is False and stopped["data"]["ended_at"], leave
        after = (await http.get(f"/v1/live-sessions/{show['id']}")).json()
        assert after["ended_at"] is not None and after["is_live"] is False, leave
    assert (await http.get("/v1/live-sessions")).json()["items"] == []

    suspended_stage = await stage(http, runtime)
    show = await go_live(http, suspended_stage)
    await shows.expect(_message("live", id=show["id"]))
    admin = await signed_up(http, "admin")
    await make_platform_admin(runtime, admin)
    suspended = await http.post(suspended_stage.url("/suspend"), headers=admin.headers)
    assert suspended.status_code == 200, suspended.text
    assert (await shows.expect(_message("live", id=show["id"])))["data"]["is_live"] is False
    await shows.close()


async def test_pusher_js_follows_a_shows_comments(
    base: str, http: httpx.AsyncClient, runtime: Runtime, start_js: StartJs
) -> None:
    """The snippet in docs/capabilities/live.md: pusher-js, the event's channel, `comment`."""
    built = await stage(http, runtime)
    vip = await fan(http, built, "vvip")
    client = await start_js(lib="pusher")
    await client.expect(type="connected")
    await client.send(op="subscribe", channel=f"event.{built.event_id}")
    await client.expect(type="subscribed", channel=f"event.{built.event_id}")
    await client.send(op="bind", channel=f"event.{built.event_id}", event="comment")
    await client.expect(type="binding")
    posted = await comment(http, built, vip, "from pusher-js")
    assert posted.status_code == 201
    got = await client.expect(type="bound")
    assert got["data"]["message"] == "from pusher-js" and got["data"]["user_name"]
