"""Waiting for outbox jobs in tests, with the in-process dispatcher running alongside."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select, update

from livehouse.core import clock
from livehouse.core.db import unit_of_work
from livehouse.core.models import OutboxJob


async def drain_outbox(runtime: Any, timeout: float = 10.0) -> None:
    """Run every due outbox job, and wait for those the in-process dispatcher already claimed
    (run_pending alone returns while another dispatcher still holds a job). A job that failed
    on the way (now waiting for its retry) fails the test, with its error."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        await runtime.outbox.run_pending()
        async with unit_of_work(runtime.database, write=False) as session:
            due = await session.scalar(
                select(func.count())
                .select_from(OutboxJob)
                .where(OutboxJob.status == "pending", OutboxJob.available_at <= clock.now())
            )
        if not due:
            break
        assert loop.time() < deadline, f"{due} outbox jobs still due"
        await asyncio.sleep(0.02)
    failed = [j for j in await outbox_rows(runtime) if j.last_error and j.status != "done"]
    assert not failed, f"outbox jobs failed: {described(failed)}"


async def outbox_rows(runtime: Any) -> list[OutboxJob]:
    """Every outbox row, oldest first."""
    async with unit_of_work(runtime.database, write=False) as session:
        return list((await session.scalars(select(OutboxJob).order_by(OutboxJob.id))).all())


def described(rows: list[OutboxJob]) -> list[dict[str, Any]]:
    """Outbox rows as a failure message shows them, with the clock's reading."""
    return [
        {
            "topic": job.topic,
            "status": job.status,
            "attempts": job.attempts,
            "available_at": job.available_at.isoformat(),
            "finished_at": job.finished_at and job.finished_at.isoformat(),
            "last_error": job.last_error,
            "payload": job.payload,
            "clock": clock.now().isoformat(),
        }
        for job in rows
    ]


async def redeliver(runtime: Any, topic: str) -> int:
    """Make the finished jobs of `topic` due again, as an at-least-once dispatcher may (a node
    dying after the work but before marking it done); returns how many."""
    async with unit_of_work(runtime.database) as session:
        result = await session.execute(
            update(OutboxJob)
            .where(OutboxJob.topic == topic, OutboxJob.status == "done")
            .values(status="pending", available_at=clock.now(), finished_at=None)
        )
    return int(result.rowcount)  # type: ignore[attr-defined]
