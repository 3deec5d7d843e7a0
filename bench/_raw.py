"""The floor: the writes of one checkout, done directly with the database driver (asyncpg or
sqlite3 via aiosqlite), with the same concurrency as the load generator — no HTTP, no framework,
no ORM. Per order, in one transaction and in a purchase's order: the payment, the order naming
it, its line, the ticket and the outbox job, then the conditional stock updates (ticket type,
event, per customer) right before COMMIT, so the hot stock row is locked only for those and the
commit. A sold-out counter rolls the order back. (No hold: a purchase paid at once writes none since
bca7a4d. Until the tenth session the floor took the counters first and held the hot row over
every INSERT — as no purchase does — which made it ~1.5x slower than the same writes in this
order and the ratio look better than it was.)"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import uuid_utils
from sqlalchemy.engine import make_url


class _SoldOut(Exception):
    """The stock counter found no place left: the order's writes roll back."""


def _uuid7() -> uuid.UUID:
    return uuid.UUID(bytes=uuid_utils.uuid7().bytes)


STATEMENTS = [
    (
        "stock",
        "UPDATE ticket_stock SET taken = taken + 1 WHERE id = {0} AND taken + 1 <= "
        "(SELECT quantity FROM ticket_types WHERE id = {1})",
        2,
    ),
    ("event", "UPDATE event_stock SET taken = taken + 1 WHERE occurrence_id = {0}", 1),
    (
        "customer",
        "INSERT INTO customer_purchases (ticket_type_id, occurrence_id, account_id, "
        "taken) VALUES ({p}) ON CONFLICT (ticket_type_id, occurrence_id, account_id) "
        "DO UPDATE SET taken = customer_purchases.taken + 1",
        4,
    ),
    (
        "order",
        "INSERT INTO orders (public_id, org_id, event_id, occurrence_id, account_id, "
        "payment_id, status, number, answers, currency, subtotal, discount, service_charge, "
        "tax, total, refunded, created_at, updated_at) VALUES ({p})",
        18,
    ),
    (
        "line",
        "INSERT INTO order_lines (public_id, order_id, kind, ticket_type_id, variation_id, "
        "description, unit_price, quantity, amount) VALUES ({p})",
        9,
    ),
    (
        "payment",
        "INSERT INTO payments (public_id, org_id, account_id, amount, currency, "
        "amount_refunded, status, provider, provider_ref, purpose, reference, "
        "challenge_attempts, metadata, created_at, updated_at) VALUES ({p})",
        15,
    ),
    (
        "ticket",
        "INSERT INTO tickets (public_id, order_id, event_id, occurrence_id, "
        "ticket_type_id, variation_id, account_id, answers, status, created_at, "
        "updated_at) VALUES ({p})",
        11,
    ),
    (
        "outbox",
        "INSERT INTO outbox_jobs (topic, payload, status, attempts, available_at, "
        "created_at) VALUES ({p})",
        6,
    ),
]


def _sql(template: str, count: int, postgres: bool) -> str:
    marks = [f"${i + 1}" if postgres else "?" for i in range(count)]
    if "{p}" in template:
        return template.replace("{p}", ", ".join(marks))
    return template.format(*marks)


