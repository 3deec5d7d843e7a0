"""Test harness: one fresh database (SQLite or PostgreSQL, from LIVEHOUSE_TEST_DATABASE_URL),
migrated to head with Alembic, one app for the session, every table emptied after each test.

`make test` runs this suite twice: on SQLite and on PostgreSQL. Redis-backed tests use
LIVEHOUSE_TEST_REDIS_URL; under CI they must have it (no silent skipping).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import delete, inspect, text

from livehouse.app import create_app
from livehouse.core import migrations
from livehouse.core.db import Base, Database
from livehouse.core.outbox import OutboxDispatcher
from livehouse.core.runtime import Runtime
from livehouse.core.settings import Settings
from tests.support import routes as test_routes
from tests.support.databases import create_database, drop_database, is_postgres
from tests.support.messages import Mailbox, SmsGateway, SmtpServer

BASE_DB_URL = os.environ.get("LIVEHOUSE_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("LIVEHOUSE_TEST_REDIS_URL", "")
SECRET = "test-secret-key-for-livehouse-tests-only-0123456789"


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [
        f"livehouse database: {BASE_DB_URL or 'sqlite (temporary file)'}",
        f"livehouse redis: {REDIS_URL or 'none'}",
    ]


@pytest.fixture(scope="session")
def tmp_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("livehouse")


@pytest.fixture(scope="session")
def base_db_url(tmp_root: Path) -> str:
    return BASE_DB_URL or f"sqlite+aiosqlite:///{tmp_root / 'base.db'}"


@pytest.fixture(scope="session")
def redis_url() -> str:
    if not REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("LIVEHOUSE_TEST_REDIS_URL is required under CI (make test sets it)")
        pytest.skip("no test Redis (run through `make test`)")
    # Parallel workers (pytest-xdist) each get a database of their own on the one test Redis.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    return f"{REDIS_URL.rsplit('/', 1)[0]}/{int(worker) % 16}"


def make_settings(database_url: str, tmp_root: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "test",
        "database_url": database_url,
        "secret_key": SECRET,
        "base_url": "http://testserver",
        "storage_url": f"file://{tmp_root / 'media'}",
        "redis_url": None,
        "log_level": "WARNING",
        "outbox_poll_seconds": 0.05,
        "database_pool_size": 20,
        "database_max_overflow": 40,
        # The concurrency tests queue hundreds of requests in one process on two cores.
        "database_pool_timeout": 180.0,
        # argon2id at its minimum cost: the suite hashes hundreds of passwords
        "argon2_time_cost": 1,
        "argon2_memory_cost_kib": 1024,
        "argon2_parallelism": 1,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
async def database_url(base_db_url: str, tmp_root: Path) -> AsyncIterator[str]:
    url = await create_database(base_db_url, tmp_root, "suite")
    yield url
    await drop_database(url)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.url = server.start()  # type: ignore[attr-defined]
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sms_gateway() -> Iterator[SmsGateway]:
    gateway = SmsGateway()
    gateway.url = gateway.start()  # type: ignore[attr-defined]
    yield gateway
    gateway.stop()


@pytest.fixture(scope="session")
def settings(
    database_url: str, tmp_root: Path, smtp_server: SmtpServer, sms_gateway: SmsGateway
) -> Settings:
    return make_settings(
        database_url,
        tmp_root,
        mail_url=smtp_server.url,  # type: ignore[attr-defined]
        sms_url=sms_gateway.url,
    )  # type: ignore[attr-defined]


@pytest.fixture
def mailbox(smtp_server: SmtpServer, clean: Runtime) -> Mailbox:
    smtp_server.mailbox.clear()
    return smtp_server.mailbox


@pytest.fixture
def sms_inbox(sms_gateway: SmsGateway, clean: Runtime) -> SmsGateway:
    sms_gateway.messages.clear()
    return sms_gateway


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    database = Database(settings)
    await migrations.upgrade(database)
    async with database.engine.begin() as connection:
        await connection.run_sync(test_routes.test_metadata.create_all)
        existing = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    await database.dispose()
    _EXISTING_TABLES.update(existing)
    application = create_app(settings, configure_logs=False)
    application.include_router(test_routes.router)
    async with LifespanManager(application):
        yield application


@pytest.fixture(scope="session")
def runtime(app: FastAPI) -> Runtime:
    return app.state.runtime  # type: ignore[no-any-return]


_EXISTING_TABLES: set[str] = set()
# Signing keys outlive a test as they outlive a request in production: this process keeps its
# active key in memory, and a token it signs must verify on a node that reads keys from the
# database (tests/realtime/test_multinode.py).
_KEPT_TABLES = frozenset({"signing_keys"})


async def _empty_tables(runtime: Runtime) -> None:
    # Only tables the migrations created: a model without its migration yet is somebody's work
    # in progress, and the migration drift test is the one that reports it.
    tables = [
        t
        for t in (*reversed(Base.metadata.sorted_tables), *test_routes.test_metadata.sorted_tables)
        if t.name in _EXISTING_TABLES and t.name not in _KEPT_TABLES
    ]
    async with runtime.database.engine.begin() as connection:
        if is_postgres(runtime.settings.database_url):
            names = ", ".join(f'"{t.name}"' for t in tables)
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await connection.execute(delete(table))


@pytest.fixture
async def clean(runtime: Runtime) -> AsyncIterator[Runtime]:
    """Every table empty and every rate limit reset after the test."""
    yield runtime
    # Stop the background dispatcher first: a job it is still running would otherwise finish
    # after the wipe and mark the next test's job done — ids restart once tables are emptied.
    background = runtime.settings.run_outbox_in_process
    if background:
        await runtime.outbox.stop()
    await runtime.outbox.run_pending()  # let in-flight jobs finish before we pull the rug
    await _empty_tables(runtime)
    if background:
        runtime.outbox.start()
    await runtime.limiter.reset()
    test_routes.gates.clear()
    test_routes.entered.clear()
    test_routes.flaky_failures.clear()


@pytest.fixture
async def paused_dispatcher(runtime: Runtime) -> AsyncIterator[OutboxDispatcher]:
    """The background dispatcher stopped, so the test alone decides when jobs are claimed —
    and jobs run in the order they were queued (two dispatchers can finish them out of order)."""
    await runtime.outbox.stop()
    try:
        yield runtime.outbox
    finally:
        runtime.outbox.start()


@pytest.fixture
async def client(app: FastAPI, clean: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture(scope="session")
async def live_server(app: FastAPI) -> AsyncIterator[str]:
    """The same app behind a real uvicorn on loopback: real sockets, real concurrency."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        lifespan="off",
        log_config=None,
        access_log=False,
        loop="asyncio",
        # As `livehouse serve` by default: sockets get frame bytes written directly
        # (realtime/connection.py). The nodes of tests/realtime/nodes.py keep uvicorn's
        # default, so compressed sockets take the ASGI send there.
        ws_per_message_deflate=False,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


@pytest.fixture
async def live_client(live_server: str, clean: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
    async with httpx.AsyncClient(base_url=live_server, limits=limits, timeout=180) as http:
        yield http
