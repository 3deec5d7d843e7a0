"""Two app nodes (separate processes) and one Redis: a message published on one node reaches
sockets on the other, presence spans nodes, a client resumes on another node from the history
kept in Redis, and the heartbeat closes sockets that stop answering."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pusher
import pytest
import redis.asyncio as redis
import websockets

from livehouse.core.runtime import Runtime
from livehouse.core.settings import Settings
from livehouse.realtime.backend import Envelope, RedisBackend, _decode_bus, bus_of
from livehouse.realtime.service import Member
from tests.realtime.clients import Native, RawPusher, pusher_client, until
from tests.realtime.nodes import Node, start_node
from tests.support.auth import add_member, create_org, signed_up


@pytest.fixture(scope="module")
async def pair(settings: Settings, redis_url: str, app: object) -> AsyncIterator[tuple[Node, Node]]:
    a, b = await asyncio.gather(start_node(settings, redis_url), start_node(settings, redis_url))
    yield a, b
    await asyncio.gather(a.stop(), b.stop())


def api_of(node: Node, settings: Settings) -> pusher.Pusher:
    return pusher_client(node.url, settings)  # type: ignore[no-any-return]


def unique(name: str) -> str:
    return f"{name}_{uuid.uuid4().hex[:8]}"


async def test_published_on_one_node_delivered_on_the_other(
    pair: tuple[Node, Node], settings: Settings, base: str, redis_url: str
) -> None:
    a, b = pair
    channel = unique("comment")
    on_b = await Native.connect(b.url)
    await on_b.subscribe(channel)
    raw_on_b = await RawPusher.connect(b.url, settings.pusher_key)
    await raw_on_b.established()
    await raw_on_b.send("pusher:subscribe", {"channel": channel})
    await raw_on_b.expect("pusher_internal:subscription_succeeded", channel)
    on_a = await Native.connect(a.url)
    await on_a.subscribe(channel)

    async with bus_listener(redis_url) as heard:
        await asyncio.to_thread(api_of(a, settings).trigger, channel, "comment.created", {"m": 1})
        for socket in (on_b, on_a):
            message = await socket.expect(type="message")
            assert message["data"] == {"m": 1} and message["id"]
        frame = await raw_on_b.expect("comment.created", channel)
        assert json.loads(frame["data"]) == {"m": 1}
    assert [e.event for e in heard if e.channel == channel] == ["comment.created"], (
        "one PUBLISH per message, whatever the number of sockets and nodes"
    )
    for socket in (on_a, on_b):
        await socket.close()
    await raw_on_b.ws.close()


@contextlib.asynccontextmanager
async def bus_listener(url: str) -> AsyncIterator[list[Envelope]]:
    """Everything PUBLISHed on the realtime bus of `url`'s database while the block runs."""
    client = redis.Redis.from_url(url)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(bus_of(client))
    heard: list[Envelope] = []
    try:
        yield heard
    finally:
        deadline = asyncio.get_running_loop().time() + 0.5
        while asyncio.get_running_loop().time() < deadline:  # None also for ignored frames
            message = await pubsub.get_message(timeout=0.1)
            if message is not None:
                heard.append(_decode_bus(message["data"]))
        await pubsub.aclose()
        await client.aclose()


async def test_deployments_on_other_databases_of_one_redis_do_not_hear_each_other(
    redis_url: str,
) -> None:
    """PUBLISH ignores database numbers; the bus is named after the database."""
    base, _, db = redis_url.rpartition("/")
    neighbour_url = f"{base}/{(int(db) + 8) % 16}"
    ours, theirs = RedisBackend(redis_url, 10, 60, 10), RedisBackend(neighbour_url, 10, 60, 10)
    heard_ours: list[Envelope] = []
    heard_theirs: list[Envelope] = []
    await ours.start(heard_ours.append, "ours-" + uuid.uuid4().hex[:6])
    await theirs.start(heard_theirs.append, "theirs-" + uuid.uuid4().hex[:6])
    channel = unique("comment")
    try:
        await theirs.publish(Envelope(channel, "secret"), store=True)
        await ours.publish(Envelope(channel, "ours"), store=True)
        for _ in range(100):
            if heard_ours and heard_theirs:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)  # room for a stray delivery to arrive
        assert [e.event for e in heard_ours if e.channel == channel] == ["ours"]
        assert [e.event for e in heard_theirs if e.channel == channel] == ["secret"]
    finally:
        await ours.close()
        await theirs.close()


