"""Periodic tasks (e.g. releasing expired ticket holds), run by every web process and by
`livehouse worker`. Tasks must be safe to run on many nodes at once — use guarded updates
(`UPDATE … WHERE status = 'active'`) so each item is handled once.

    @scheduler.every(2.0, "release expired holds")
    async def release(runtime): ...
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from livehouse.core.logging import FailureStreak

if TYPE_CHECKING:
    from livehouse.core.runtime import Runtime

log = logging.getLogger("livehouse.scheduler")

Task = Callable[["Runtime"], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class Periodic:
    name: str
    seconds: float
    fn: Task


_tasks: dict[str, Periodic] = {}


def every(seconds: float, name: str) -> Callable[[Task], Task]:
    def register(fn: Task) -> Task:
        _tasks[name] = Periodic(name, seconds, fn)
        return fn

    return register


def registered() -> list[Periodic]:
    return list(_tasks.values())


class Scheduler:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._tasks: list[asyncio.Task[None]] = []

    async def _loop(self, task: Periodic) -> None:
        # A random start spreads the nodes out instead of having them all wake together.
        await asyncio.sleep(random.uniform(0, task.seconds))
        streak = FailureStreak(log, "periodic task failed", extra={"task": task.name})
        while True:
            try:
                await task.fn(self.runtime)
            except Exception:
                streak.failed()
            else:
                streak.succeeded()
            await asyncio.sleep(task.seconds)

    def start(self) -> None:
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._loop(t), name=f"periodic:{t.name}") for t in registered()
            ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
