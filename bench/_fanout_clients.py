"""Subscriber processes for bench/fanout.py: many WebSocket clients in one process, each a small
asyncio protocol that parses server frames itself (unmasked, so cheap), so the clients cost far
less CPU than the servers they measure. No compression is offered (neither server would use it).

    python bench/_fanout_clients.py PORT PATH FIRST_FRAME COUNT OUT_PREFIX

Prints READY once every socket is connected, has sent FIRST_FRAME and has had it acknowledged
(a frame with "type": "subscribed"); then reads commands on stdin: COUNT (prints the deliveries
so far per phase as JSON, and "closed": sockets the server closed), DUMP (writes the latencies of
each phase to OUT_PREFIX.<phase>, prints DONE and exits). Message data carries "t" (the
publisher's wall clock when it sent the message) and "p" (the phase).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import resource
import sys
import time
from array import array

import orjson
import uvloop


class Phase:
    __slots__ = ("count", "first", "last", "latencies")

    def __init__(self) -> None:
        self.count, self.first, self.last = 0, 0.0, 0.0
        self.latencies = array("d")


phases: dict[int, Phase] = {}
closed = 0


def mask(opcode: int, payload: bytes) -> bytes:
    key = os.urandom(4)
    masked = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    size = len(payload)
    if size < 126:
        header = bytes([0x80 | opcode, 0x80 | size])
    else:
        header = bytes([0x80 | opcode, 0x80 | 126]) + size.to_bytes(2, "big")
    return header + key + masked


class Subscriber(asyncio.Protocol):
    def __init__(self, host: str, path: str, first: bytes, ready: asyncio.Future[None]) -> None:
        self.host, self.path, self.first, self.ready = host, path, first, ready
        self.buffer = bytearray()
        self.open = False
        self.subscribed = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        key = base64.b64encode(os.urandom(16)).decode()
        self.transport.write(
            (
                f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )

    def connection_lost(self, exc: Exception | None) -> None:
        global closed
        closed += 1
        if not self.ready.done():
            self.ready.set_exception(ConnectionError("closed before subscribing"))

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        if not self.open:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if b" 101 " not in buffer[: buffer.find(b"\r\n")]:
                self.ready.set_exception(ConnectionError(bytes(buffer[:80]).decode()))
                return
            del buffer[: end + 4]
            self.open = True
            assert self.transport is not None
            self.transport.write(mask(0x1, self.first))
        while len(buffer) >= 2:
            size, offset = buffer[1] & 0x7F, 2
            if size == 126:
                if len(buffer) < 4:
                    return
                size, offset = int.from_bytes(buffer[2:4], "big"), 4
            elif size == 127:
                if len(buffer) < 10:
                    return
                size, offset = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < offset + size:
                return
            opcode = buffer[0] & 0x0F
            payload = bytes(buffer[offset : offset + size])
            del buffer[: offset + size]
            if opcode == 0x1:
                self.text(payload)
            elif opcode == 0x9 and self.transport is not None:
                self.transport.write(mask(0xA, payload))

    def text(self, payload: bytes) -> None:
        now = time.time()
        body = orjson.loads(payload)
        data = body.get("data", body) if isinstance(body, dict) else None
        if isinstance(data, str):
            data = orjson.loads(data)
        if not isinstance(data, dict) or "t" not in data:
            kind = body.get("type") if isinstance(body, dict) else None
            if kind == "ping" and self.transport:
                self.transport.write(mask(0x1, b'{"type":"pong"}'))
            elif kind == "subscribed" and not self.subscribed:
                self.subscribed = True
                self.ready.set_result(None)
            return
        phase = phases.get(data["p"])
        if phase is None:
            phase = phases[data["p"]] = Phase()
        phase.count += 1
        phase.first = phase.first or now
        phase.last = now
        phase.latencies.append(now - data["t"])


def dump(out: str) -> None:
    for p, s in phases.items():
        with open(f"{out}.{p}", "wb") as file:
            array("d", [s.first, s.last, s.count]).tofile(file)
            s.latencies.tofile(file)


async def main() -> None:
    port, path, first, count, out = (
        int(sys.argv[1]),
        sys.argv[2],
        sys.argv[3].encode(),
        int(sys.argv[4]),
        sys.argv[5],
    )
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(50)
    transports = []

    async def one() -> None:
        async with gate:
            ready: asyncio.Future[None] = loop.create_future()
            transport, _ = await loop.create_connection(
                lambda: Subscriber(f"127.0.0.1:{port}", path, first, ready), "127.0.0.1", port
            )
            transports.append(transport)
            await asyncio.wait_for(ready, 60)

    await asyncio.gather(*(one() for _ in range(count)))
    print("READY", flush=True)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode().strip():
        if line == "COUNT":
            counts = {str(p): s.count for p, s in phases.items()}
            print(json.dumps(counts | {"closed": closed}), flush=True)
        elif line == "DUMP":
            dump(out)
            print("DONE", flush=True)
            break
    for transport in transports:
        transport.abort()


if __name__ == "__main__":
    uvloop.run(main())
