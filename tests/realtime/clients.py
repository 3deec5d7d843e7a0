"""Clients for the realtime tests: the native protocol over `websockets`, raw Pusher-protocol
frames, and the real pusher-js / Laravel Echo (tests/js/client.mjs) in a node process.

Waits are bounded (a hung server fails the test instead of hanging the suite); nothing is timed.
The bound is generous: `make test` runs three workers per suite, and on a busy 2-core machine a
worker's first handshake (or a node process starting pusher-js) has taken more than 10 s.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import socket
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.client import ClientProtocol
from websockets.frames import Opcode
from websockets.protocol import State
from websockets.uri import parse_uri

JS_DIR = Path(__file__).resolve().parents[1] / "js"
WAIT = 30.0

Match = Callable[[dict[str, Any]], bool]


def ws_url(http_base: str, path: str) -> str:
    return "ws://" + urlsplit(http_base).netloc + path


def matches(**expected: Any) -> Match:
    return lambda frame: all(frame.get(k) == v for k, v in expected.items())


class Native:
    """One socket speaking the native protocol."""

    def __init__(self, connection: ClientConnection, welcome: dict[str, Any]) -> None:
        self.ws = connection
        self.welcome = welcome
        self.seen: list[dict[str, Any]] = []

    @classmethod
    async def connect(cls, base: str, **options: Any) -> Native:
        connection = await websockets.connect(
            ws_url(base, "/v1/realtime"), **{"open_timeout": WAIT, **options}
        )
        welcome = json.loads(await asyncio.wait_for(connection.recv(), WAIT))
        assert welcome["type"] == "welcome", welcome
        return cls(connection, welcome)

    async def send(self, **frame: Any) -> None:
        await self.ws.send(json.dumps(frame))

    async def recv(self, timeout: float = WAIT) -> dict[str, Any]:
        frame = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        self.seen.append(frame)
        return frame  # type: ignore[no-any-return]

    async def expect(self, match: Match | None = None, **expected: Any) -> dict[str, Any]:
        """The next frame that matches, skipping heartbeats; fails on anything else."""
        check = match or matches(**expected)
        while True:
            frame = await self.recv()
            heartbeat = frame.get("type") in ("ping", "pong")
            if heartbeat and expected.get("type") not in ("ping", "pong"):
                continue
            assert check(frame), f"expected {expected or 'a match'}, got {frame}"
            return frame

    async def subscribe(self, channel: str, **extra: Any) -> dict[str, Any]:
        await self.send(type="subscribe", channel=channel, **extra)
        return await self.expect(
            lambda f: f.get("channel") == channel and f["type"] in ("subscribed", "error")
        )

    async def quiet(self, timeout: float = 0.3) -> list[dict[str, Any]]:
        """Whatever arrives within `timeout` (used to show that nothing else came)."""
        frames = []
        try:
            while True:
                frames.append(await self.recv(timeout))
        except TimeoutError:
            return frames

    async def close(self) -> None:
        await self.ws.close()


class RawPusher:
    """Pusher-protocol frames by hand, for what real clients never send."""

    def __init__(self, connection: ClientConnection) -> None:
        self.ws = connection
        self.socket_id = ""

    @classmethod
    async def connect(
        cls, base: str, key: str, query: str = "?protocol=7&client=js&version=8.6.0", **kw: Any
    ) -> RawPusher:
        connection = await websockets.connect(
            ws_url(base, f"/app/{key}{query}"), **{"open_timeout": WAIT, **kw}
        )
        return cls(connection)

    async def established(self) -> str:
        frame = await self.recv()
        assert frame["event"] == "pusher:connection_established", frame
        data = json.loads(frame["data"])  # a JSON string, as the protocol says
        self.socket_id = data["socket_id"]
        return self.socket_id

    async def send(self, event: str, data: Any = None, channel: str | None = None) -> None:
        frame: dict[str, Any] = {"event": event, "data": data if data is not None else {}}
        if channel is not None:
            frame["channel"] = channel
        await self.ws.send(json.dumps(frame))

    async def recv(self, timeout: float = WAIT) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.ws.recv(), timeout))  # type: ignore[no-any-return]

    async def expect(self, event: str, channel: str | None = None) -> dict[str, Any]:
        while True:
            frame = await self.recv()
            if frame["event"] in ("pusher:ping", "pusher:pong") and event != frame["event"]:
                continue
            assert frame["event"] == event, f"expected {event}, got {frame}"
            if channel is not None:
                assert frame.get("channel") == channel, frame
            return frame

    async def closed(self) -> tuple[int | None, str | None]:
        """Read until the server closes; its close code and reason."""
        try:
            while True:
                await asyncio.wait_for(self.ws.recv(), WAIT)
        except websockets.ConnectionClosed as closed:
            return (closed.rcvd.code, closed.rcvd.reason) if closed.rcvd else (None, None)


class JsClient:
    """pusher-js (or Laravel Echo around it) in a node process."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.events: list[dict[str, Any]] = []

    @classmethod
    async def start(cls, base: str, key: str, *, lib: str = "echo", **options: Any) -> JsClient:
        parts = urlsplit(base)
        config = {"lib": lib, "host": parts.hostname, "port": parts.port, "key": key, **options}
        process = await asyncio.create_subprocess_exec(
            "node",
            str(JS_DIR / "client.mjs"),
            json.dumps(config),
            cwd=JS_DIR,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "NODE_NO_WARNINGS": "1"},
        )
        return cls(process)

    async def send(self, **command: Any) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps(command) + "\n").encode())
        await self.process.stdin.drain()

    async def expect(self, match: Match | None = None, **expected: Any) -> dict[str, Any]:
        """The next event that matches (earlier non-matching ones are kept in `events`)."""
        check = match or matches(**expected)
        assert self.process.stdout is not None
        while True:
            try:
                line = await asyncio.wait_for(self.process.stdout.readline(), WAIT)
            except TimeoutError:
                raise AssertionError(
                    f"no such event; the node client said: {self.events}"
                ) from None
            assert line, f"the node client exited; it said: {self.events}"
            event = json.loads(line)
            self.events.append(event)
            if check(event):
                return event  # type: ignore[no-any-return]

    async def stop(self) -> None:
        if self.process.returncode is None:
            try:
                await self.send(op="disconnect")
                await asyncio.wait_for(self.process.wait(), 5)
            except (TimeoutError, BrokenPipeError, ConnectionResetError):
                self.process.kill()
                await self.process.wait()


