"""Bad input gets a protocol error or a disconnect, and never affects other sockets: each test
keeps a well-behaved socket on the same channel and checks it still gets everything."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from livehouse.core.runtime import Runtime
from tests.realtime.clients import Native, RawPusher, Stalled


async def bystander(base: str, channel: str) -> Native:
    socket = await Native.connect(base)
    assert (await socket.subscribe(channel))["type"] == "subscribed"
    return socket


async def still_served(runtime: Runtime, socket: Native, channel: str, n: int = 1) -> None:
    """The well-behaved socket gets what is published now, in order."""
    for i in range(n):
        await runtime.publisher.publish(channel, "tick", {"i": i})
    got = [(await socket.expect(type="message"))["data"]["i"] for _ in range(n)]
    assert got == list(range(n))


async def test_malformed_native_frames_get_errors(base: str, runtime: Runtime) -> None:
    good = await bystander(base, "comment")
    bad = await Native.connect(base)
    for raw in ("not json", "[1, 2]", '"a string"', "{"):
        await bad.ws.send(raw)
        assert (await bad.expect(type="error"))["code"] == "invalid_frame", raw
    await bad.ws.send(b"\x00\x01binary")
    assert (await bad.expect(type="error"))["code"] == "invalid_frame"
    await bad.send(type="dance")
    assert (await bad.expect(type="error"))["code"] == "unknown_type"
    await bad.send(type="subscribe")
    assert (await bad.expect(type="error"))["code"] == "invalid_channel"
    await bad.send(type="ping")
    assert (await bad.expect(type="pong"))["type"] == "pong", "the socket is still open"
    await still_served(runtime, good, "comment")
    await bad.close()
    await good.close()


async def test_malformed_pusher_frames_get_errors(base: str, runtime: Runtime) -> None:
    good = await bystander(base, "comment")
    bad = await RawPusher.connect(base, runtime.settings.pusher_key)
    await bad.established()
    for raw in ("not json", "[]", '{"data": {}}', '{"event": 5}'):
        await bad.ws.send(raw)
        error = await bad.expect("pusher:error")
        assert error["data"]["code"] is None and error["data"]["message"], raw
    await bad.send("pusher:subscribe", {"nothing": "here"})
    assert (await bad.expect("pusher:error"))["data"]["message"]
    await bad.send("pusher:subscribe", {"channel": "has spaces"})
    refused = await bad.expect("pusher:subscription_error", "has spaces")
    assert json.loads(refused["data"])["status"] == 400
    await bad.send("pusher:signin", {})
    assert (await bad.expect("pusher:error"))["data"]["message"]
    await bad.send("pusher:ping")
    await bad.expect("pusher:pong")
    await still_served(runtime, good, "comment")
    await bad.ws.close()
    await good.close()


@pytest.mark.parametrize("protocol", ["native", "pusher"])
async def test_oversized_frames_disconnect(base: str, runtime: Runtime, protocol: str) -> None:
    good = await bystander(base, "comment")
    huge = json.dumps(
        {"type": "ping", "pad": "x" * (runtime.settings.realtime_max_frame_bytes + 1)}
    )
    if protocol == "native":
        bad = await Native.connect(base)
        await bad.ws.send(huge)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await bad.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    else:
        raw = await RawPusher.connect(base, runtime.settings.pusher_key)
        await raw.established()
        await raw.ws.send(huge)
        assert (await raw.closed())[0] == 1009
    await still_served(runtime, good, "comment")
    await good.close()


async def test_flooding_native_disconnects(base: str, runtime: Runtime) -> None:
    good = await bystander(base, "comment")
    bad = await Native.connect(base)
    with pytest.raises(websockets.ConnectionClosed) as closed:
        for _ in range(1000):
            await bad.send(type="ping")
        while True:
            await bad.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    await still_served(runtime, good, "comment")
    await good.close()


async def test_flooding_pusher_disconnects_with_4301(base: str, runtime: Runtime) -> None:
    good = await bystander(base, "comment")
    bad = await RawPusher.connect(base, runtime.settings.pusher_key)
    await bad.established()
    for _ in range(1000):
        try:
            await bad.send("pusher:ping")
        except websockets.ConnectionClosed:
            break
    assert (await bad.closed())[0] == 4301
    await still_served(runtime, good, "comment")
    await good.close()


async def test_client_events_over_the_rate_get_4301_errors(base: str, runtime: Runtime) -> None:
    settings = runtime.settings
    from livehouse.realtime import signatures

    bad = await RawPusher.connect(base, settings.pusher_key)
    socket_id = await bad.established()
    channel = "private-user.rate"
    auth = signatures.channel_auth(settings.pusher_key, settings.pusher_secret, socket_id, channel)
    await bad.send("pusher:subscribe", {"channel": channel, "auth": auth})
    await bad.expect("pusher_internal:subscription_succeeded", channel)
    allowed = settings.realtime_client_events_per_second
    for i in range(allowed + 5):
        await bad.send("client-spam", {"i": i}, channel=channel)
    await bad.send("pusher:ping")
    refused = 0
    while (frame := await bad.recv())["event"] != "pusher:pong":  # errors, not a disconnect
        assert frame["event"] == "pusher:error" and frame["data"]["code"] == 4301, frame
        refused += 1
    assert 1 <= refused <= 5
    await bad.ws.close()


async def test_too_many_channels(
    base: str, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.settings, "realtime_max_channels_per_socket", 3)
    socket = await Native.connect(base)
    for n in range(3):
        assert (await socket.subscribe(f"c{n}"))["type"] == "subscribed"
    assert (await socket.subscribe("c3"))["code"] == "too_many_channels"
    await socket.close()


async def test_closed_sockets_leave_their_channels(base: str, runtime: Runtime) -> None:
    socket = await Native.connect(base)
    await socket.subscribe("brand")
    assert "brand" in runtime.hub.channels
    await socket.close()
    for _ in range(200):  # the server notices the close as soon as its reader sees it
        if "brand" not in runtime.hub.channels:
            break
        await asyncio.sleep(0.01)
    assert "brand" not in runtime.hub.channels


async def test_slow_readers_are_disconnected_not_waited_for(
    base: str, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.settings, "realtime_send_queue_messages", 8)
    monkeypatch.setattr(runtime.settings, "realtime_send_queue_bytes", 64 * 1024)
    good = await bystander(base, "tipping_slow")
    slow = await Stalled.open(
        base, "/v1/realtime", {"type": "subscribe", "channel": "tipping_slow"}
    )
    async with slow:
        for _ in range(500):  # until the stalled socket's subscribe has been processed
            if len(runtime.hub.channels.get("tipping_slow", ())) == 2:
                break
            await asyncio.sleep(0.01)
        assert len(runtime.hub.channels["tipping_slow"]) == 2

        # 12 MB: far more than the kernel's socket buffers (up to 4 MB here), the transport's
        # buffer and the backlog can hold for a client that does not read.
        payload, sent = "x" * 8000, 1500
        got = []
        for i in range(sent):
            await runtime.publisher.publish("tipping_slow", "tip", {"i": i, "pad": payload})
            got.append((await good.expect(type="message"))["data"]["i"])
        assert got == list(range(sent)), "the room got every message, in order"
        assert len(runtime.hub.channels["tipping_slow"]) == 1, "the slow reader left the channel"

        code, received = await slow.read_until_closed()
        assert code == 1013
        assert received < sent
    await good.close()
