"""The native protocol at /v1/realtime, through a real uvicorn: services publish through
`core.realtime.publish` (after commit), sockets subscribe, private and presence channels are
authorised by the channel rules, and a reconnecting client resumes without losing messages."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from livehouse.core.middleware import UnitOfWorkMiddleware, WebSocketRoutesMiddleware
from livehouse.core.runtime import Runtime
from livehouse.realtime.backend import id_key
from tests.realtime.clients import Native
from tests.support.auth import add_member, create_org, signed_up


async def publish_note(http: httpx.AsyncClient, channel: str, title: str, **query: str) -> int:
    """A request whose service publishes on `channel` once its transaction commits."""
    params = {"publish": channel, **query}
    response = await http.post("/_test/notes", params=params, json={"title": title})
    return response.status_code


async def test_sockets_are_served_in_front_of_the_http_layers(app: FastAPI) -> None:
    """Every HTTP layer a socket passes holds memory for its lifetime and wraps each frame of a
    fan-out (docs/benchmarks.md#fanout): the realtime routes are taken before them."""
    [layer] = [m for m in app.user_middleware if m.cls is WebSocketRoutesMiddleware]
    paths = {route.path for route in layer.kwargs["routes"]}  # type: ignore[attr-defined]
    assert {"/v1/realtime", "/app/{key}", "/app{rest:path}"} <= paths
    outermost_first = [m.cls for m in app.user_middleware]
    assert outermost_first.index(WebSocketRoutesMiddleware) < outermost_first.index(
        UnitOfWorkMiddleware
    )


async def test_welcome_and_ping(base: str, runtime: Runtime) -> None:
    socket = await Native.connect(base)
    assert socket.welcome["connection_id"]
    assert socket.welcome["heartbeat"] > 0 and socket.welcome["max_frame_bytes"] > 0
    [conn] = [c for c in runtime.hub.connections if c.socket_id == socket.welcome["connection_id"]]
    assert conn.direct is not None, "uncompressed under uvicorn: frame bytes go to the transport"
    await socket.send(type="ping", ref=7)
    assert await socket.expect(type="pong") == {"type": "pong", "ref": 7}
    await socket.close()


async def test_services_publish_to_public_channels_after_commit(
    base: str, http: httpx.AsyncClient
) -> None:
    socket = await Native.connect(base)
    ack = await socket.subscribe("comment", ref="s1")
    assert ack["type"] == "subscribed" and ack["ref"] == "s1" and "last_id" in ack

    assert await publish_note(http, "comment", "hello") == 201
    first = await socket.expect(type="message")
    assert first["channel"] == "comment" and first["event"] == "note.created"
    assert first["data"] == {"title": "hello"}

    assert await publish_note(http, "comment", "rolled back", fail="problem") == 409
    assert await publish_note(http, "comment", "after") == 201
    second = await socket.expect(type="message")
    assert second["data"] == {"title": "after"}, "the rolled-back request announced nothing"
    assert id_key(second["id"]) > id_key(first["id"])
    await socket.close()


async def test_durable_publish_goes_through_the_outbox(
    base: str, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    socket = await Native.connect(base)
    await socket.subscribe("liveEvents")
    assert await publish_note(http, "liveEvents", "durable", durable="true") == 201
    await runtime.outbox.run_pending()
    message = await socket.expect(type="message")
    assert message["data"] == {"title": "durable"} and message["id"]
    await socket.close()


async def test_unsubscribe_stops_messages(base: str, http: httpx.AsyncClient) -> None:
    socket = await Native.connect(base)
    await socket.subscribe("banner")
    await socket.send(type="unsubscribe", channel="banner", ref=2)
    assert await socket.expect(type="unsubscribed") == {
        "type": "unsubscribed",
        "channel": "banner",
        "ref": 2,
    }
    await publish_note(http, "banner", "unseen")
    await socket.send(type="ping")
    assert await socket.expect(type="pong") == {"type": "pong"}, "nothing came before the pong"
    await socket.close()


async def test_private_user_channel_is_for_that_user_only(
    base: str, http: httpx.AsyncClient
) -> None:
    ada, bob = await signed_up(http, "ada"), await signed_up(http, "bob")
    channel = f"private-user.{ada.id}"
    socket = await Native.connect(base)

    refused = await socket.subscribe(channel)
    assert refused["type"] == "error" and refused["code"] == "unauthorized"
    refused = await socket.subscribe(channel, token="not-a-token")
    assert refused["code"] == "unauthorized"
    refused = await socket.subscribe(channel, token=bob.access_token)
    assert refused["code"] == "forbidden"

    ack = await socket.subscribe(channel, token=ada.access_token)
    assert ack["type"] == "subscribed"
    assert await publish_note(http, channel, "just for ada") == 201
    assert (await socket.expect(type="message"))["data"] == {"title": "just for ada"}
    await socket.close()


async def test_unregistered_private_and_presence_channels_are_refused(
    base: str, http: httpx.AsyncClient
) -> None:
    ada = await signed_up(http, "ada")
    socket = await Native.connect(base)
    for channel in ("private-secret-plans", "presence-nobody.1", "private-user"):
        refused = await socket.subscribe(channel, token=ada.access_token)
        assert refused["code"] == "unknown_channel", refused
    refused = await socket.subscribe("private-encrypted-x", token=ada.access_token)
    assert refused["code"] == "unsupported"
    for bad in ("", "spaces are not allowed", "x" * 201, 42):
        await socket.send(type="subscribe", channel=bad)
        assert (await socket.expect(type="error"))["code"] == "invalid_channel"
    await socket.close()


async def test_org_channels_are_for_the_team(
    base: str, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner, member, outsider = [await signed_up(http, t) for t in ("own", "mem", "out")]
    org = await create_org(http, owner, "Jazz Cellar")
    await add_member(runtime, org["id"], member, "member")
    channel = f"private-org.{org['id']}"

    socket = await Native.connect(base)
    assert (await socket.subscribe(channel, token=outsider.access_token))["code"] == "forbidden"
    assert (await socket.subscribe(channel, token=member.access_token))["type"] == "subscribed"
    assert await publish_note(http, channel, "sold out") == 201
    assert (await socket.expect(type="message"))["data"] == {"title": "sold out"}
    await socket.close()


async def test_presence_lists_members_and_announces_changes(
    base: str, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner, member = await signed_up(http, "own", full_name="Olga Owner"), await signed_up(http, "m")
    org = await create_org(http, owner, "Presence Hall")
    await add_member(runtime, org["id"], member, "member")
    channel = f"presence-org.{org['id']}"

    first = await Native.connect(base)
    ack = await first.subscribe(channel, token=owner.access_token)
    assert ack["presence"] == {
        "me": owner.id,
        "count": 1,
        "members": {owner.id: {"name": "Olga Owner"}},
    }

    second = await Native.connect(base)
    ack = await second.subscribe(channel, token=member.access_token)
    assert ack["presence"]["count"] == 2
    assert set(ack["presence"]["members"]) == {owner.id, member.id}
    added = await first.expect(type="member_added")
    assert added["member"]["id"] == member.id and added["channel"] == channel

    # The same person on a second socket is one member: no announcement.
    again = await Native.connect(base)
    assert (await again.subscribe(channel, token=member.access_token))["presence"]["count"] == 2
    await again.close()
    await second.close()
    removed = await first.expect(type="member_removed")
    assert removed["member"] == {"id": member.id}
    assert [f for f in first.seen if f["type"] == "member_added"] == [added], "no duplicates"
    await first.close()


async def test_client_events_reach_the_others_not_the_sender(
    base: str, http: httpx.AsyncClient
) -> None:
    ada = await signed_up(http, "ada")
    channel = f"private-user.{ada.id}"
    sender, receiver = await Native.connect(base), await Native.connect(base)
    await sender.subscribe(channel, token=ada.access_token)
    await receiver.subscribe(channel, token=ada.access_token)

    await sender.send(type="publish", channel=channel, event="client-typing", data={"on": True})
    got = await receiver.expect(type="message")
    assert got == {
        "type": "message",
        "channel": channel,
        "event": "client-typing",
        "data": {"on": True},
    }

    await sender.send(type="publish", channel=channel, event="server-only", data={}, ref=1)
    assert (await sender.expect(type="error"))["code"] == "forbidden"
    await sender.subscribe("comment")
    await sender.send(type="publish", channel="comment", event="client-x", data={})
    assert (await sender.expect(type="error"))["code"] == "forbidden"
    await sender.send(type="publish", channel="banner", event="client-x", data={})
    assert (await sender.expect(type="error"))["code"] == "not_subscribed"
    assert await sender.quiet() == [], "the sender never got its own event"
    await sender.close()
    await receiver.close()


async def test_a_reconnecting_client_resumes_without_losing_messages(
    base: str, http: httpx.AsyncClient
) -> None:
    socket = await Native.connect(base)
    await socket.subscribe("tipping_show1")
    await publish_note(http, "tipping_show1", "one")
    last = (await socket.expect(type="message"))["id"]
    await socket.close()

    for title in ("two", "three"):
        assert await publish_note(http, "tipping_show1", title) == 201

    again = await Native.connect(base)
    ack = await again.subscribe("tipping_show1", since=last)
    assert ack["recovered"] is True
    missed = [await again.expect(type="message") for _ in range(2)]
    assert [m["data"]["title"] for m in missed] == ["two", "three"]
    assert ack["last_id"] == missed[-1]["id"]
    await publish_note(http, "tipping_show1", "four")
    assert (await again.expect(type="message"))["data"] == {"title": "four"}
    await again.close()


async def test_resume_from_the_acknowledged_position_when_nothing_arrived(
    base: str, http: httpx.AsyncClient
) -> None:
    await publish_note(http, "brand", "before anyone listened")
    socket = await Native.connect(base)
    ack = await socket.subscribe("brand")
    assert ack["last_id"], "the acknowledgement says where the channel is"
    await socket.close()
    await publish_note(http, "brand", "while away")

    again = await Native.connect(base)
    resumed = await again.subscribe("brand", since=ack["last_id"])
    assert resumed["recovered"] is True
    assert (await again.expect(type="message"))["data"] == {"title": "while away"}
    await again.close()


async def test_a_gap_too_old_is_reported_not_papered_over(
    base: str, http: httpx.AsyncClient
) -> None:
    await publish_note(http, "comment", "kept")
    socket = await Native.connect(base)
    for since in ("1-0", "not-an-id"):
        ack = await socket.subscribe("comment", since=since)
        assert ack["recovered"] is False, since
    assert await socket.quiet() == [], "nothing is replayed when the history cannot be trusted"
    await socket.close()
