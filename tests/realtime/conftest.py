"""Realtime fixtures: the live server, Pusher's server client, node clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pusher
import pytest

from livehouse.core.runtime import Runtime
from tests.realtime.clients import JS_DIR, JsClient, pusher_client


@pytest.fixture
async def base(live_server: str, clean: Runtime) -> AsyncIterator[str]:
    """The live server (real uvicorn, real sockets); tables emptied afterwards."""
    yield live_server


@pytest.fixture
async def http(base: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        yield client


@pytest.fixture
def pusher_api(base: str, runtime: Runtime) -> pusher.Pusher:
    """The `pusher` package's server client, pointed at our HTTP API."""
    return pusher_client(base, runtime.settings)  # type: ignore[no-any-return]


StartJs = Callable[..., Awaitable[JsClient]]


@pytest.fixture
async def start_js(base: str, runtime: Runtime) -> AsyncIterator[StartJs]:
    """`await start_js(lib="echo"|"pusher", token=…)`: a node client; all stopped afterwards."""
    if not (JS_DIR / "node_modules").is_dir():
        pytest.fail("the JavaScript clients are not installed: run `npm ci` in tests/js")
    started: list[JsClient] = []

    async def start(lib: str = "echo", **options: Any) -> JsClient:
        client = await JsClient.start(base, runtime.settings.pusher_key, lib=lib, **options)
        started.append(client)
        return client

    yield start
    for client in started:
        await client.stop()
