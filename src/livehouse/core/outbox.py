"""Transactional outbox: side effects that must happen exactly when the business change commits.

`enqueue(session, topic, payload)` adds a row in the caller's transaction: a rollback drops it, a
commit makes it durable. The dispatcher claims due rows with a lease, runs the topic's handler in a
fresh unit of work and marks the row done in that same transaction. A failing handler is retried
with exponential backoff until `outbox_max_attempts`, then parked as `dead`. Delivery is at least
once, so handlers must be idempotent (the job id is a good idempotency key for external calls).

Many nodes may run dispatchers against one PostgreSQL: claiming uses `FOR UPDATE SKIP LOCKED`, so a
row is run by one node at a time, and an expired lease (a node that died mid-job) is claimed again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.db import Database, after_commit, before_commit, unit_of_work, write_new
from livehouse.core.logging import FailureStreak
from livehouse.core.models import OutboxJob

if TYPE_CHECKING:
    from livehouse.core.runtime import Runtime

log = logging.getLogger("livehouse.outbox")


@dataclass(slots=True)
class Job:
    id: int
    topic: str
    payload: dict[str, Any]
    attempt: int
    session: AsyncSession
    runtime: Runtime


Handler = Callable[[Job], Awaitable[None]]
_handlers: dict[str, Handler] = {}


def handler(topic: str) -> Callable[[Handler], Handler]:
    """Register the handler for `topic` (one per topic; re-registering replaces it)."""

    def register(fn: Handler) -> Handler:
        _handlers[topic] = fn
        return fn

    return register


def registered_topics() -> list[str]:
    return sorted(_handlers)


def enqueue(
    session: AsyncSession,
    topic: str,
    payload: dict[str, Any],
    *,
    delay: timedelta | None = None,
    at: datetime | None = None,
    dedupe_key: str | None = None,
) -> OutboxJob:
    """Add a job to the caller's transaction, due `at` (else `delay` from now, else now).
    Callers that decided with a `now` of their own pass `at`, so the job is due by that same
    reading of the clock. `dedupe_key` is unique across jobs: a second job with the same key
    fails the transaction (at its flush) instead of running twice."""
    if topic not in _handlers:
        raise LookupError(f"no outbox handler registered for topic {topic!r}")
    job = OutboxJob(
        topic=topic,
        payload=payload,
        available_at=at if at is not None else clock.now() + (delay or timedelta()),
        dedupe_key=dedupe_key,
    )
    session.add(job)
    _write_before_commit(session, job)

    async def wake() -> None:
        from livehouse.core.runtime import current_or_none

        runtime = current_or_none()
        if runtime is not None:
            runtime.outbox.wake()

    after_commit(session, wake)
    return job


def _write_before_commit(session: AsyncSession, job: OutboxJob) -> None:
    """The transaction's new jobs are written together right before COMMIT by `write_new`, for
    less CPU than a flush of them (a purchase's only flush was its job's); a flush before then
    writes them as usual, and `write_new` leaves those alone."""
    pending: list[OutboxJob] | None = session.info.get(_PENDING_JOBS)
    if pending is None:
        pending = session.info[_PENDING_JOBS] = []

        async def write() -> None:
            jobs = session.info.pop(_PENDING_JOBS, ())
            # Only jobs still waiting: not those a flush wrote, nor those a rolled-back
            # savepoint took out of the session.
            await write_new(session, *(job for job in jobs if inspect(job).pending))

        before_commit(session, write)
    pending.append(job)


_PENDING_JOBS = "outbox_pending_jobs"  # session.info


def backoff_seconds(attempt: int, base: float = 2.0, cap: float = 3600.0) -> float:
    """Exponential backoff with jitter: ~2s, 4s, 8s … capped at an hour."""
    delay = min(cap, base**attempt)
    return delay * random.uniform(0.8, 1.2)


class OutboxDispatcher:
    def __init__(
        self,
        database: Database,
        runtime: Runtime,
        *,
        poll_seconds: float = 1.0,
        max_attempts: int = 8,
        lease_seconds: int = 60,
        batch_size: int = 20,
    ) -> None:
        self.database = database
        self.runtime = runtime
        self.poll_seconds = poll_seconds
        self.max_attempts = max_attempts
        self.lease = timedelta(seconds=lease_seconds)
        self.batch_size = batch_size
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def wake(self) -> None:
        self._wakeup.set()

    async def _claim(self) -> list[tuple[int, str, dict[str, Any], int]]:
        async with unit_of_work(self.database) as session:
            # "Now" is read once the transaction has its connection (on SQLite: the write
            # lock), not before waiting for it: a claim that waited must not judge what is due
            # by the time it started waiting (tests move the clock meanwhile).
            await session.connection()
            now = clock.now()
            due = (
                select(OutboxJob.id)
                .where(
                    OutboxJob.status == "pending",
                    OutboxJob.available_at <= now,
                    or_(OutboxJob.locked_until.is_(None), OutboxJob.locked_until < now),
                )
                .order_by(OutboxJob.id)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            )
            ids = list((await session.scalars(due)).all())
            if not ids:
                return []
            rows = await session.execute(
                update(OutboxJob)
                .where(OutboxJob.id.in_(ids))
                .values(locked_until=now + self.lease, attempts=OutboxJob.attempts + 1)
                .returning(OutboxJob.id, OutboxJob.topic, OutboxJob.payload, OutboxJob.attempts)
            )
            return sorted((r.id, r.topic, r.payload, r.attempts) for r in rows)

    async def _run_one(
        self, job_id: int, topic: str, payload: dict[str, Any], attempt: int
    ) -> bool:
        fn = _handlers.get(topic)
        try:
            if fn is None:
                raise LookupError(f"no handler registered for topic {topic!r}")
            async with unit_of_work(self.database) as session:
                await fn(Job(job_id, topic, payload, attempt, session, self.runtime))
                await session.execute(
                    update(OutboxJob)
                    .where(OutboxJob.id == job_id)
                    .values(status="done", locked_until=None, finished_at=clock.now())
                )
            return True
        except Exception as exc:
            await self._failed(job_id, topic, attempt, exc)
            return False

    async def _failed(self, job_id: int, topic: str, attempt: int, exc: Exception) -> None:
        dead = attempt >= self.max_attempts
        error = f"{type(exc).__name__}: {exc}"[:2000]
        log.warning(
            "outbox job failed",
            extra={
                "job_id": job_id,
                "topic": topic,
                "attempt": attempt,
                "dead": dead,
                "error": error,
            },
        )
        values: dict[str, Any] = {"last_error": error, "locked_until": None}
        if dead:
            values |= {"status": "dead", "finished_at": clock.now()}
        else:
            values["available_at"] = clock.now() + timedelta(seconds=backoff_seconds(attempt))
        async with unit_of_work(self.database) as session:
            await session.execute(update(OutboxJob).where(OutboxJob.id == job_id).values(**values))

    async def run_pending(self) -> int:
        """Run every job that is due now; returns how many succeeded."""
        succeeded = 0
        while True:
            claimed = await self._claim()
            if not claimed:
                return succeeded
            for job_id, topic, payload, attempt in claimed:
                succeeded += await self._run_one(job_id, topic, payload, attempt)

    async def run_forever(self) -> None:
        streak = FailureStreak(log, "outbox dispatch loop error")
        while not self._stopping:
            try:
                await self.run_pending()
            except Exception:
                streak.failed()
            else:
                streak.succeeded()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=self.poll_seconds)
            self._wakeup.clear()

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self.run_forever(), name="outbox-dispatcher")

    async def stop(self) -> None:
        self._stopping = True
        self.wake()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self._task, timeout=10)
            self._task = None


@handler("realtime.publish")
async def _publish_realtime(job: Job) -> None:
    payload = job.payload
    await job.runtime.publisher.publish(payload["channel"], payload["event"], payload["data"])
