"""The realtime hub: the runtime's publisher, and the registry of this node's sockets.

`publish(channel, event, data)` (what `core.realtime.publish` reaches after commit) gives the
message to the backend, which assigns its id, keeps it in the channel's history and brings it to
every node — in-process, or through one Redis PUBLISH. Each node then fans it out to its own
sockets (`_deliver`): the frame is built once per protocol, and each socket gets it without a task
of its own (see connection.py). In-process subscribers of `LocalPublisher` still work.

Subscribing is ordered: the socket is registered first and whatever arrives meanwhile is held,
then presence is joined and missed messages are fetched, then the acknowledgement goes out,
then the replay, then what was held (without duplicates). So a client never sees an event before
its subscription is confirmed, and a resuming client misses nothing in between.

One housekeeping task per node sends heartbeats to quiet sockets and closes those that do not
answer, re-checks private and presence subscriptions every `realtime_auth_recheck_seconds`, and
keeps the backend tidy (history of silent channels, presence of dead nodes). With Redis, a
second task shares this node's subscription counts per channel with the other nodes, a moment
after they change (`subscription_count`, `subscription_counts`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections import deque
from collections.abc import Coroutine, Iterable
from typing import Any, TypeVar

from prometheus_client import Counter, Gauge, Histogram

from livehouse.core.logging import FailureStreak
from livehouse.core.realtime import LocalPublisher, Message
from livehouse.core.settings import Settings
from livehouse.realtime.backend import (
    Backend,
    Envelope,
    MemoryBackend,
    RedisBackend,
    id_key,
)
from livehouse.realtime.connection import Connection, Limits, Wire
from livehouse.realtime.service import (
    ChannelError,
    Grant,
    GrantRecord,
    Kind,
    Member,
    check_name,
)

log = logging.getLogger("livehouse.realtime")
W = TypeVar("W", bound=Wire)

CONNECTIONS = Gauge(
    "livehouse_realtime_connections", "Open realtime sockets", ["protocol"], multiprocess_mode="sum"
)
PUBLISHED = Counter("livehouse_realtime_published_total", "Messages published to channels")
DELIVERIES = Counter("livehouse_realtime_deliveries_total", "Frames handed to sockets")
DISCONNECTS = Counter(
    "livehouse_realtime_disconnects_total", "Sockets the server closed, by reason", ["reason"]
)
FANOUT = Histogram(
    "livehouse_realtime_fanout_seconds",
    "From publish to the last socket write on this node",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
DEMO_SECRET = "livehouse-demo-secret"  # noqa: S105 (the documented default, refused in production)
GRANT_TTL_SECONDS = 300  # between /broadcasting/auth and the subscribe it signed
SHARE_COUNTS_AFTER_SECONDS = 0.1  # changes in this window go to Redis together


class Subscription:
    __slots__ = ("channel", "checked_at", "conn", "kind", "member", "pending", "record")

    def __init__(
        self,
        conn: Connection,
        channel: str,
        kind: Kind,
        member: Member | None,
        record: GrantRecord | None,
    ) -> None:
        self.conn = conn
        self.channel = channel
        self.kind = kind
        self.member = member
        self.record = record  # who was let in, to re-check (None: public, or signed elsewhere)
        self.checked_at = time.monotonic()
        self.pending: list[tuple[str | None, dict[str, Any]]] | None = []  # held until acked


class Hub(LocalPublisher):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        if settings.environment == "production" and settings.pusher_secret == DEMO_SECRET:
            raise RuntimeError("set LIVEHOUSE_PUSHER_SECRET (the demo secret is public)")
        self.settings = settings
        self.node_id = secrets.token_hex(6)
        self.backend: Backend
        if settings.redis_url:
            self.backend = RedisBackend(
                settings.redis_url,
                settings.realtime_history_size,
                settings.realtime_history_seconds,
                settings.realtime_presence_max_members,
            )
        else:
            self.backend = MemoryBackend(
                settings.realtime_history_size,
                settings.realtime_history_seconds,
                settings.realtime_presence_max_members,
            )
        self.channels: dict[str, dict[Connection, Subscription]] = {}
        self.connections: set[Connection] = set()
        self.fanout_ms: deque[float] = deque(maxlen=20_000)  # recent figures (bench, metrics)
        self.deferred = 0  # deliveries that had to wait for a slow transport
        self._tasks: set[asyncio.Task[Any]] = set()
        self._wires: dict[type[Wire], Wire] = {}
        self._housekeeper: asyncio.Task[None] | None = None
        self._counts_changed = asyncio.Event()  # with Redis: this node's counts need sharing
        self._changed_channels: set[str] = set()  # whose counts changed since the last share
        self._counts_all = True  # share all of them (not only what changed) next time
        self._count_sharer: asyncio.Task[None] | None = None
        self._started = False

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        await self.backend.start(self._deliver, self.node_id)
        self._housekeeper = asyncio.create_task(self._housekeeping(), name="realtime-hub")
        if isinstance(self.backend, RedisBackend):
            self._count_sharer = asyncio.create_task(self._share_counts(), name="realtime-counts")

    async def close(self) -> None:
        for task in (self._housekeeper, self._count_sharer):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        for conn in list(self.connections):
            conn.close_soon(*conn.wire.SHUTDOWN)
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
        if self._started:
            await self.backend.close()
        self._started = False

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.warning("realtime task failed", extra={"error": f"{type(exc).__name__}: {exc}"})

    # --- publishing -----------------------------------------------------------------------

    async def publish(
        self, channel: str, event: str, data: Any, *, exclude: str | None = None, raw: bool = False
    ) -> None:
        """Send `event` to everyone on `channel`, on every node, and keep it for resuming."""
        check_name(channel)
        PUBLISHED.inc()
        envelope = Envelope(channel, event, data, exclude=exclude, raw=raw)
        await self.backend.publish(envelope, store=True)

    async def recheck(
        self, *, accounts: list[str] | None = None, channel: str | None = None
    ) -> None:
        """Re-check private and presence subscriptions on every node (a revocation signal): of
        these accounts (None: anyone's) on channels starting with `channel` (None: any)."""
        control = Envelope(
            "", "recheck", {"accounts": accounts, "channel": channel}, kind="control"
        )
        await self.backend.publish(control, store=False)

    def _deliver(self, envelope: Envelope) -> None:
        """Fan `envelope` out to this node's sockets (called by the backend, never awaits)."""
        if envelope.kind == "control":
            self._control(envelope)
            return
        if envelope.kind == "message" and self._subscribers:
            message = Message(envelope.channel, envelope.event, envelope.data)
            for queue in list(self._subscribers.get(envelope.channel, ())):
                with contextlib.suppress(asyncio.QueueFull):
                    queue.put_nowait(message)
        subs = self.channels.get(envelope.channel)
        if not subs:
            return
        exclude, delivered, deferred = envelope.exclude, 0, 0
        wire: Wire | None = None
        frame: dict[str, Any] = {}
        for sub in tuple(subs.values()):  # the hot loop: one pass per socket, nothing awaited
            conn = sub.conn
            if conn.wire is not wire:
                wire = conn.wire
                frame = envelope.frames.get(wire) or self._frame(envelope, wire)
            if conn.socket_id == exclude:
                continue
            if sub.pending is not None:
                sub.pending.append((envelope.id, frame))
                continue
            conn.push(frame)
            delivered += 1
            if conn.backlog is not None:  # the transport was full: a writer task sends it
                deferred += 1
        self.deferred += deferred
        if delivered:
            DELIVERIES.inc(delivered)
            elapsed = max(0.0, time.time() - envelope.ts)
            self.fanout_ms.append(elapsed * 1000)
            FANOUT.observe(elapsed)

    @staticmethod
    def _frame(envelope: Envelope, wire: Wire) -> dict[str, Any]:
        frame = envelope.frames[wire] = wire.frame(envelope)
        return frame

    # --- connections ----------------------------------------------------------------------

    def wire(self, kind: type[W]) -> W:
        """This hub's instance of a protocol (frames are cached per instance)."""
        found = self._wires.get(kind)
        if found is None:
            found = self._wires[kind] = kind(self.settings)  # type: ignore[call-arg]
        return found  # type: ignore[return-value]

    def attach(self, ws: Any, send: Any, wire: Wire, socket_id: str) -> Connection:
        """A socket accepted on `ws`; `send` is its ASGI send (see connection.py)."""
        conn = Connection(self, ws, send, wire, socket_id, Limits.of(self.settings))
        self.connections.add(conn)
        CONNECTIONS.labels(wire.name).inc()
        return conn

    def forget(self, conn: Connection) -> None:
        """Drop a closing socket from every channel at once; leave presence in the background."""
        if conn not in self.connections:
            return
        self.connections.discard(conn)
        CONNECTIONS.labels(conn.wire.name).dec()
        leaving = []
        for channel, sub in conn.subs.items():
            self._unregister(sub)
            if sub.kind == "presence" and sub.pending is None:
                leaving.append(channel)
        conn.subs.clear()
        if leaving:
            self.spawn(self._leave_presence(conn.socket_id, leaving))

    async def _leave_presence(self, socket_id: str, channels: Iterable[str]) -> None:
        for channel in channels:
            await self.backend.presence_leave(channel, socket_id)

    def note_disconnect(self, reason: str) -> None:
        DISCONNECTS.labels(reason).inc()

    def _unregister(self, sub: Subscription) -> None:
        subs = self.channels.get(sub.channel)
        if subs is not None:
            subs.pop(sub.conn, None)
            if not subs:
                del self.channels[sub.channel]
            self._count_changed(sub.channel)

    async def subscribe_socket(
        self,
        conn: Connection,
        grant: Grant,
        record: GrantRecord | None = None,
        since: str | None = None,
        ref: Any = None,
    ) -> bool:
        """Subscribe `conn` to the granted channel; acknowledge, replay and release what arrived
        meanwhile, in that order. Raises ChannelError when refused."""
        channel = grant.channel
        existing = conn.subs.get(channel)
        if existing is not None and existing.pending is not None:
            return False  # a subscribe for it is already under way
        if existing is None and len(conn.subs) >= conn.limits.max_channels:
            raise ChannelError(
                "too_many_channels", f"At most {conn.limits.max_channels} channels per socket"
            )
        if existing is not None:
            self._remove(conn, existing)  # re-subscribing: start again, with the new grant
            if existing.kind == "presence":
                await self.backend.presence_leave(channel, conn.socket_id)
        sub = Subscription(conn, channel, grant.kind, grant.member, record)
        conn.subs[channel] = sub
        self.channels.setdefault(channel, {})[conn] = sub
        self._count_changed(channel)
        members: dict[str, Any] | None = None
        recovery = None
        info: dict[str, Any] = {"ref": ref}
        try:
            if grant.member is not None:
                members = await self.backend.presence_join(
                    channel, conn.socket_id, grant.member, conn.socket_id
                )
                if members is None:
                    raise ChannelError(
                        "presence_full",
                        f"{channel} has its maximum of "
                        f"{self.settings.realtime_presence_max_members} members",
                    )
            if since is not None:
                recovery = await self.backend.history(channel, since)
            elif conn.wire.tells_last_id:
                info["last_id"] = await self.backend.last_id(channel)
        except BaseException:
            if conn.subs.get(channel) is sub:
                self._remove(conn, sub)
            raise
        if conn.subs.get(channel) is not sub or conn.closed:
            if members is not None:
                await self.backend.presence_leave(channel, conn.socket_id)
            return False  # unsubscribed or closed meanwhile
        replay: list[Envelope] = []
        after = None
        if recovery is not None:
            replay = recovery.entries if recovery.recovered else []
            last = replay[-1].id if replay else since
            info |= {"recovered": recovery.recovered, "last_id": last}
            after = id_key(last) if recovery.recovered and last else None
        conn.push(conn.wire.subscribed(sub, members, info))
        for envelope in replay:
            conn.push(envelope.frames.get(conn.wire) or self._frame(envelope, conn.wire))
        pending, sub.pending = sub.pending or [], None
        for message_id, frame in pending:
            if after is not None and message_id is not None and id_key(message_id) <= after:
                continue  # replayed already
            conn.push(frame)
        return True

    def _remove(self, conn: Connection, sub: Subscription) -> None:
        if conn.subs.get(sub.channel) is sub:
            del conn.subs[sub.channel]
        self._unregister(sub)

    async def unsubscribe_socket(self, conn: Connection, channel: str) -> bool:
        sub = conn.subs.get(channel)
        if sub is None:
            return False
        self._remove(conn, sub)
        if sub.kind == "presence" and sub.pending is None:
            await self.backend.presence_leave(channel, conn.socket_id)
        return True

    async def client_event(self, conn: Connection, channel: str, event: str, data: Any) -> None:
        """A `client-*` event from a socket to the others on a private or presence channel."""
        sub = conn.subs.get(channel)
        if sub is None or sub.pending is not None:
            raise ChannelError("not_subscribed", f"Subscribe to {channel} before sending to it")
        if sub.kind == "public":
            raise ChannelError("forbidden", "Client events go on private and presence channels")
        envelope = Envelope(
            channel,
            event,
            data,
            kind="client",
            exclude=conn.socket_id,
            user_id=sub.member.id if sub.member else None,
        )
        await self.backend.publish(envelope, store=False)

    async def remember_grant(self, socket_id: str, channel: str, record: GrantRecord) -> None:
        await self.backend.put_grant(socket_id, channel, record, GRANT_TTL_SECONDS)

    async def claim_grant(self, socket_id: str, channel: str) -> GrantRecord | None:
        return await self.backend.take_grant(socket_id, channel)

    async def members(self, channel: str) -> dict[str, Any]:
        return await self.backend.presence_members(channel)

    # --- who is subscribed ----------------------------------------------------------------

    def _count_changed(self, channel: str) -> None:
        if self._count_sharer is not None:
            self._changed_channels.add(channel)
            self._counts_changed.set()

    def _local_counts(self) -> dict[str, int]:
        return {channel: len(subs) for channel, subs in self.channels.items()}

    async def subscription_count(self, channel: str) -> int:
        """Sockets subscribed to `channel` on every node (others' as of their last share)."""
        elsewhere = await self.backend.counts_elsewhere(channel=channel)
        return len(self.channels.get(channel, ())) + elsewhere.get(channel, 0)

    async def subscription_counts(self, prefix: str = "") -> dict[str, int]:
        """Every channel starting with `prefix` that has a subscriber on some node, and how
        many sockets it has."""
        totals = {c: n for c, n in self._local_counts().items() if c.startswith(prefix)}
        for channel, n in (await self.backend.counts_elsewhere(prefix=prefix)).items():
            totals[channel] = totals.get(channel, 0) + n
        return {channel: n for channel, n in totals.items() if n > 0}

    async def _share_counts(self) -> None:
        """With Redis: keep this node's counts where the other nodes read them — shortly after
        a change (changes within the window go together), and all of them each housekeeping
        round (a hash lost with Redis comes back; a failed write is made good)."""
        streak = FailureStreak(log, "realtime: sharing subscription counts failed")
        while True:
            await self._counts_changed.wait()
            await asyncio.sleep(SHARE_COUNTS_AFTER_SECONDS)
            self._counts_changed.clear()
            full, self._counts_all = self._counts_all, False
            changed, self._changed_channels = self._changed_channels, set()
            if full:
                counts = self._local_counts()
            else:
                counts = {channel: len(self.channels.get(channel, ())) for channel in changed}
            try:
                await self.backend.share_counts(counts, full=full)
            except asyncio.CancelledError:
                raise
            except Exception:
                streak.failed()
                self._counts_all = True
                self._counts_changed.set()
                await asyncio.sleep(1.0)
            else:
                streak.succeeded()

    # --- housekeeping ---------------------------------------------------------------------

    async def _housekeeping(self) -> None:
        tick = min(5.0, self.settings.realtime_heartbeat_seconds / 3)
        backend_every = max(1, int(10 / tick))
        rounds = 0
        streak = FailureStreak(log, "realtime housekeeping failed")
        while True:
            await asyncio.sleep(tick)
            rounds += 1
            try:
                self._heartbeats()
                await self.recheck_due()
                if rounds % backend_every == 0:
                    await self.backend.housekeeping()
                    if self._count_sharer is not None:
                        self._counts_all = True  # a lost write or a flushed Redis heals
                        self._counts_changed.set()
            except asyncio.CancelledError:
                raise
            except Exception:
                streak.failed()
            else:
                streak.succeeded()

    def _heartbeats(self) -> None:
        now, grace = time.monotonic(), self.settings.realtime_pong_timeout_seconds
        for conn in list(self.connections):
            if conn.closed:
                continue
            if conn.ping_sent:
                if now - conn.ping_sent > grace:
                    self.note_disconnect("idle")
                    conn.close_soon(*conn.wire.IDLE)
            elif now - conn.last_seen > conn.wire.heartbeat:
                conn.ping_sent = now
                conn.push(conn.wire.ping())

    async def recheck_due(self) -> None:
        """Re-check this node's subscriptions whose last check is older than the setting."""
        due = self._due_rechecks()
        if due:
            await self._recheck(due)

    def _due_rechecks(self) -> list[Subscription]:
        now, every = time.monotonic(), self.settings.realtime_auth_recheck_seconds
        return [
            sub
            for conn in self.connections
            for sub in conn.subs.values()
            if sub.record is not None and now - sub.checked_at >= every
        ]

    def _control(self, envelope: Envelope) -> None:
        if envelope.event != "recheck" or not isinstance(envelope.data, dict):
            return
        listed, prefix = envelope.data.get("accounts"), envelope.data.get("channel")
        accounts = None if listed is None else set(listed)
        matching = [
            sub
            for conn in self.connections
            for sub in conn.subs.values()
            if sub.record is not None
            and (accounts is None or sub.record.account_public_id in accounts)
            and (prefix is None or sub.channel.startswith(prefix))
        ]
        if matching:
            self.spawn(self._recheck(matching))

    async def _recheck(self, subs: list[Subscription]) -> None:
        from livehouse.core.db import unit_of_work
        from livehouse.core.runtime import current
        from livehouse.realtime.service import still_authorized

        database = current().database
        for start in range(0, len(subs), 50):
            async with unit_of_work(database, write=False) as session:
                for sub in subs[start : start + 50]:
                    conn = sub.conn
                    if conn.closed or conn.subs.get(sub.channel) is not sub:
                        continue
                    assert sub.record is not None
                    if await still_authorized(session, sub.record, sub.channel):
                        sub.checked_at = time.monotonic()
                    else:
                        self.note_disconnect("revoked")
                        await conn.wire.revoke(self, conn, sub.channel)

    # --- figures --------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        return {
            "node": self.node_id,
            "connections": len(self.connections),
            "channels": len(self.channels),
            "fanout_ms": list(self.fanout_ms),
            "deferred": self.deferred,
        }
