"""One client socket as the hub sees it: an ordered, bounded way to send, and its limits.

Sending is the hot path of fan-out (one message to thousands of sockets), so it avoids a task per
socket and per message: `push` drives the ASGI send coroutine by hand, and when the transport can
take the bytes (the usual case) the send finishes right there. Only when the transport is paused
(the client reads slower than we write) does the unfinished send move into a writer task, with
later messages queued behind it in a bounded backlog; a socket whose backlog overflows is
disconnected, so one slow reader never holds up a room. Python 3.12's eager tasks would do the
first part for us; this runs on 3.11. Data frames go straight to the socket's ASGI `send`:
Starlette's `WebSocket.send` would add a state check and a coroutine per message that the
connection's own `closed` flag makes redundant; the handshake, receiving and closing still go
through the `WebSocket`.

Under uvicorn's sans-I/O websockets protocol (what `livehouse serve` runs) a data frame goes one
step further down: its wire bytes are serialised once per message (by websockets' own `Frame`)
and written to each socket's transport, instead of each socket's ASGI send encoding the text
and framing it again. It takes that path only when uvicorn's send would do exactly the same —
handshake done, no close sent, transport writable, no extension negotiated (a compressed socket
frames per socket) — and otherwise uses the ASGI send; bench/fanout.py measures the gain.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.types import Send
from starlette.websockets import WebSocket
from websockets.frames import Frame as WireFrame
from websockets.frames import Opcode
from websockets.protocol import State

try:
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
except ImportError:  # another server: every frame goes through the ASGI send
    WebSocketsSansIOProtocol = None  # type: ignore[assignment, misc]

from livehouse.core.settings import Settings

if TYPE_CHECKING:
    from livehouse.realtime.backend import Envelope
    from livehouse.realtime.hub import Hub, Subscription
    from livehouse.realtime.service import ChannelError

log = logging.getLogger("livehouse.realtime")

Frame = dict[str, Any]  # an ASGI "websocket.send" message, built once and shared by sockets


def text_frame(text: str) -> Frame:
    return {"type": "websocket.send", "text": text}


_WIRE_BYTES = "livehouse.wire_bytes"  # a frame's serialised form, kept in the shared frame


def wire_bytes(frame: Frame) -> bytes:
    """The frame as a server sends it (unmasked, no extension), serialised once per frame."""
    data = frame.get(_WIRE_BYTES)
    if data is None:
        payload = frame["text"].encode()
        data = frame[_WIRE_BYTES] = WireFrame(Opcode.TEXT, payload).serialize(mask=False)
    return data  # type: ignore[no-any-return]


def direct_protocol(send: Send) -> Any | None:
    """uvicorn's protocol object under `send`, when it is the sans-I/O websockets one with no
    extension negotiated (called after the handshake); otherwise None."""
    protocol = getattr(send, "__self__", None)
    if WebSocketsSansIOProtocol is None or type(protocol) is not WebSocketsSansIOProtocol:
        return None
    # What push() reads; a uvicorn release without one of these gets the ASGI send instead.
    if not all(hasattr(protocol, a) for a in ("transport", "writable", "close_sent", "conn")):
        return None
    if getattr(protocol.conn, "extensions", True):
        return None
    return protocol


@dataclass(frozen=True, slots=True)
class Limits:
    max_frame_bytes: int
    frames_per_second: float
    client_events_per_second: float
    max_channels: int
    queue_messages: int
    queue_bytes: int
    max_event_bytes: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            max_frame_bytes=settings.realtime_max_frame_bytes,
            frames_per_second=settings.realtime_frames_per_second,
            client_events_per_second=settings.realtime_client_events_per_second,
            max_channels=settings.realtime_max_channels_per_socket,
            queue_messages=settings.realtime_send_queue_messages,
            queue_bytes=settings.realtime_send_queue_bytes,
            max_event_bytes=settings.realtime_max_event_bytes,
        )


class Wire(ABC):
    """What a protocol tells the hub: how to frame things, and its close codes."""

    name = "wire"
    heartbeat: float = 25.0
    tells_last_id = False  # acknowledge a subscription with the channel's latest message id
    SLOW = (1013, "send buffer full: reading too slowly")
    IDLE = (4408, "heartbeat timeout")
    FLOOD = (1008, "too many frames")
    TOO_BIG = (1009, "frame too large")
    SHUTDOWN = (1001, "server shutting down")

    def __init__(self, settings: Settings) -> None:
        self.heartbeat = settings.realtime_heartbeat_seconds

    @abstractmethod
    def frame(self, envelope: Envelope) -> Frame: ...

    @abstractmethod
    def ping(self) -> Frame: ...

    @abstractmethod
    def subscribed(
        self, sub: Subscription, members: dict[str, Any] | None, info: dict[str, Any]
    ) -> Frame:
        """The acknowledgement (members: presence; info: ref, last_id, recovered)."""

    @abstractmethod
    def refused(self, channel: str, error: ChannelError, ref: Any = None) -> Frame: ...

    @abstractmethod
    async def revoke(self, hub: Hub, conn: Connection, channel: str) -> None:
        """The subscription to `channel` is no longer allowed."""


class TokenBucket:
    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst, self.tokens, self.stamp = rate, burst, burst, time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


async def _finish(coro: Coroutine[Any, Any, Any], blocked_on: Any) -> None:
    """Run to completion a coroutine we drove by hand until it suspended on `blocked_on`,
    exactly as a task would: wait for what it waits for, then resume it."""
    try:
        while True:
            if blocked_on is None:
                await asyncio.sleep(0)
            else:
                # Wait without awaiting the future itself: the coroutine still holds it (and its
                # "blocking" mark) and reads the outcome when resumed.
                await asyncio.wait([blocked_on])
            blocked_on = coro.send(None)
    except StopIteration:
        return
    finally:
        coro.close()  # a no-op once finished; unwinds it if we were cancelled


class Connection:
    __slots__ = (
        "backlog",
        "backlog_bytes",
        "client_events",
        "closed",
        "direct",
        "frames",
        "hub",
        "last_seen",
        "limits",
        "ping_sent",
        "send",
        "socket_id",
        "subs",
        "wire",
        "writer",
        "ws",
    )

    def __init__(
        self, hub: Hub, ws: WebSocket, send: Send, wire: Wire, socket_id: str, limits: Limits
    ) -> None:
        self.hub = hub
        self.ws = ws
        self.send = send  # the ASGI send under `ws`: data frames only
        self.direct = direct_protocol(send)  # uvicorn's protocol, to write frame bytes to
        self.wire = wire
        self.socket_id = socket_id
        self.limits = limits
        self.subs: dict[str, Subscription] = {}
        self.backlog: deque[Frame] | None = None  # set while a send is unfinished
        self.backlog_bytes = 0
        self.writer: asyncio.Task[None] | None = None
        self.closed = False
        self.last_seen = time.monotonic()
        self.ping_sent = 0.0
        self.frames = TokenBucket(limits.frames_per_second, 2 * limits.frames_per_second)
        self.client_events = TokenBucket(
            limits.client_events_per_second, limits.client_events_per_second
        )

    def __repr__(self) -> str:
        return f"<Connection {self.wire.name} {self.socket_id}>"

    # --- sending --------------------------------------------------------------------------

    def push(self, frame: Frame) -> None:
        """Send `frame` after everything pushed before it, without waiting."""
        if self.closed:
            return
        backlog = self.backlog
        if backlog is not None:
            backlog.append(frame)
            self.backlog_bytes += len(frame["text"])
            if (
                len(backlog) > self.limits.queue_messages
                or self.backlog_bytes > self.limits.queue_bytes
            ):
                self.hub.note_disconnect("slow")
                self.close_soon(*self.wire.SLOW)
            return
        direct = self.direct
        if (
            direct is not None
            and direct.writable.is_set()
            and not direct.close_sent
            and direct.conn.state is State.OPEN
            and not direct.transport.is_closing()
        ):
            direct.transport.write(wire_bytes(frame))  # what uvicorn's send would write
            return
        coro = self.send(frame)
        try:
            blocked_on = coro.send(None)
        except StopIteration:
            return  # written to the transport already: the usual case
        except Exception:
            self.close_soon(None)  # the socket is gone
            return
        self.backlog, self.backlog_bytes = deque(), 0
        self.writer = asyncio.get_running_loop().create_task(self._drain(coro, blocked_on))

    @property
    def deferred(self) -> bool:
        return self.backlog is not None

    async def _drain(self, coro: Coroutine[Any, Any, Any], blocked_on: Any) -> None:
        try:
            await _finish(coro, blocked_on)
            while self.backlog:
                frame = self.backlog.popleft()
                self.backlog_bytes -= len(frame["text"])
                await self.send(frame)
        except asyncio.CancelledError:
            raise
        except Exception:
            self.close_soon(None)
        finally:
            self.backlog, self.writer = None, None

    # --- receiving ------------------------------------------------------------------------

    def seen(self) -> None:
        self.last_seen, self.ping_sent = time.monotonic(), 0.0

    def admit(self, message: dict[str, Any]) -> str | None:
        """An incoming frame's text once it passes the socket's limits; None when the socket is
        being closed for flooding or an oversized frame. Binary frames read as ""."""
        self.seen()
        if not self.frames.allow():
            self.hub.note_disconnect("flood")
            self.close_soon(*self.wire.FLOOD)
            return None
        text = message.get("text") or ""
        size = len(text) if text.isascii() else len(text.encode())
        if size > self.limits.max_frame_bytes:
            self.hub.note_disconnect("too_big")
            self.close_soon(*self.wire.TOO_BIG)
            return None
        return text

    # --- closing --------------------------------------------------------------------------

    def close_soon(self, code: int | None, reason: str = "") -> None:
        """Leave every channel now; close the socket in the background (code None: it is gone)."""
        if self.closed:
            return
        self.closed = True
        self.hub.forget(self)
        self.hub.spawn(self._close(code, reason))

    async def _close(self, code: int | None, reason: str) -> None:
        writer, self.writer = self.writer, None
        if writer is not None:
            writer.cancel()  # what it still had to send is dropped
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await writer
        self.backlog = None
        if code is not None:
            # If the client stopped reading, this waits until the server's keepalive gives up
            # on the transport; the socket has left every channel already.
            with contextlib.suppress(Exception):
                await self.ws.close(code, reason)
