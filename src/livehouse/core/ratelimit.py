"""Rate limits with the `limits` library: memory storage on one node, Redis when configured."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from fastapi import Request
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from livehouse.core.errors import TooManyRequests


class RateLimiter:
    def __init__(self, redis_url: str | None = None) -> None:
        storage: Storage
        if redis_url:
            uri = "async+" + redis_url if not redis_url.startswith("async+") else redis_url
            storage = RedisStorage(uri, implementation="redispy", key_prefix="livehouse:rl")
        else:
            storage = MemoryStorage()
        self.storage = storage
        self.strategy = MovingWindowRateLimiter(storage)

    @staticmethod
    def item(limit: str | RateLimitItem) -> RateLimitItem:
        return parse(limit) if isinstance(limit, str) else limit

    async def hit(self, limit: str | RateLimitItem, *key: str, detail: str | None = None) -> None:
        """Count one attempt; raise 429 with Retry-After once the limit is exceeded."""
        item = self.item(limit)
        if await self.strategy.hit(item, *key):
            return
        stats = await self.strategy.get_window_stats(item, *key)
        retry_after = math.ceil(max(1.0, stats.reset_time - time.time()))
        raise TooManyRequests(retry_after, detail or "Too many requests; slow down")

    async def check(self, limit: str | RateLimitItem, *key: str) -> None:
        """Raise 429 if the limit is already used up, without counting an attempt."""
        item = self.item(limit)
        if not await self.strategy.test(item, *key):
            stats = await self.strategy.get_window_stats(item, *key)
            raise TooManyRequests(math.ceil(max(1.0, stats.reset_time - time.time())))

    async def clear(self, limit: str | RateLimitItem, *key: str) -> None:
        await self.strategy.clear(self.item(limit), *key)

    async def reset(self) -> None:
        await self.storage.reset()


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def rate_limit(
    limit: str, scope: str, key: Callable[[Request], str] = client_ip
) -> Callable[[Request], object]:
    """A route dependency: `dependencies=[Depends(rate_limit("5/minute", "contact"))]`."""
    item = parse(limit)

    async def dependency(request: Request) -> None:
        from livehouse.core.runtime import current

        await current().limiter.hit(item, scope, key(request))

    return dependency
