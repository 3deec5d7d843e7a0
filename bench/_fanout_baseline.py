"""The baseline for bench/fanout.py: a bare `websockets` broadcast server (uvloop, no
compression). A subscriber sends any text to join and gets `{"type":"subscribed"}` back; a
publisher connection (path /publish) sends messages, each broadcast at once with
`websockets.broadcast` — no channels, no history, no per-socket limits or back-pressure. It keeps
the figure the hub keeps: receive-to-last-write per message, in ms.

    python bench/_fanout_baseline.py PORT
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import uvloop
from websockets.asyncio.server import ServerConnection, broadcast, serve

subscribers: set[ServerConnection] = set()
fanout_ms: list[float] = []


async def handler(connection: ServerConnection) -> None:
    path = connection.request.path if connection.request else "/"
    try:
        if path == "/publish":
            async for message in connection:
                if message == "stats":
                    await connection.send(json.dumps({"fanout_ms": fanout_ms, "deferred": 0}))
                elif message == "reset":
                    fanout_ms.clear()
                else:
                    started = time.time()
                    broadcast(subscribers, message)
                    fanout_ms.append((time.time() - started) * 1000)
            return
        await connection.recv()  # the subscribe message
        subscribers.add(connection)
        await connection.send('{"type":"subscribed"}')
        await connection.wait_closed()
    finally:
        subscribers.discard(connection)


async def main() -> None:
    async with serve(
        handler, "127.0.0.1", int(sys.argv[1]), compression=None, backlog=4096, max_queue=None
    ):
        await asyncio.Future()


if __name__ == "__main__":
    uvloop.run(main())
