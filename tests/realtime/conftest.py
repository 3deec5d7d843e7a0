"""Realtime fixtures: the live server, Pusher's server client, node clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import pusher
import pytest

from livehouse.core.runtime import Runtime
from tests.realtime.clients import JS_DIR, JsClient


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
    parts = urlsplit(base)
    settings = runtime.settings
    return pusher.Pusher(
        app_id=settings.pusher_app_id,
        key=settings.pusher_key,
        secret=settings.pusher_secret,
        host=parts.hostname,
        port=parts.port,
        ssl=False,
    )


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