async def test_resume_on_another_node(
    pair: tuple[Node, Node], settings: Settings, base: str
) -> None:
    a, b = pair
    channel = unique("tipping")
    api = api_of(a, settings)
    first = await Native.connect(a.url)
    await first.subscribe(channel)
    await asyncio.to_thread(api.trigger, channel, "tip", {"n": 1})
    last = (await first.expect(type="message"))["id"]
    await first.close()
    for n in (2, 3):
        await asyncio.to_thread(api.trigger, channel, "tip", {"n": n})

    again = await Native.connect(b.url)
    ack = await again.subscribe(channel, since=last)
    assert ack["recovered"] is True
    assert [(await again.expect(type="message"))["data"]["n"] for _ in range(2)] == [2, 3]
    gone = await again.subscribe(unique("tipping"), since=last)
    assert gone["recovered"] is False
    await again.close()


async def test_presence_and_client_events_span_nodes(
    pair: tuple[Node, Node],
    settings: Settings,
    base: str,
    http: httpx.AsyncClient,
    runtime: Runtime,
) -> None:
    a, b = pair
    owner, member = await signed_up(http, "own"), await signed_up(http, "mem")
    org = await create_org(http, owner, "Two Node Hall")
    await add_member(runtime, org["id"], member, "member")
    channel = f"presence-org.{org['id']}"

    on_a, on_b = await Native.connect(a.url), await Native.connect(b.url)
    assert (await on_a.subscribe(channel, token=owner.access_token))["presence"]["count"] == 1
    ack = await on_b.subscribe(channel, token=member.access_token)
    assert set(ack["presence"]["members"]) == {owner.id, member.id}
    assert (await on_a.expect(type="member_added"))["member"]["id"] == member.id

    await on_b.send(type="publish", channel=channel, event="client-wave", data={"hi": 1})
    wave = await on_a.expect(type="message")
    assert wave["event"] == "client-wave" and wave["user_id"] == member.id

    await on_b.close()
    assert (await on_a.expect(type="member_removed"))["member"] == {"id": member.id}
    await on_a.close()


async def test_members_of_a_dead_node_are_removed(redis_url: str, settings: Settings) -> None:
    channel = unique("presence-room")
    seen: list[Envelope] = []
    alive = RedisBackend(redis_url, 10, 60, 10)
    dead = RedisBackend(redis_url, 10, 60, 10)
    await alive.start(seen.append, "alive-" + uuid.uuid4().hex[:6])
    dead.node_id = "dead-" + uuid.uuid4().hex[:6]  # never beats: as if it crashed
    try:
        await dead.presence_join(channel, "1.1", Member("ghost", {}), "1.1")
        await alive.presence_join(channel, "2.2", Member("alice", {}), "2.2")
        assert set(await alive.presence_members(channel)) == {"ghost", "alice"}
        await alive.housekeeping()
        assert set(await alive.presence_members(channel)) == {"alice"}
        for _ in range(100):
            if any(e.kind == "member_removed" and e.user_id == "ghost" for e in seen):
                break
            await asyncio.sleep(0.05)
        assert [e.user_id for e in seen if e.kind == "member_removed"] == ["ghost"]
    finally:
        await alive.presence_leave(channel, "2.2")
        await alive.close()
        await dead.redis.aclose()


async def test_channel_queries_count_every_nodes_sockets(
    pair: tuple[Node, Node], settings: Settings, base: str
) -> None:
    a, b = pair
    channel = unique("news")

    def counted_on(node: Node) -> Callable[[], Awaitable[Any]]:
        api = api_of(node, settings)
        return lambda: asyncio.to_thread(api.channel_info, channel, ["subscription_count"])

    on_a = await Native.connect(a.url)
    await on_a.subscribe(channel)
    await until(counted_on(b), {"occupied": True, "subscription_count": 1})  # a's, seen from b
    on_b = await Native.connect(b.url)
    await on_b.subscribe(channel)
    both = {"occupied": True, "subscription_count": 2}
    await until(counted_on(b), both)
    await until(counted_on(a), both)
    listed = await asyncio.to_thread(
        api_of(a, settings).channels_info, channel, ["subscription_count"]
    )
    assert listed == {"channels": {channel: {"subscription_count": 2}}}
    await on_a.close()
    await until(counted_on(b), {"occupied": True, "subscription_count": 1})
    await on_b.close()
    await until(counted_on(a), {"occupied": False, "subscription_count": 0})


