"""Rate limits answer 429 with Retry-After, in memory and in Redis."""

from __future__ import annotations

import uuid

import httpx
import pytest

from livehouse.core.errors import TooManyRequests
from livehouse.core.ratelimit import RateLimiter


async def test_route_limit_answers_429_with_retry_after(client: httpx.AsyncClient) -> None:
    for _ in range(3):
        assert (await client.get("/_test/limited")).status_code == 200
    limited = await client.get("/_test/limited")
    assert limited.status_code == 429
    retry_after = int(limited.headers["retry-after"])
    assert 1 <= retry_after <= 60
    body = limited.json()
    assert body["status"] == 429
    assert body["retry_after"] == retry_after


@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_limiter_backends(backend: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("redis_url") if backend == "redis" else None
    limiter = RateLimiter(url)
    who = f"user-{uuid.uuid4()}"
    await limiter.hit("2/minute", "login", who)
    await limiter.hit("2/minute", "login", who)
    with pytest.raises(TooManyRequests) as refused:
        await limiter.hit("2/minute", "login", who)
    assert 1 <= refused.value.retry_after <= 60
    await limiter.hit("2/minute", "login", "someone-else")  # limits are per key
    await limiter.clear("2/minute", "login", who)
    await limiter.hit("2/minute", "login", who)


async def test_redis_limits_are_shared_between_nodes(redis_url: str) -> None:
    node_a, node_b = RateLimiter(redis_url), RateLimiter(redis_url)
    who = f"user-{uuid.uuid4()}"
    await node_a.hit("2/minute", "otp", who)
    await node_b.hit("2/minute", "otp", who)
    with pytest.raises(TooManyRequests):
        await node_a.hit("2/minute", "otp", who)
