"""The `livehouse` command, run as a user would: in a subprocess, against a fresh database."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import websockets

from tests.conftest import SECRET
from tests.support.databases import create_database, drop_database


@pytest.fixture
async def cli_env(base_db_url: str, tmp_path: Path) -> AsyncIterator[dict[str, str]]:
    url = await create_database(base_db_url, tmp_path, "cli")
    env = {
        **os.environ,
        "LIVEHOUSE_DATABASE_URL": url,
        "LIVEHOUSE_SECRET_KEY": SECRET,
        "LIVEHOUSE_STORAGE_URL": f"file://{tmp_path}/media",
        "LIVEHOUSE_LOG_LEVEL": "WARNING",
    }
    yield env
    await drop_database(url)


def livehouse(env: dict[str, str], *args: str, cwd: Path | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "livehouse", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_migrate_then_demo_once(cli_env: dict[str, str]) -> None:
    assert "database at" in livehouse(cli_env, "migrate")
    first = livehouse(cli_env, "demo")
    assert "demo data loaded" in first
    assert "owner@demo.livehouse.dev / demo-owner-2026!" in first
    again = livehouse(cli_env, "demo")
    assert "demo data already present" in again
    assert "owner@demo.livehouse.dev" in again, "credentials are printed every time"


def test_admin_create(cli_env: dict[str, str]) -> None:
    livehouse(cli_env, "migrate")
    out = livehouse(
        cli_env,
        "admin",
        "create",
        "--email",
        "root@example.com",
        "--password",
        "a very long admin passphrase",
    )
    assert "platform administrator root@example.com" in out
    refused = subprocess.run(
        [
            sys.executable,
            "-m",
            "livehouse",
            "admin",
            "create",
            "--email",
            "root@example.com",
            "--password",
            "not the same passphrase",
        ],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert refused.returncode != 0 and "password is wrong" in refused.stderr


def test_openapi_is_written(cli_env: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "openapi.json"
    livehouse(cli_env, "openapi", "--output", str(target))
    spec = json.loads(target.read_text())
    assert spec["openapi"].startswith("3.1") and spec["info"]["title"] == "livehouse"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def served(env: dict[str, str]) -> AsyncIterator[str]:
    """`livehouse serve` on a free port, until it answers /healthz; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "livehouse", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base) as http:
            for _ in range(300):
                try:
                    await http.get("/healthz")
                    break
                except httpx.TransportError:
                    assert process.poll() is None, process.stderr.read().decode()
                    await asyncio.sleep(0.1)
            else:
                pytest.fail("the server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


async def negotiated_extensions(base: str) -> str | None:
    """What the server answers a client that offers permessage-deflate, as browsers do."""
    url = base.replace("http://", "ws://") + "/v1/realtime"
    async with websockets.connect(url, compression="deflate") as socket_:
        return socket_.response.headers.get("Sec-WebSocket-Extensions")


async def test_serve_answers_health_readiness_and_docs(cli_env: dict[str, str]) -> None:
    livehouse(cli_env, "migrate")
    livehouse(cli_env, "demo")
    async with served(cli_env) as base, httpx.AsyncClient(base_url=base) as http:
        assert (await http.get("/healthz")).status_code == 200
        assert (await http.get("/readyz")).status_code == 200
        assert (await http.get("/docs")).status_code == 200
        token = await http.post(
            "/v1/oauth/token",
            data={
                "grant_type": "password",
                "username": "owner@demo.livehouse.dev",
                "password": "demo-owner-2026!",
                "client_id": "demo-web-app",
            },
        )
        assert token.status_code == 200, token.text
        me = await http.get(
            "/v1/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
        )
        assert me.json()["email"] == "owner@demo.livehouse.dev"
        assert await negotiated_extensions(base) is None, "compression is off by default"


async def test_serve_compresses_sockets_when_configured(cli_env: dict[str, str]) -> None:
    livehouse(cli_env, "migrate")
    async with served({**cli_env, "LIVEHOUSE_REALTIME_COMPRESSION": "true"}) as base:
        extensions = await negotiated_extensions(base)
    assert extensions is not None and extensions.startswith("permessage-deflate")


def test_several_workers_need_redis(cli_env: dict[str, str]) -> None:
    env = {k: v for k, v in cli_env.items() if k != "LIVEHOUSE_REDIS_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "livehouse", "serve", "--workers", "2", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "LIVEHOUSE_REDIS_URL" in result.stderr and "--workers" in result.stderr
