"""Rate limits with the `limits` library: memory storage on one node, Redis when configured."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from fastapi import Request
from limits import RateLimitItem, parse_many
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
    def items(limit: str | RateLimitItem) -> list[RateLimitItem]:
        """ "10/minute;50/hour" → both windows; each must allow the attempt."""
        return parse_many(limit) if isinstance(limit, str) else [limit]

    async def _refuse(self, item: RateLimitItem, key: tuple[str, ...], detail: str) -> None:
        stats = await self.strategy.get_window_stats(item, *key)
        raise TooManyRequests(math.ceil(max(1.0, stats.reset_time - time.time())), detail)

    async def hit(self, limit: str | RateLimitItem, *key: str, detail: str | None = None) -> None:
        """Count one attempt; raise 429 with Retry-After once a limit is exceeded."""
        for item in self.items(limit):
            if not await self.strategy.hit(item, *key):
                await self._refuse(item, key, detail or "Too many requests; slow down")

    async def check(self, limit: str | RateLimitItem, *key: str, detail: str | None = None) -> None:
        """Raise 429 if a limit is already used up, without counting an attempt."""
        for item in self.items(limit):
            if not await self.strategy.test(item, *key):
                await self._refuse(item, key, detail or "Too many requests; slow down")

    async def clear(self, limit: str | RateLimitItem, *key: str) -> None:
        for item in self.items(limit):
            await self.strategy.clear(item, *key)

    async def reset(self) -> None:
        await self.storage.reset()


class SecretGuard:
    """Brute-force limits for a secret people type (password, OTP, pin, access code).

    Before checking: refuse if the subject is locked out (without counting), and count the try
    against the caller's IP. After a wrong secret: count it against the subject; the attempt that
    crosses the line already answers 429. Right secrets do not count, so a locked-out subject
    stays locked for the window even for the right secret.
    """

    def __init__(self, limiter: RateLimiter, scope: str, per_subject: str, per_ip: str) -> None:
        self.limiter = limiter
        self.scope = scope
        self.per_subject = per_subject
        self.per_ip = per_ip

    async def before(self, subject: str, ip: str) -> None:
        detail = "Too many attempts; wait before trying again"
        await self.limiter.check(self.per_subject, self.scope, subject, detail=detail)
        await self.limiter.hit(self.per_ip, self.scope + ":ip", ip, detail=detail)

    async def failed(self, subject: str) -> None:
        await self.limiter.hit(
            self.per_subject,
            self.scope,
            subject,
            detail="Too many attempts; wait before trying again",
        )


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def rate_limit(
    limit: str, scope: str, key: Callable[[Request], str] = client_ip
) -> Callable[[Request], object]:
    """A route dependency: `dependencies=[Depends(rate_limit("5/minute", "contact"))]`."""
    parse_many(limit)  # fail at import time on a malformed limit

    async def dependency(request: Request) -> None:
        from livehouse.core.runtime import current

        await current().limiter.hit(limit, scope, key(request))

    return dependency
