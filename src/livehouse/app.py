"""The ASGI application factory."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import WebSocketRoute

from livehouse import __version__, capabilities
from livehouse.core import health, metrics, routing
from livehouse.core.errors import install_error_handlers
from livehouse.core.logging import configure_logging
from livehouse.core.middleware import (
    BodyLimitMiddleware,
    RequestContextMiddleware,
    UnitOfWorkMiddleware,
    WebSocketRoutesMiddleware,
)
from livehouse.core.migrations import script_heads
from livehouse.core.runtime import Runtime, install
from livehouse.core.settings import Settings, get_settings
from livehouse.core.storage import LocalStorage

DESCRIPTION = """
livehouse — tickets, paywalls, live shows, conference rooms and personalised videos.

Errors are RFC 9457 problem details. Lists take `limit` and `cursor` and return `next_cursor`.
Every unsafe request accepts an `Idempotency-Key` header.
"""


def create_app(settings: Settings | None = None, *, configure_logs: bool = True) -> FastAPI:
    settings = settings or get_settings()
    if configure_logs:
        configure_logging(settings.log_level, settings.log_json)
    capabilities.load_models()
    capabilities.load_jobs()
    runtime = Runtime.build(settings)
    install(runtime)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        install(runtime)
        metrics.register_pool(runtime.database.pool_status)
        await runtime.hub.start()
        if settings.run_outbox_in_process:
            runtime.outbox.start()
            runtime.scheduler.start()
        # What is alive now (modules, routes, the runtime) lives as long as the process: frozen
        # out of the collector's sight, a full collection scans only what requests made. Under
        # load those collections each stopped the process for ~250 ms (docs/benchmarks.md).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            await runtime.close()

    app = FastAPI(
        title="livehouse",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.expected_heads = script_heads()
    install_error_handlers(app)

    app.include_router(health.router)
    modules = capabilities.api_modules()
    for module in modules:
        app.include_router(module.router)
    if isinstance(runtime.storage, LocalStorage):
        app.mount("/media", StaticFiles(directory=runtime.storage.root), name="media")
    # One pattern per capability in front of FastAPI's route-by-route scan (core/routing.py).
    # Building the guards also builds FastAPI's per-route state now rather than on the first
    # request, which used to take ~0.4 s with every early request waiting.
    app.router.routes[:] = routing.guard_routes(app.router.routes)
    app.openapi = lambda: routing.openapi_schema(app)  # type: ignore[method-assign]

    # add_middleware wraps: the last added is the outermost.
    app.add_middleware(UnitOfWorkMiddleware, database=runtime.database, store=runtime.idempotency)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["X-Request-ID", "Retry-After", "Idempotent-Replayed", "Location"],
            allow_credentials="*" not in settings.cors_origins,
        )
    # Plain Starlette WebSocket routes only: a FastAPI one would need the layers skipped here.
    # (From the capability routers: FastAPI keeps included routers nested, not in app.routes.)
    sockets = [
        route
        for module in modules
        for route in module.router.routes
        if type(route) is WebSocketRoute
    ]
    app.add_middleware(WebSocketRoutesMiddleware, routes=sockets)
    if settings.trusted_hosts != ["*"]:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.trusted_hosts)
    app.add_middleware(RequestContextMiddleware)
    return app


def factory() -> FastAPI:
    """For `uvicorn --factory livehouse.app:factory` (what `livehouse serve` runs)."""
    return create_app()
