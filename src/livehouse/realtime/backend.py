"""Where the hub keeps what outlives one socket: message ids and history, presence members,
pending grants — in this process (`MemoryBackend`, one node) or in Redis (`RedisBackend`, many
nodes) — and how a message reaches every node.

Message ids are Redis stream ids, `<milliseconds>-<sequence>`, increasing per channel; the memory
backend makes the same kind. Each stored message also remembers the id before it, so a client
resuming from id X knows whether it missed nothing (the first message after X says "my
predecessor is X") or whether the history no longer reaches back to X (`recovered: false`).

With Redis, one Lua script per message appends to the channel's stream (trimmed to
`realtime_history_size` messages and `realtime_history_seconds`) and PUBLISHes it once on the bus
every node listens to (one bus per Redis database); each node then fans it out to its own
sockets. Presence lives in one hash per channel (field = node and socket), changed by scripts
that also announce member_added / member_removed, so the announcement and the change cannot be
reordered. Nodes keep a heartbeat
key; a node that died without saying goodbye has its members removed by the survivors.

How many sockets are subscribed to a channel (the Pusher HTTP API's `occupied`,
`subscription_count` and channel list) is this node's own count plus, with Redis, every other
live node's: each node writes its counts to a hash of its own (a short while after they change,
all of them again every housekeeping round) that expires with its heartbeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
import redis.asyncio as redis
from redis.exceptions import RedisError

from livehouse.core.logging import FailureStreak
from livehouse.realtime.service import GrantRecord, Member

log = logging.getLogger("livehouse.realtime")

ID_RE = re.compile(r"^\d{1,15}-\d{1,15}$")


def id_key(message_id: str) -> tuple[int, int]:
    ms, _, seq = message_id.partition("-")
    return int(ms), int(seq)


@dataclass(slots=True, eq=False)
class Envelope:
    """One thing to fan out: a channel message, a client event, a presence change, a control."""

    channel: str
    event: str
    data: Any = None
    kind: str = "message"  # message | client | member_added | member_removed | control
    id: str | None = None  # per-channel message id (stored messages only)
    prev: str | None = None  # the id before it on its channel
    exclude: str | None = None  # the socket that must not receive it (its sender)
    user_id: str | None = None  # presence: who joined, left or sent the client event
    info: Any = None  # member_added: the member's info
    raw: bool = False  # data is a string given as is (Pusher HTTP API)
    ts: float = field(default_factory=time.time)  # when it was published (latency figures)
    frames: dict[Any, Any] = field(default_factory=dict)  # per protocol, built once per node

    def dumps(self) -> bytes:
        body: dict[str, Any] = {"c": self.channel, "e": self.event, "k": self.kind, "t": self.ts}
        for key, value in (
            ("d", self.data),
            ("x", self.exclude),
            ("u", self.user_id),
            ("i", self.info),
        ):
            if value is not None:
                body[key] = value
        if self.raw:
            body["r"] = 1
        return orjson.dumps(body)

    @classmethod
    def loads(cls, raw: bytes, message_id: str | None = None, prev: str | None = None) -> Envelope:
        body = orjson.loads(raw)
        return cls(
            channel=body["c"],
            event=body["e"],
            data=body.get("d"),
            kind=body.get("k", "message"),
            id=message_id,
            prev=prev,
            exclude=body.get("x"),
            user_id=body.get("u"),
            info=body.get("i"),
            raw=bool(body.get("r")),
            ts=body.get("t", time.time()),
        )


@dataclass(slots=True)
class Recovery:
    entries: list[Envelope]
    recovered: bool


Deliver = Callable[[Envelope], None]


def _members(values: list[tuple[str, Any]]) -> dict[str, Any]:
    return dict(values)


# --- one node --------------------------------------------------------------------------------


@dataclass(slots=True)
class _History:
    entries: deque[Envelope]
    last_id: str | None = None
    last_ms: int = 0
    seq: int = 0


class MemoryBackend:
    def __init__(self, history_size: int, history_seconds: int, presence_max: int) -> None:
        self.history_size = history_size
        self.history_seconds = history_seconds
        self.presence_max = presence_max
        self.deliver: Deliver = lambda envelope: None
        self._history: dict[str, _History] = {}
        self._presence: dict[str, dict[str, Member]] = {}
        self._grants: dict[tuple[str, str], tuple[float, bytes]] = {}

    async def start(self, deliver: Deliver, node_id: str) -> None:
        self.deliver = deliver

    async def close(self) -> None:
        pass

    def _store(self, envelope: Envelope) -> None:
        history = self._history.get(envelope.channel)
        if history is None:
            history = self._history[envelope.channel] = _History(deque(maxlen=self.history_size))
        ms = int(envelope.ts * 1000)
        if ms <= history.last_ms:
            ms, history.seq = history.last_ms, history.seq + 1
        else:
            history.seq = 0
        history.last_ms = ms
        envelope.id, envelope.prev = f"{ms}-{history.seq}", history.last_id
        history.last_id = envelope.id
        history.entries.append(envelope)

    async def publish(self, envelope: Envelope, *, store: bool) -> None:
        if store:
            self._store(envelope)
        self.deliver(envelope)

    async def last_id(self, channel: str) -> str | None:
        history = self._history.get(channel)
        return history.last_id if history else None

    async def history(self, channel: str, since: str) -> Recovery:
        history = self._history.get(channel)
        if history is None or not ID_RE.match(since):
            return Recovery([], False)
        after, cutoff = id_key(since), (time.time() - self.history_seconds) * 1000
        entries = [
            e
            for e in history.entries
            if id_key(e.id or "0-0") > after and id_key(e.id or "0-0")[0] >= cutoff
        ]
        if entries:
            return Recovery(entries, entries[0].prev == since)
        return Recovery([], history.last_id == since)

    async def presence_join(
        self, channel: str, key: str, member: Member, socket_id: str
    ) -> dict[str, Any] | None:
        members = self._presence.setdefault(channel, {})
        ids = {m.id for m in members.values()}
        first = member.id not in ids
        if first and len(ids) >= self.presence_max:
            return None
        members[key] = member
        if first:
            self.deliver(
                Envelope(
                    channel,
                    "member_added",
                    kind="member_added",
                    exclude=socket_id,
                    user_id=member.id,
                    info=member.info,
                )
            )
        return {m.id: m.info for m in members.values()}

    async def presence_leave(self, channel: str, key: str) -> None:
        members = self._presence.get(channel, {})
        member = members.pop(key, None)
        if not members:
            self._presence.pop(channel, None)
        if member is not None and all(m.id != member.id for m in members.values()):
            self.deliver(
                Envelope(channel, "member_removed", kind="member_removed", user_id=member.id)
            )

    async def presence_members(self, channel: str) -> dict[str, Any]:
        return {m.id: m.info for m in self._presence.get(channel, {}).values()}

    async def put_grant(self, socket_id: str, channel: str, record: GrantRecord, ttl: int) -> None:
        now = time.monotonic()
        self._grants = {k: v for k, v in self._grants.items() if v[0] > now}  # drop expired
        self._grants[(socket_id, channel)] = (now + ttl, record.dumps())

    async def take_grant(self, socket_id: str, channel: str) -> GrantRecord | None:
        found = self._grants.pop((socket_id, channel), None)
        if found is None or found[0] < time.monotonic():
            return None
        return GrantRecord.loads(found[1])

    async def share_counts(self, counts: dict[str, int], *, full: bool) -> None:
        pass  # one node: nobody else asks

    async def counts_elsewhere(
        self, channel: str | None = None, prefix: str = ""
    ) -> dict[str, int]:
        return {}  # one node: there is no elsewhere

    async def housekeeping(self) -> None:
        cutoff = (time.time() - self.history_seconds) * 1000
        for channel, history in list(self._history.items()):
            if history.last_ms < cutoff:
                del self._history[channel]  # nobody could resume from it any more


# --- many nodes (Redis) ----------------------------------------------------------------------

PREFIX = "lh:rt:"
BUS = PREFIX + "bus:"  # + the database number: Redis pub/sub ignores databases

_PUBLISH = """
local prev = redis.call('GET', KEYS[2]) or ''
local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], '*', 'p', prev, 'd', ARGV[3])
local ms = tonumber(string.match(id, '^(%d+)'))
redis.call('XTRIM', KEYS[1], 'MINID', string.format('%.0f', ms - tonumber(ARGV[2])))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], id, 'PX', ARGV[2])
redis.call('PUBLISH', ARGV[4], id .. '|' .. prev .. '\\n' .. ARGV[3])
return id
"""

# KEYS[1] presence hash. ARGV: field, member json, member id, max members, bus, announcement.
_JOIN = """
local first, ids, n = true, {}, 0
for _, v in ipairs(redis.call('HVALS', KEYS[1])) do
  local id = cjson.decode(v)['id']
  if not ids[id] then ids[id] = true; n = n + 1 end
  if id == ARGV[3] then first = false end
