"""The transactional outbox: delivered after commit, never after rollback, retried on failure."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from livehouse.core import clock, outbox
from livehouse.core.db import unit_of_work
from livehouse.core.realtime import LocalPublisher
from livehouse.core.runtime import Runtime
from tests.support import routes
from tests.support.outbox import outbox_rows


async def logged(runtime: Runtime) -> list[str]:
    async with unit_of_work(runtime.database, write=False) as session:
        return list((await session.scalars(select(routes.job_log.c.value))).all())


async def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_job_runs_after_commit(client: httpx.AsyncClient, runtime: Runtime) -> None:
    response = await client.post("/_test/notes?enqueue=test.record", json={"title": "hello"})
    assert response.status_code == 201

    async def delivered() -> bool:
        return await logged(runtime) == ["hello"]

    await wait_for(delivered)  # the in-process dispatcher was woken by the commit
    [job] = await outbox_rows(runtime)
    assert job.status == "done" and job.attempts == 1


async def test_no_job_after_rollback(client: httpx.AsyncClient, runtime: Runtime) -> None:
    response = await client.post(
        "/_test/notes?enqueue=test.record&fail=problem", json={"title": "nope"}
    )
    assert response.status_code == 409
    await runtime.outbox.run_pending()
    assert await outbox_rows(runtime) == []
    assert await logged(runtime) == []


async def test_failing_handler_is_retried_with_backoff(
    client: httpx.AsyncClient, runtime: Runtime, paused_dispatcher: outbox.OutboxDispatcher
) -> None:
    # The test alone runs jobs: a background attempt between two steps would break the count.
    routes.flaky_failures["flaky"] = 2
    later = clock.OffsetClock()
    with clock.use(later):
        await client.post("/_test/notes?enqueue=test.flaky", json={"title": "flaky"})
        await runtime.outbox.run_pending()
        [job] = await outbox_rows(runtime)
        assert job.status == "pending" and job.attempts == 1
        assert "flaky failure" in (job.last_error or "")
        first_delay = job.available_at - clock.now()
        assert timedelta(seconds=1) < first_delay <= timedelta(seconds=3)

        assert await runtime.outbox.run_pending() == 0, "not due yet: nothing runs"
        later.advance(seconds=3)
        await runtime.outbox.run_pending()
        [job] = await outbox_rows(runtime)
        assert job.attempts == 2
        assert job.available_at - clock.now() > first_delay, "the backoff grows"

        later.advance(seconds=10)
        assert await runtime.outbox.run_pending() == 1
    [job] = await outbox_rows(runtime)
    assert job.status == "done" and job.attempts == 3
    assert await logged(runtime) == ["flaky"]


async def test_job_is_parked_after_max_attempts(
    client: httpx.AsyncClient, runtime: Runtime, paused_dispatcher: outbox.OutboxDispatcher
) -> None:
    routes.flaky_failures["doomed"] = 1000
    later = clock.OffsetClock()
    with clock.use(later):
        await client.post("/_test/notes?enqueue=test.flaky", json={"title": "doomed"})
        for _ in range(runtime.settings.outbox_max_attempts + 2):
            await runtime.outbox.run_pending()
            later.advance(hours=2)
    [job] = await outbox_rows(runtime)
    assert job.status == "dead"
    assert job.attempts == runtime.settings.outbox_max_attempts


async def test_expired_lease_is_claimed_again(
    client: httpx.AsyncClient, runtime: Runtime, paused_dispatcher: outbox.OutboxDispatcher
) -> None:
    """A node that claimed a job and died leaves a lease; after it expires, the job runs."""
    later = clock.OffsetClock()
    with clock.use(later):
        async with unit_of_work(runtime.database) as session:
            outbox.enqueue(session, "test.record", {"value": "orphan"})
        claimed = await paused_dispatcher._claim()
        assert len(claimed) == 1
        assert await paused_dispatcher.run_pending() == 0, "leased: no one else runs it"
        later.advance(seconds=runtime.settings.outbox_lease_seconds + 1)
        assert await paused_dispatcher.run_pending() == 1
    assert await logged(runtime) == ["orphan"]


async def test_a_second_job_with_the_same_dedupe_key_fails_its_transaction(
    clean: Runtime, paused_dispatcher: outbox.OutboxDispatcher
) -> None:
    async with unit_of_work(clean.database) as session:
        outbox.enqueue(session, "test.record", {"value": "once"}, dedupe_key="order-1-receipt")
    with pytest.raises(IntegrityError):
        async with unit_of_work(clean.database) as session:
            outbox.enqueue(session, "test.record", {"value": "twice"}, dedupe_key="order-1-receipt")
    assert [job.payload["value"] for job in await outbox_rows(clean)] == ["once"]


async def test_jobs_are_written_at_commit_in_order_and_a_dropped_savepoint_drops_its_own(
    clean: Runtime, paused_dispatcher: outbox.OutboxDispatcher
) -> None:
    async with unit_of_work(clean.database) as session:
        outbox.enqueue(session, "test.record", {"value": "first"})
        with contextlib.suppress(RuntimeError):
            async with session.begin_nested():  # its flush writes "first"
                outbox.enqueue(session, "test.record", {"value": "undone"})
                raise RuntimeError("the savepoint rolls back")
        for value in ("second", "third"):
            outbox.enqueue(session, "test.record", {"value": value}, dedupe_key=value)
        outbox.enqueue(session, "test.record", {"value": "fourth"})
    rows = await outbox_rows(clean)
    assert [job.payload["value"] for job in rows] == ["first", "second", "third", "fourth"]
    assert [job.dedupe_key for job in rows] == [None, "second", "third", None]
    assert all(job.status == "pending" and job.attempts == 0 for job in rows)


def test_enqueue_refuses_unknown_topics() -> None:
    class FakeSession:
        info: dict = {}

        def add(self, _: object) -> None:
            raise AssertionError("must not be added")

    with pytest.raises(LookupError):
        outbox.enqueue(FakeSession(), "no.such.topic", {})  # type: ignore[arg-type]


@pytest.mark.parametrize("durable", [False, True])
async def test_realtime_publish_only_after_commit(
    client: httpx.AsyncClient, runtime: Runtime, durable: bool
) -> None:
    publisher = runtime.publisher
    assert isinstance(publisher, LocalPublisher)
    async with publisher.subscribe("notes") as queue:
        failed = await client.post(
            f"/_test/notes?publish=notes&fail=problem&durable={durable}", json={"title": "no"}
        )
        assert failed.status_code == 409
        ok = await client.post(
            f"/_test/notes?publish=notes&durable={durable}", json={"title": "yes"}
        )
        assert ok.status_code == 201
        message = await asyncio.wait_for(queue.get(), 10)
        assert message.event == "note.created" and message.data == {"title": "yes"}
        await runtime.outbox.run_pending()
        assert queue.empty(), "the rolled-back request announced nothing"