class Stalled:
    """A WebSocket client (websockets' sans-I/O protocol over a bare socket) that sends its
    frames and then stops reading, with a small receive buffer: the server's side backs up.
    Use as `async with await Stalled.open(…) as slow:` — closing the socket (a reset, when
    unread data is left) is what finally frees the server's side of it."""

    def __init__(self, sock: socket.socket, protocol: ClientProtocol) -> None:
        self.sock = sock
        self.protocol = protocol

    @classmethod
    async def open(cls, base: str, path: str, *frames: dict[str, Any]) -> Stalled:
        loop = asyncio.get_running_loop()
        parts = urlsplit(base)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        sock.setblocking(False)
        await loop.sock_connect(sock, (parts.hostname, parts.port))
        protocol = ClientProtocol(parse_uri(ws_url(base, path)))
        protocol.send_request(protocol.connect())
        await loop.sock_sendall(sock, b"".join(protocol.data_to_send()))
        while protocol.state is State.CONNECTING:
            protocol.receive_data(await asyncio.wait_for(loop.sock_recv(sock, 65536), WAIT))
        assert protocol.state is State.OPEN, protocol.handshake_exc
        for frame in frames:
            protocol.send_text(json.dumps(frame).encode())
        await loop.sock_sendall(sock, b"".join(protocol.data_to_send()))
        return cls(sock, protocol)

    async def __aenter__(self) -> Stalled:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.sock.close()

    async def read_until_closed(self) -> tuple[int | None, int]:
        """Read everything now; the server's close code and how many messages came before."""
        loop = asyncio.get_running_loop()
        # Room to read quickly now (a tiny window would crawl on the sender's probe timer).
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        messages = 0
        while self.protocol.close_rcvd is None:
            data = await asyncio.wait_for(loop.sock_recv(self.sock, 1 << 20), WAIT)
            if not data:
                break
            self.protocol.receive_data(data)
            for event in self.protocol.events_received():
                if (
                    getattr(event, "opcode", None) is Opcode.TEXT
                    and b'"type":"message"' in event.data
                ):
                    messages += 1
        return (self.protocol.close_rcvd.code if self.protocol.close_rcvd else None), messages


def signed_query(
    runtime: Any, path: str, body: bytes = b"", method: str = "POST", **override: str
) -> dict[str, str]:
    """The query string of a Pusher HTTP API call signed with the app secret by hand (for
    what the `pusher` package does not send: tampered parameters, `info` on a trigger)."""
    from livehouse.realtime import signatures

    settings = runtime.settings
    params = {
        "auth_key": settings.pusher_key,
        "auth_timestamp": str(int(time.time())),
        "auth_version": "1.0",
    }
    if body:
        params["body_md5"] = hashlib.md5(body).hexdigest()
    params |= override
    params["auth_signature"] = signatures.request_signature(
        settings.pusher_secret, method, path, params
    )
    return params


def pusher_client(base: str, settings: Any, secret: str | None = None) -> Any:
    """The `pusher` package's server client for the app served at `base` (with another
    `secret`: somebody who does not know ours)."""
    import pusher

    parts = urlsplit(base)
    return pusher.Pusher(
        app_id=settings.pusher_app_id,
        key=settings.pusher_key,
        secret=secret or settings.pusher_secret,
        host=parts.hostname,
        port=parts.port,
        ssl=False,
    )


async def until(check: Callable[[], Awaitable[Any]], expected: Any) -> None:
    """Ask again until the answer is `expected` (a closed socket leaves the hub a moment after
    its close handshake; another node shares its counts a moment after they change); fail with
    the last answer."""
    answer = None
    for _ in range(int(WAIT / 0.05)):
        answer = await check()
        if answer == expected:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"expected {expected}, got {answer}")
