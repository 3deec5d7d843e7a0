"""Background loops retry on their own; their logs say when a streak of failures starts, remind
while it lasts and say when it ends — not one error per attempt per node."""

from __future__ import annotations

import asyncio
import logging

import pytest

from livehouse.core import scheduler
from livehouse.core.logging import FailureStreak
from livehouse.core.runtime import Runtime


def test_a_streak_is_logged_once_then_reminded_then_its_end(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [100.0]
    log = logging.getLogger("livehouse.test.streak")
    streak = FailureStreak(log, "poll failed", remind_seconds=60, monotonic=lambda: now[0])

    def fail_once() -> None:
        try:
            raise ConnectionRefusedError("database is down")
        except ConnectionRefusedError:
            streak.failed()

    with caplog.at_level(logging.INFO, logger="livehouse.test.streak"):
        for _ in range(30):  # thirty attempts, one a second
            fail_once()
            now[0] += 1
        assert [(r.levelname, r.failures) for r in caplog.records] == [("ERROR", 1)]
        assert caplog.records[0].exc_info is not None, "the first failure carries its exception"

        now[0] += 30  # a minute after the first
        fail_once()
        assert [(r.levelname, r.failures) for r in caplog.records][-1] == ("ERROR", 31)

        streak.succeeded()
        streak.succeeded()  # only the first success after failures is news
        assert [(r.levelname, r.message, r.failures) for r in caplog.records[2:]] == [
            ("WARNING", "poll failed: recovered", 31)
        ]

        fail_once()  # a new streak starts over
        assert [(r.levelname, r.failures) for r in caplog.records][-1] == ("ERROR", 1)


async def test_a_failing_periodic_task_logs_its_streak_not_each_run(
    runtime: Runtime, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = 0
    recovered = asyncio.Event()

    async def flaky(_runtime: Runtime) -> None:
        nonlocal runs
        runs += 1
        if runs <= 20:
            raise ConnectionRefusedError("database is down")
        recovered.set()

    monkeypatch.setattr(scheduler, "_tasks", {"flaky": scheduler.Periodic("flaky", 0.005, flaky)})
    tasks = scheduler.Scheduler(runtime)
    with caplog.at_level(logging.INFO, logger="livehouse.scheduler"):
        tasks.start()
        try:
            await asyncio.wait_for(recovered.wait(), timeout=10)
        finally:
            await tasks.stop()
    logged = [
        (r.levelname, r.getMessage(), r.failures)
        for r in caplog.records
        if getattr(r, "task", None) == "flaky"  # (the app's own tasks run alongside)
    ]
    assert logged == [
        ("ERROR", "periodic task failed", 1),
        ("WARNING", "periodic task failed: recovered", 20),
    ]
