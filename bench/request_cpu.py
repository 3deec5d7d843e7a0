"""CPU time of one request, in process: where the checkout's throughput goes.

    uv run python bench/request_cpu.py [--db sqlite,postgresql] [--purchases 400] [--split]
                                       [--buyers 1]

The app runs in this process behind httpx's ASGI transport (no sockets, no server), one request
at a time, against a fresh SQLite file or a throwaway PostgreSQL, set up as bench/checkout.py
does. For each request kind, the process CPU time per request (user + system, so the driver's
socket calls count) is taken over several batches; the fastest batch is the figure (this
machine is shared and noisy), the median is printed too. The baseline is `GET /healthz`, the
cheapest request the framework and our middleware serve; `GET /v1/me` adds authentication and
one row; the purchase is `POST /v1/events/{id}/orders` (hold, card payment, order, ticket, pass).
`--split` adds the CPU time spent inside each kind of SQLAlchemy session call per purchase.
`--buyers N` (N > 1) adds `first_purchase`: each a purchase by one of N - 1 buyers who have not
bought yet, with a token the app has not seen (most real buyers buy once).
Prints one JSON line per database.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from bench import checkout  # noqa: E402
from bench._servers import postgres  # noqa: E402

BATCHES = 8
Call = Callable[[], Awaitable[Any]]


async def cpu_per_call(call: Callable[[], Awaitable[Any]], calls: int) -> tuple[float, float]:
    """(fastest, median) batch's CPU milliseconds per call, after a warm-up batch."""
    per_batch = max(1, calls // BATCHES)
    for _ in range(min(per_batch, 20)):
        await call()
    batches = []
    for _ in range(BATCHES):
        began = time.process_time()
        for _ in range(per_batch):
            await call()
        batches.append((time.process_time() - began) / per_batch * 1000)
    return round(min(batches), 2), round(statistics.median(batches), 2)


def time_session_calls() -> tuple[collections.Counter[str], collections.Counter[str]]:
    """Wrap AsyncSession's statement-running methods to add up their CPU time, by kind."""
    from sqlalchemy.ext.asyncio import AsyncSession

    spent: collections.Counter[str] = collections.Counter()
    count: collections.Counter[str] = collections.Counter()

    def wrap(name: str) -> None:
        original = getattr(AsyncSession, name)

        async def timed(self: AsyncSession, *args: Any, **kwargs: Any) -> Any:
            began = time.process_time()
            try:
                return await original(self, *args, **kwargs)
            finally:
                label = name
                if name == "execute" and args:
                    table = getattr(getattr(args[0], "table", None), "name", None)
                    label = f"execute {type(args[0]).__name__.lower()} {table or ''}".strip()
                spent[label] += time.process_time() - began
                count[label] += 1

        setattr(AsyncSession, name, timed)

    for name in ("execute", "scalar", "scalars", "get", "flush", "commit", "refresh"):
        wrap(name)
    return spent, count


@contextlib.asynccontextmanager
async def requests(
    url: str, work: Path, purchases: int, buyers: int = 1
) -> AsyncIterator[dict[str, Call]]:
    """The app in this process on a database set up as bench/checkout.py does (room for
    `purchases`, `buyers` accounts): one coroutine function per request kind, each asserting
    success. `first_purchase` is a purchase by a buyer who has bought nothing yet (one of the
    `buyers` - 1 others each time)."""
    os.environ.update(checkout.environment(url, work))
    plan = await checkout.setup(buyers, 10 * purchases + 1000)
    newcomers = iter(plan["tokens"][1:])
    import httpx
    from asgi_lifespan import LifespanManager

    from livehouse.app import create_app
    from livehouse.core.settings import Settings

    app = create_app(Settings(), configure_logs=False)
    auth = {"Authorization": f"Bearer {plan['tokens'][0]}"}
    order = {
        "items": [{"ticket_type_id": plan["ticket_type_id"], "quantity": 1}],
        "card": checkout.CARD,
    }
    async with (
        LifespanManager(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench.example.com"
        ) as http,
    ):

        async def ok(method: str, path: str, **kwargs: Any) -> None:
            response = await http.request(method, path, **kwargs)
            assert response.status_code < 300, response.text

        def buy(token: str) -> Awaitable[None]:
            headers = {"Authorization": f"Bearer {token}"}
            return ok("POST", f"/v1/events/{plan['event_id']}/orders", json=order, headers=headers)

        yield {
            "first_purchase": lambda: buy(next(newcomers)),
            "healthz": lambda: ok("GET", "/healthz"),
            "me": lambda: ok("GET", "/v1/me", headers=auth),
            "event": lambda: ok("GET", f"/v1/events/{plan['event_id']}"),
            "purchase": lambda: buy(plan["tokens"][0]),
        }
    await app.state.runtime.database.dispose()


@contextlib.contextmanager
def database(kind: str) -> Iterator[tuple[str, Path]]:
    """A fresh database of that kind and a work directory: (URL, directory)."""
    with tempfile.TemporaryDirectory(prefix="lh-cpu-") as tmp:
        work = Path(tmp)
        if kind == "sqlite":
            yield f"sqlite+aiosqlite:///{work}/b.db", work
        elif kind == "postgresql":
            with postgres(durable=True) as url:
                yield url, work
        else:
            raise SystemExit(f"unknown database {kind}")


async def measure(kind: str, url: str, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    async with requests(url, work, args.purchases, args.buyers) as calls:
        figures = {
            "healthz": await cpu_per_call(calls["healthz"], 400),
            "me": await cpu_per_call(calls["me"], 400),
            "event": await cpu_per_call(calls["event"], 400),
            "purchase": await cpu_per_call(calls["purchase"], args.purchases),
        }
        if args.buyers > 1:  # (the warm-up batch takes newcomers too)
            newcomers = args.buyers - 1
            batch = newcomers // (BATCHES + 1)
            figures["first_purchase"] = await cpu_per_call(calls["first_purchase"], batch * BATCHES)
        line: dict[str, Any] = {"bench": "request_cpu", "db": kind}
        for name, (fastest, median) in figures.items():
            line[f"{name}_ms"] = fastest
            line[f"{name}_median_ms"] = median
        line["purchase_per_healthz"] = round(figures["purchase"][0] / figures["healthz"][0], 1)
        if args.split:
            spent, count = time_session_calls()
            n = max(1, args.purchases // 2)
            for _ in range(n):
                await calls["purchase"]()
            line["purchase_session_calls"] = {
                label: {"ms": round(spent[label] / n * 1000, 2), "calls": count[label] / n}
                for label in sorted(spent, key=lambda k: -spent[k])
            }
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--purchases", type=int, default=400)
    parser.add_argument("--split", action="store_true", help="CPU inside session calls")
    parser.add_argument(
        "--buyers", type=int, default=1, help="> 1: also first purchases by that many buyers"
    )
    args = parser.parse_args()
    for kind in args.db.split(","):
        with database(kind) as (url, work):
            line = asyncio.run(measure(kind, url, work, args))
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