async def run(url: str, ticket_type: str, buyers: int, capacity: int, connections: int) -> float:
    """Checkouts per second, the writes of each straight through the driver, until
    `ticket_type` (a public id) is sold out."""
    postgres = url.startswith("postgresql")
    sql = {name: _sql(t, n, postgres) for name, t, n in STATEMENTS}
    ids = await _ids(url, ticket_type)
    sold = 0
    lock = asyncio.Lock()

    def value(v: Any) -> Any:  # what each driver expects for our column types
        if postgres:
            return v
        if isinstance(v, uuid.UUID):
            return v.hex
        if isinstance(v, datetime):
            return v.replace(tzinfo=None).isoformat(sep=" ")
        return v

    async def order(execute: Any, account_id: int) -> None:
        """One purchase's writes; raises _SoldOut (the caller rolls back) when none is left."""
        now = datetime.now(UTC)
        params = {
            "stock": [ids["stock"], ids["type"]],
            "event": [ids["occurrence"]],
            "customer": [ids["type"], ids["occurrence"], account_id, 1],
        }
        order_public_id = _uuid7()  # the payment names the order before it is written
        payment_id = await execute(
            sql["payment"] + " RETURNING id",
            [
                _uuid7(),
                ids["org"],
                account_id,
                2500,
                "EUR",
                0,
                "succeeded",
                "sandbox",
                f"sbx_{uuid.uuid4().hex}",
                "order",
                str(order_public_id),
                0,
                "{}",
                now,
                now,
            ],
            returning=True,
        )
        order_id = await execute(
            sql["order"] + " RETURNING id",
            [
                order_public_id,
                ids["org"],
                ids["event"],
                ids["occurrence"],
                account_id,
                payment_id,
                "paid",
                f"RAW-{uuid.uuid4().hex[:12]}",
                "{}",
                "EUR",
                2500,
                0,
                0,
                0,
                2500,
                0,
                now,
                now,
            ],
            returning=True,
        )
        await execute(
            sql["line"],
            [_uuid7(), order_id, "ticket", ids["type"], ids["variation"], "General", 2500, 1, 2500],
        )
        await execute(
            sql["ticket"],
            [
                _uuid7(),
                order_id,
                ids["event"],
                ids["occurrence"],
                ids["type"],
                ids["variation"],
                account_id,
                "{}",
                "valid",
                now,
                now,
            ],
        )
        await execute(
            sql["outbox"],
            ["email.send", json.dumps({"to": "x@bench.example.com"}), "pending", 0, now, now],
        )
        if await execute(sql["stock"], params["stock"]) != 1:
            raise _SoldOut
        await execute(sql["event"], params["event"])
        await execute(sql["customer"], params["customer"])

    if postgres:
        import asyncpg

        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        pool = await asyncpg.create_pool(dsn, min_size=connections, max_size=connections)

        async def transaction(account_id: int) -> bool:
            async with pool.acquire() as conn:

                async def execute(q: str, p: list[Any], returning: bool = False) -> Any:
                    if returning:
                        return await conn.fetchval(q, *p)
                    status = await conn.execute(q, *p)
                    return int(status.rsplit(" ", 1)[-1])

                try:
                    async with conn.transaction():
                        await order(execute, account_id)
                except _SoldOut:
                    return False
                return True
    else:
        import aiosqlite

        path = make_url(url).database
        conns = [
            await aiosqlite.connect(path, timeout=60, isolation_level=None)
            for _ in range(connections)
        ]
        for c in conns:
            await c.execute("PRAGMA journal_mode=WAL")
            await c.execute("PRAGMA synchronous=NORMAL")
            await c.execute("PRAGMA busy_timeout=60000")
        free: asyncio.Queue[Any] = asyncio.Queue()
        for c in conns:
            free.put_nowait(c)

        async def transaction(account_id: int) -> bool:
            conn = await free.get()
            try:
                await conn.execute("BEGIN IMMEDIATE")
                try:

                    async def execute(q: str, p: list[Any], returning: bool = False) -> Any:
                        cursor = await conn.execute(q, [value(v) for v in p])
                        if returning:
                            return (await cursor.fetchone())[0]
                        return cursor.rowcount

                    await order(execute, account_id)
                    await conn.execute("COMMIT")
                    return True
                except _SoldOut:
                    await conn.execute("ROLLBACK")
                    return False
                except BaseException:
                    await conn.execute("ROLLBACK")
                    raise
            finally:
                free.put_nowait(conn)

    accounts = ids["accounts"]

    async def buyer(n: int) -> None:
        nonlocal sold
        account_id = accounts[n % len(accounts)]
        while True:
            if not await transaction(account_id):
                return
            async with lock:
                sold += 1

    began = time.perf_counter()
    await asyncio.gather(*[buyer(n) for n in range(buyers)])
    elapsed = time.perf_counter() - began
    if postgres:
        await pool.close()
    else:
        for c in conns:
            await c.close()
    return sold / elapsed if elapsed else 0.0


async def _ids(url: str, ticket_type: str) -> dict[str, Any]:
    """Internal ids of the raw run's event, ticket type, variation, occurrence, stock row."""
    from sqlalchemy import select

    from livehouse.core.db import Database, insert_ignore, unit_of_work
    from livehouse.core.settings import Settings
    from livehouse.events.models import Event, Occurrence
    from livehouse.identity.models import Account
    from livehouse.ticketing.models import EventStock, TicketStock, TicketType, TicketVariation

    database = Database(Settings(database_url=url, secret_key="x"))
    async with unit_of_work(database) as s:
        type_id, event_id = (
            await s.execute(
                select(TicketType.id, TicketType.event_id).where(
                    TicketType.public_id == uuid.UUID(ticket_type)
                )
            )
        ).one()
        org_id = await s.scalar(select(Event.org_id).where(Event.id == event_id))
        occurrence_id = await s.scalar(select(Occurrence.id).where(Occurrence.event_id == event_id))
        variation_id = await s.scalar(
            select(TicketVariation.id).where(TicketVariation.ticket_type_id == type_id)
        )
        await s.execute(
            insert_ignore(
                s,
                TicketStock,
                [{"ticket_type_id": type_id, "occurrence_id": occurrence_id, "taken": 0}],
            )
        )
        await s.execute(
            insert_ignore(s, EventStock, [{"occurrence_id": occurrence_id, "taken": 0}])
        )
        stock_id = await s.scalar(
            select(TicketStock.id).where(TicketStock.ticket_type_id == type_id)
        )
        accounts = list(
            (
                await s.scalars(
                    select(Account.id).where(Account.email.like("buyer%@bench.example.com"))
                )
            ).all()
        )
    await database.dispose()
    return {
        "type": type_id,
        "event": event_id,
        "org": org_id,
        "occurrence": occurrence_id,
        "variation": variation_id,
        "stock": stock_id,
        "accounts": accounts,
    }
