"""One version of the app for bench/compare_cpu.py: `python bench/_cpu_child.py SRC DB`.

Imports livehouse from SRC (a checkout's `src/`), sets up a database as bench/request_cpu.py
does, prints `ready`, then for each line `KIND N` on stdin runs N requests of that kind and
prints `ms <CPU milliseconds per request>`. Ends when stdin closes."""

from __future__ import annotations

import asyncio
import sys
import time

from request_cpu import database, requests  # bench/ is this script's directory

source, kind = sys.argv[1], sys.argv[2]
sys.path.insert(0, source)  # before this tree's src/, which request_cpu put on the path


async def serve() -> None:
    with database(kind) as (url, work):
        async with requests(url, work, 20_000) as calls:
            import livehouse

            assert livehouse.__file__.startswith(source), livehouse.__file__
            print("ready", flush=True)
            loop = asyncio.get_running_loop()
            while line := await loop.run_in_executor(None, sys.stdin.readline):
                name, count = line.split()
                call, n = calls[name], int(count)
                began = time.process_time()
                for _ in range(n):
                    await call()
                print(f"ms {(time.process_time() - began) / n * 1000:.4f}", flush=True)


asyncio.run(serve())
