"""Checkout under contention: B buyers race for C places of one ticket type.

    uv run python bench/checkout.py [--buyers 1000] [--capacity 10000] [--db sqlite,postgresql]
                                    [--workers 2] [--raw-connections 20] [--pool 10]
                                    [--profile PREFIX]   (with `uv run --with py-spy …`)

For each database: a fresh database is migrated and set up (an organisation, a published event,
one ticket type with C places, B buyer accounts with tokens); the real server runs as
`livehouse serve` in its own process; a separate load-generator process starts B buyers at once,
each buying one ticket per request (hold → sandbox card payment → paid order, in one request:
POST /v1/events/{id}/orders) until the event is sold out. Then the issued tickets and counters
are checked against C. `raw_per_s` is the same writes done directly with the database driver, in
the same run, with the same concurrency: the floor below which no application on this machine can
go — measured right before and right after the app's run (`raw_runs_per_s`) and averaged.
Prints one JSON line per database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from bench import _raw  # noqa: E402
from bench._http import Connection  # noqa: E402
from bench._servers import (  # noqa: E402
    cpu_seconds,
    free_port,
    postgres,
    postgres_pid,
    profiled,
    redis_server,
    wait_for_port,
)

SECRET = "bench-secret-key-0123456789-abcdefghijklmnop"
CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2035, "cvc": "123"}


def environment(
    database_url: str, work: Path, pool: int = 10, redis_url: str | None = None
) -> dict[str, str]:
    return {
        **os.environ,
        # Worker processes share rate limits and realtime through Redis (`livehouse serve`
        # refuses several workers without it).
        **({"LIVEHOUSE_REDIS_URL": redis_url} if redis_url else {}),
        "LIVEHOUSE_DATABASE_URL": database_url,
        "LIVEHOUSE_SECRET_KEY": SECRET,
        "LIVEHOUSE_BASE_URL": "http://bench.example.com",
        # INFO as in production: one access log line per request.
        "LIVEHOUSE_LOG_LEVEL": "INFO",
        "LIVEHOUSE_MAIL_URL": f"file://{work}/mail",
        "LIVEHOUSE_SMS_URL": f"file://{work}/sms",
        "LIVEHOUSE_STORAGE_URL": f"file://{work}/m",
        "LIVEHOUSE_ACCESS_TOKEN_TTL_SECONDS": "7200",
        # Jobs (confirmation e-mails) are for worker nodes; the web nodes measured here only
        # queue them, as a production deployment with `livehouse worker` would.
        "LIVEHOUSE_RUN_OUTBOX_IN_PROCESS": "false",
        # The pool bounds the transactions one process runs at once (the app's default size,
        # no overflow). 10 and 40 measured the same within this machine's noise.
        "LIVEHOUSE_DATABASE_POOL_SIZE": str(pool),
        "LIVEHOUSE_DATABASE_MAX_OVERFLOW": "0",
        "LIVEHOUSE_DATABASE_POOL_TIMEOUT": "120",
    }


async def setup(buyers: int, capacity: int) -> dict[str, Any]:
    """Through the app (in this process): what is sold, and who buys. Environment must be set."""
    import httpx
    from asgi_lifespan import LifespanManager

    from livehouse.app import create_app
    from livehouse.core import migrations
    from livehouse.core.db import unit_of_work
    from livehouse.core.settings import Settings
    from livehouse.identity import oauth, scopes, service

    app = create_app(Settings(), configure_logs=False)  # from this database's environment
    runtime = app.state.runtime
    await migrations.upgrade(runtime.database)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench.example.com"
        ) as http,
    ):

        async def ok(response: httpx.Response) -> Any:
            assert response.status_code < 300, response.text
            return response.json()

        await ok(
            await http.post(
                "/v1/accounts",
                json={
                    "email": "organiser@bench.example.com",
                    "password": "bench organiser passphrase",
                },
            )
        )
        token = (
            await ok(
                await http.post(
                    "/v1/oauth/token",
                    data={
                        "grant_type": "password",
                        "username": "organiser@bench.example.com",
                        "password": "bench organiser passphrase",
                    },
                )
            )
        )["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        org = await ok(await http.post("/v1/orgs", json={"name": "Bench Hall"}, headers=auth))
        events = []
        # One event for the app, one for each raw run (before and after the app's).
        for name in ("Benchmark night", "Raw driver night", "Raw driver night, second run"):
            event = await ok(
                await http.post(
                    f"/v1/orgs/{org['id']}/events",
                    headers=auth,
                    json={
                        "name": name,
                        "event_type": "online",
                        "timezone": "UTC",
                        "currency": "EUR",
                        "online": {"stream_url": "https://stream.example/bench"},
                        "occurrence": {
                            "type": "single",
                            "starts_on": "2030-06-01T20:00:00",
                            "duration_minutes": 120,
                        },
                    },
                )
            )
            await ok(await http.post(f"/v1/events/{event['id']}/publish", headers=auth))
            ticket_type = await ok(
                await http.post(
                    f"/v1/events/{event['id']}/ticket-types",
                    headers=auth,
                    json={"name": "General", "quantity": capacity, "variations": [{"price": 2500}]},
                )
            )
            events.append((event, ticket_type))
        tokens = []
        async with unit_of_work(runtime.database) as session:
            for n in range(buyers):
                account = await service.register(
                    session, email=f"buyer{n}@bench.example.com", password=None
                )
                await session.flush()
                grant = await oauth.issue_user_tokens(session, account, sorted(scopes.all_scopes()))
                tokens.append(grant.access_token)
    (event, ticket_type), *raw = events
    return {
        "event_id": event["id"],
        "ticket_type_id": ticket_type["id"],
        "tokens": tokens,
        "raw_ticket_type_ids": [raw_type["id"] for _, raw_type in raw],
    }


async def load(port: int, plan: dict[str, Any]) -> dict[str, Any]:
    """The load generator (its own process): every buyer buys until sold out."""
    path = f"/v1/events/{plan['event_id']}/orders"
    body = json.dumps(
        {"items": [{"ticket_type_id": plan["ticket_type_id"], "quantity": 1}], "card": CARD}
    ).encode()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    failures: list[str] = []
    start = asyncio.Event()

    async def buyer(token: str) -> None:
        connection = Connection("127.0.0.1", port)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        await start.wait()
        try:
            while True:
                began = time.perf_counter()
                status, payload = await connection.request("POST", path, body, headers)
                statuses[status] = statuses.get(status, 0) + 1
                if status == 201:
                    latencies.append(time.perf_counter() - began)
                    continue
                if status != 409 and len(failures) < 5:
                    failures.append(f"{status} {payload[:200]!r}")
                return  # sold out — or an error, counted above: this buyer stops
        except Exception as exc:
            statuses[-1] = statuses.get(-1, 0) + 1
            if len(failures) < 5:
                failures.append(repr(exc))
        finally:
            await connection.close()

    tasks = [asyncio.create_task(buyer(t)) for t in plan["tokens"]]
    await asyncio.sleep(0.5)
    began = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - began
    return {"elapsed": elapsed, "latencies": latencies, "statuses": statuses, "failures": failures}


async def count_sold(ticket_type_id: str) -> tuple[int, int]:
    from sqlalchemy import func, select

    from livehouse.core.db import Database, unit_of_work
    from livehouse.core.settings import Settings
    from livehouse.ticketing.models import Ticket, TicketStock, TicketType

    database = Database(Settings())
    async with unit_of_work(database, write=False) as session:
        type_id = await session.scalar(
            select(TicketType.id).where(TicketType.public_id == uuid.UUID(ticket_type_id))
        )
        tickets = await session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(Ticket.ticket_type_id == type_id, Ticket.status == "valid")
        )
        taken = await session.scalar(
            select(TicketStock.taken).where(TicketStock.ticket_type_id == type_id)
        )
    await database.dispose()
    return int(tickets or 0), int(taken or 0)


def wait_for_workers(log: Path, workers: int, timeout: float = 180.0) -> None:
    """The port opens before the workers have imported the app: wait until each says so."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.read_text().count("Application startup complete") >= workers:
            return
        time.sleep(0.2)
    raise TimeoutError("the server's workers did not start")