async def test_counts_of_a_dead_node_are_forgotten(redis_url: str) -> None:
    channel = unique("news")
    alive = RedisBackend(redis_url, 10, 60, 10)
    dead = RedisBackend(redis_url, 10, 60, 10)
    await alive.start(lambda envelope: None, "alive-" + uuid.uuid4().hex[:6])
    await dead.start(lambda envelope: None, "dead-" + uuid.uuid4().hex[:6])
    try:
        await dead.share_counts({channel: 3}, full=True)
        assert await alive.counts_elsewhere(channel=channel) == {channel: 3}
        await dead.share_counts({channel: 0}, full=False)  # its last socket left
        assert await alive.counts_elsewhere(channel=channel) == {}
        await dead.share_counts({channel: 2}, full=False)
        await dead.redis.delete("lh:rt:n:" + dead.node_id)  # its heartbeat lapses: it died
        assert await alive.counts_elsewhere(prefix=channel) == {}
        await alive.housekeeping()
        assert not await alive.redis.exists("lh:rt:s:" + dead.node_id)
        assert dead.node_id.encode() not in await alive.redis.smembers("lh:rt:nodes")
    finally:
        await alive.close()
        await dead.close()  # its bus listener too: a task left pending is reported later


async def test_heartbeat_closes_silent_sockets(
    settings: Settings, redis_url: str, app: object, base: str
) -> None:
    node = await start_node(
        settings,
        redis_url,
        LIVEHOUSE_REALTIME_HEARTBEAT_SECONDS="1",
        LIVEHOUSE_REALTIME_PONG_TIMEOUT_SECONDS="1",
        LIVEHOUSE_PUSHER_ACTIVITY_TIMEOUT_SECONDS="1",
    )
    try:
        silent, lively = await Native.connect(node.url), await Native.connect(node.url)
        raw = await RawPusher.connect(node.url, settings.pusher_key)
        await raw.established()
        assert (await silent.recv())["type"] == "ping"
        for _ in range(3):  # answering keeps a socket open across several heartbeats
            assert (await lively.recv())["type"] == "ping"
            await lively.send(type="pong")
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await silent.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4408
        assert (await raw.expect("pusher:ping"))["event"] == "pusher:ping"
        assert (await raw.closed())[0] == 4201
        await lively.send(type="ping")
        assert (await lively.expect(type="pong"))["type"] == "pong"
        await lively.close()
    finally:
        await node.stop()


async def test_a_node_that_loses_the_bus_reconnects_and_says_so_once(
    redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Redis drops the node's subscriber connection (a restart or failover looks the same to
    it): the node re-subscribes on its own, hears messages again, and logs the outage once and
    its end once — not a line per retry."""
    admin = redis.Redis.from_url(redis_url)
    db = admin.connection_pool.connection_kwargs.get("db", 0)

    async def subscribers() -> set[int]:
        clients = await admin.client_list(_type="pubsub")
        return {int(c["id"]) for c in clients if int(c["db"]) == db}

    before = await subscribers()
    node = RedisBackend(redis_url, 10, 60, 10)
    heard: list[Envelope] = []
    await node.start(heard.append, "node-" + uuid.uuid4().hex[:6])
    channel = unique("comment")
    try:
        ours = await subscribers() - before
        assert len(ours) == 1, f"the node subscribes with one connection: {ours}"
        with caplog.at_level(logging.INFO, logger="livehouse.realtime"):
            assert await admin.client_kill_filter(_id=str(ours.pop())) == 1
            for attempt in range(100):  # published during the outage: lost, as documented
                await node.publish(Envelope(channel, f"after-{attempt}"), store=False)
                if heard:
                    break
                await asyncio.sleep(0.05)
            assert [e.channel for e in heard] and {e.channel for e in heard} == {channel}
            lines = [(r.levelname, r.getMessage()) for r in caplog.records]
        assert lines == [
            ("ERROR", "realtime: bus connection lost"),
            ("WARNING", "realtime: bus connection lost: recovered"),
        ], lines
    finally:
        await node.close()
        await admin.aclose()