end
if first and n >= tonumber(ARGV[4]) then return nil end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if first then redis.call('PUBLISH', ARGV[5], '|\\n' .. ARGV[6]) end
return redis.call('HVALS', KEYS[1])
"""

# KEYS[1] presence hash. ARGV: field, bus, channel.
_LEAVE = """
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
local id = cjson.decode(v)['id']
for _, other in ipairs(redis.call('HVALS', KEYS[1])) do
  if cjson.decode(other)['id'] == id then return 1 end
end
local note = cjson.encode({c = ARGV[3], e = 'member_removed', k = 'member_removed', u = id})
redis.call('PUBLISH', ARGV[2], '|\\n' .. note)
return 2
"""

NODE_TTL_MS = 30_000
NODES = PREFIX + "nodes"  # the nodes that share subscription counts (each in PREFIX + "s:" + node)


def bus_of(client: redis.Redis) -> str:
    """The bus of `client`'s database. Two deployments on one Redis keep their keys apart by
    database number, but PUBLISH reaches subscribers of every database."""
    return BUS + str(client.connection_pool.connection_kwargs.get("db", 0))


def _decode_bus(raw: bytes) -> Envelope:
    head, _, body = raw.partition(b"\n")
    message_id, _, prev = head.decode().partition("|")
    return Envelope.loads(body, message_id or None, prev or None)


class RedisBackend:
    def __init__(
        self, url: str, history_size: int, history_seconds: int, presence_max: int
    ) -> None:
        self.redis = redis.Redis.from_url(url)
        self.bus = bus_of(self.redis)
        self.history_size = history_size
        self.history_ms = history_seconds * 1000
        self.presence_max = presence_max
        self.deliver: Deliver = lambda envelope: None
        self.node_id = ""
        self._publish = self.redis.register_script(_PUBLISH)
        self._join = self.redis.register_script(_JOIN)
        self._leave = self.redis.register_script(_LEAVE)
        self._listener: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    async def start(self, deliver: Deliver, node_id: str) -> None:
        self.deliver, self.node_id = deliver, node_id
        await self.beat()
        self._listener = asyncio.create_task(self._listen(), name="realtime-bus")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._subscribed.wait(), 10)

    async def _listen(self) -> None:
        # redis-py re-subscribes after a reconnect; messages published during an outage are lost
        # to connected sockets (clients that reconnect can still resume from the history). The
        # confirmation of that subscription is what says the bus is back.
        pubsub = self.redis.pubsub()
        await pubsub.subscribe(self.bus)
        self._subscribed.set()
        outage = FailureStreak(log, "realtime: bus connection lost", extra={"node": self.node_id})
        delay = 0.1
        while True:
            try:
                async for message in pubsub.listen():
                    if message["type"] == "subscribe":
                        delay = 0.1
                        outage.succeeded()
                    elif message["type"] == "message":
                        try:
                            self.deliver(_decode_bus(message["data"]))
                        except Exception:
                            log.exception("realtime: undeliverable bus message")
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                raise
            except (RedisError, OSError):
                outage.failed()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None
        with contextlib.suppress(RedisError, OSError):
            await self.redis.delete(PREFIX + "n:" + self.node_id, PREFIX + "s:" + self.node_id)
            await self.redis.srem(NODES, self.node_id)
        await self.redis.aclose()

    async def publish(self, envelope: Envelope, *, store: bool) -> None:
        body = envelope.dumps()
        if not store:
            await self.redis.publish(self.bus, b"|\n" + body)
            return
        channel = envelope.channel
        await self._publish(
            keys=[PREFIX + "h:" + channel, PREFIX + "l:" + channel],
            args=[self.history_size, self.history_ms, body, self.bus],
        )

    async def last_id(self, channel: str) -> str | None:
        value = await self.redis.get(PREFIX + "l:" + channel)
        return value.decode() if value else None

    async def history(self, channel: str, since: str) -> Recovery:
        if not ID_RE.match(since):
            return Recovery([], False)
        rows = await self.redis.xrange(
            PREFIX + "h:" + channel, min="(" + since, max="+", count=self.history_size
        )
        cutoff = time.time() * 1000 - self.history_ms
        entries = []
        for raw_id, fields in rows:
            message_id = raw_id.decode()
            if id_key(message_id)[0] < cutoff:
                continue
            entries.append(Envelope.loads(fields[b"d"], message_id, fields[b"p"].decode() or None))
        if entries:
            return Recovery(entries, entries[0].prev == since)
        return Recovery([], await self.last_id(channel) == since)

    def _field(self, key: str) -> str:
        return f"{self.node_id}|{key}"

    async def presence_join(
        self, channel: str, key: str, member: Member, socket_id: str
    ) -> dict[str, Any] | None:
        announcement = Envelope(
            channel,
            "member_added",
            kind="member_added",
            exclude=socket_id,
            user_id=member.id,
            info=member.info,
        ).dumps()
        values = await self._join(
            keys=[PREFIX + "p:" + channel],
            args=[
                self._field(key),
                orjson.dumps({"id": member.id, "info": member.info}),
                member.id,
                self.presence_max,
                self.bus,
                announcement,
            ],
        )
        if values is None:
            return None
        return _members([(v["id"], v["info"]) for v in map(orjson.loads, values)])

    async def presence_leave(self, channel: str, key: str) -> None:
        await self._leave(
            keys=[PREFIX + "p:" + channel], args=[self._field(key), self.bus, channel]
        )

    async def presence_members(self, channel: str) -> dict[str, Any]:
        values = await self.redis.hvals(PREFIX + "p:" + channel)
        return _members([(v["id"], v["info"]) for v in map(orjson.loads, values)])

    async def put_grant(self, socket_id: str, channel: str, record: GrantRecord, ttl: int) -> None:
        await self.redis.set(f"{PREFIX}g:{socket_id}:{channel}", record.dumps(), ex=ttl)

    async def take_grant(self, socket_id: str, channel: str) -> GrantRecord | None:
        raw = await self.redis.getdel(f"{PREFIX}g:{socket_id}:{channel}")
        return GrantRecord.loads(raw) if raw else None

    async def share_counts(self, counts: dict[str, int], *, full: bool) -> None:
        """Tell the other nodes this node's subscription counts: of the channels in `counts`
        (0: none left), or (`full`) of all of them, replacing what its hash held."""
        key = PREFIX + "s:" + self.node_id
        pipe = self.redis.pipeline(transaction=True)
        if full:
            pipe.delete(key)
        gone = [channel for channel, n in counts.items() if n <= 0]
        held = {channel: n for channel, n in counts.items() if n > 0}
        if gone and not full:
            pipe.hdel(key, *gone)
        if held:
            pipe.hset(key, mapping=held)
        pipe.pexpire(key, NODE_TTL_MS)
        pipe.sadd(NODES, self.node_id)
        await pipe.execute()

    async def counts_elsewhere(
        self, channel: str | None = None, prefix: str = ""
    ) -> dict[str, int]:
        """Subscriptions per channel on the other live nodes: of `channel`, or of every channel
        whose name starts with `prefix`. Two round trips, whatever the number of nodes."""
        nodes = [n.decode() for n in await self.redis.smembers(NODES)]
        nodes = [n for n in nodes if n != self.node_id]
        if not nodes:
            return {}
        pipe = self.redis.pipeline(transaction=False)
        for node in nodes:
            pipe.exists(PREFIX + "n:" + node)  # a node whose heartbeat lapsed counts for nothing
            if channel is not None:
                pipe.hget(PREFIX + "s:" + node, channel)
            else:
                pipe.hgetall(PREFIX + "s:" + node)
        answers = await pipe.execute()
        totals: dict[str, int] = {}
        for alive, found in zip(answers[::2], answers[1::2], strict=True):
            if not alive:
                continue
            if channel is not None:
                pairs = [(channel, found)] if found is not None else []
            else:
                pairs = [(c.decode(), n) for c, n in found.items() if c.decode().startswith(prefix)]
            for name, count in pairs:
                totals[name] = totals.get(name, 0) + int(count)
        return totals

    async def beat(self) -> None:
        await self.redis.set(PREFIX + "n:" + self.node_id, b"1", px=NODE_TTL_MS)

    async def housekeeping(self) -> None:
        """Refresh this node's heartbeat; forget nodes that died: their presence members and
        their subscription counts."""
        await self.beat()
        for node in [n.decode() for n in await self.redis.smembers(NODES)]:
            if node != self.node_id and not await self.redis.exists(PREFIX + "n:" + node):
                await self.redis.delete(PREFIX + "s:" + node)
                await self.redis.srem(NODES, node)
        alive: dict[str, bool] = {self.node_id: True}
        async for key in self.redis.scan_iter(match=PREFIX + "p:*", count=200):
            channel = key.decode()[len(PREFIX) + 2 :]
            for raw_field in await self.redis.hkeys(key):
                node = raw_field.decode().partition("|")[0]
                if node not in alive:
                    alive[node] = bool(await self.redis.exists(PREFIX + "n:" + node))
                if not alive[node]:
                    await self._leave(keys=[key], args=[raw_field, self.bus, channel])


Backend = MemoryBackend | RedisBackend