def _cpu(server: int, database: int | None) -> dict[str, float]:
    """CPU seconds (user + system) so far: the server's and the database's processes, and this
    process's finished children (the load generator, once it has run)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_user, server_system = cpu_seconds(server)
    return {
        "server": server_user + server_system,
        "server_system": server_system,  # the kernel's share of it: sockets, page faults
        "database": sum(cpu_seconds(database)) if database else 0.0,
        "load": children.ru_utime + children.ru_stime,
    }


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def raw_run(
    url: str, ticket_type: str, args: argparse.Namespace, database: int | None
) -> tuple[float, dict[str, float]]:
    """The floor on `ticket_type` (sold out by the end): checkouts per second, and the CPU
    seconds it took in this process (the driver) and in the database's processes."""
    own, db = time.process_time(), sum(cpu_seconds(database)) if database else 0.0
    rate = asyncio.run(_raw.run(url, ticket_type, args.buyers, args.capacity, args.raw_connections))
    cpu = {
        "driver": time.process_time() - own,
        "database": (sum(cpu_seconds(database)) - db) if database else 0.0,
    }
    return rate, cpu


def run_database(kind: str, url: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    env = environment(url, work, args.pool, args.redis_url)
    os.environ.update(env)  # for the counts below
    plan_file = work / f"plan-{kind}.json"
    # Set up in a process of its own: the app keeps per-process caches (signing keys) that
    # must not carry from one database to the next.
    subprocess.run(
        [
            sys.executable,
            __file__,
            "--setup",
            str(plan_file),
            "--buyers",
            str(args.buyers),
            "--capacity",
            str(args.capacity),
        ],
        env=env,
        check=True,
    )
    plan = json.loads(plan_file.read_text())

    # The floor is measured right before and right after the app's run, each on an event of
    # its own, and averaged: on this shared machine one raw run alone moved by a third between
    # runs minutes apart, and the ratio with it.
    raw_type_before, raw_type_after = plan["raw_ticket_type_ids"]
    database = postgres_pid(url) if kind == "postgresql" else None
    raw_before, raw_cpu_before = raw_run(url, raw_type_before, args, database)
    port = free_port()
    log = work / f"server-{kind}.log"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "livehouse",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(log, "w"),  # noqa: SIM115 — closed with the process
    )
    try:
        wait_for_port(port)
        wait_for_workers(log, args.workers)
        profile = args.profile and f"{args.profile}.{kind}.txt"
        cpu_before = _cpu(server.pid, database)
        with profiled(server.pid, profile, subprocesses=True):
            generator = subprocess.run(
                [sys.executable, __file__, "--load", str(plan_file), "--port", str(port)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
                timeout=3600,
            )
        result = json.loads(generator.stdout)
        cpu = {k: v - cpu_before[k] for k, v in _cpu(server.pid, database).items()}
    finally:
        server.terminate()
        server.wait(timeout=60)
    sold, taken = asyncio.run(count_sold(plan["ticket_type_id"]))
    raw_after, raw_cpu_after = raw_run(url, raw_type_after, args, database)
    raw = (raw_before + raw_after) / 2
    orders = len(result["latencies"])
    orders_per_s = orders / result["elapsed"] if result["elapsed"] else 0.0
    errors = sum(n for status, n in result["statuses"].items() if int(status) not in (201, 409))
    return {
        "bench": "checkout",
        "db": kind,
        "buyers": args.buyers,
        "capacity": args.capacity,
        "orders": orders,
        "orders_per_s": round(orders_per_s, 1),
        "p50_ms": round(percentile(result["latencies"], 0.50) * 1000, 1),
        "p99_ms": round(percentile(result["latencies"], 0.99) * 1000, 1),
        "oversold": max(0, sold - args.capacity) + max(0, taken - args.capacity),
        "tickets_match_counter": sold == taken,
        "errors": errors,
        "raw_per_s": round(raw, 1),
        "raw_runs_per_s": [round(raw_before, 1), round(raw_after, 1)],
        "ratio": round(orders_per_s / raw, 3) if raw else None,
        "server_workers": args.workers,
        "pool_per_worker": args.pool,
        # Where the machine's time went, per order: the server's processes, PostgreSQL's (on
        # SQLite the database works inside the server) and the load generator's.
        "cpu_ms_per_order": {k: round(v / orders * 1000, 2) for k, v in cpu.items()}
        if orders
        else None,
        # The floor's CPU per order: the driver's process (on SQLite the database works in it)
        # and PostgreSQL's. Where every process shares the same cores, the ratio follows the
        # two totals per order more than anything else.
        "raw_cpu_ms_per_order": {
            k: round((raw_cpu_before[k] + raw_cpu_after[k]) / 2 / args.capacity * 1000, 2)
            for k in raw_cpu_before
        },
        "failures": result["failures"][:3],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--buyers", type=int, default=1000)
    parser.add_argument("--capacity", type=int, default=10_000)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--raw-connections", type=int, default=20)
    parser.add_argument("--pool", type=int, default=10, help="database connections per worker")
    parser.add_argument(
        "--profile", help="py-spy stacks of the server's workers to PROFILE.<db>.txt"
    )
    parser.add_argument("--load", help=argparse.SUPPRESS)
    parser.add_argument("--setup", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:  # the setup's own process, environment set by the caller
        plan = asyncio.run(setup(args.buyers, args.capacity))
        Path(args.setup).write_text(json.dumps(plan))
        return
    if args.load:  # the load generator's own process
        plan = json.loads(Path(args.load).read_text())
        print(json.dumps(asyncio.run(load(args.port, plan))))
        return
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lh-bench-")))
        args.redis_url = stack.enter_context(redis_server()) if args.workers > 1 else None
        for kind in args.db.split(","):
            if kind == "sqlite":
                url = f"sqlite+aiosqlite:///{work}/bench.db"
            elif kind == "postgresql":
                url = stack.enter_context(postgres(durable=True))
            else:
                raise SystemExit(f"unknown database {kind}")
            print(json.dumps(run_database(kind, url, args, work)), flush=True)


if __name__ == "__main__":
    main()
