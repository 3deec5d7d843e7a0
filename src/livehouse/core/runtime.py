"""The runtime: every shared component of one running livehouse, built from its settings.

The app (and the CLI) build one `Runtime` and install it; services that need a shared component
outside their session (publisher, limiter, storage) reach it through `current()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from livehouse.core.db import Database
from livehouse.core.idempotency import IdempotencyStore
from livehouse.core.outbox import OutboxDispatcher
from livehouse.core.ratelimit import RateLimiter
from livehouse.core.realtime import Publisher
from livehouse.core.scheduler import Scheduler
from livehouse.core.settings import Settings, activate
from livehouse.core.storage import Storage, storage_from_url

if TYPE_CHECKING:
    from livehouse.realtime.hub import Hub


@dataclass
class Runtime:
    settings: Settings
    database: Database
    limiter: RateLimiter
    storage: Storage
    publisher: Publisher
    idempotency: IdempotencyStore
    outbox: OutboxDispatcher = field(init=False)
    scheduler: Scheduler = field(init=False)
    hub: Hub = field(init=False)  # the realtime hub; it is also the publisher

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        from livehouse.realtime.hub import Hub  # a capability: late, so core imports alone

        database = Database(settings)
        hub = Hub(settings)
        runtime = cls(
            settings=settings,
            database=database,
            limiter=RateLimiter(settings.redis_url),
            storage=storage_from_url(settings.storage_url, settings.base_url),
            publisher=hub,
            idempotency=IdempotencyStore(
                database, settings.idempotency_ttl_seconds, settings.idempotency_lease_seconds
            ),
        )
        runtime.outbox = OutboxDispatcher(
            database,
            runtime,
            poll_seconds=settings.outbox_poll_seconds,
            max_attempts=settings.outbox_max_attempts,
            lease_seconds=settings.outbox_lease_seconds,
        )
        runtime.scheduler = Scheduler(runtime)
        runtime.hub = hub
        return runtime

    async def close(self) -> None:
        await self.scheduler.stop()
        await self.outbox.stop()
        await self.hub.close()
        await self.database.dispose()


_current: Runtime | None = None


def install(runtime: Runtime) -> None:
    global _current
    _current = runtime
    activate(runtime.settings)


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("no livehouse runtime installed (create the app or use the CLI)")
    return _current


def current_or_none() -> Runtime | None:
    return _current
