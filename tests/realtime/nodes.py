"""App nodes in their own processes (uvicorn, the production factory), sharing the test
database and one Redis: what a multi-node deployment is."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from dataclasses import dataclass

import httpx

from livehouse.core.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Node:
    url: str
    process: asyncio.subprocess.Process

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()

    async def kill(self) -> None:
        """Die without saying goodbye (no shutdown, no clean-up)."""
        self.process.kill()
        await self.process.wait()


async def start_node(settings: Settings, redis_url: str | None, **env: str) -> Node:
    port = free_port()
    environment = {
        **os.environ,
        "LIVEHOUSE_ENVIRONMENT": "test",
        "LIVEHOUSE_DATABASE_URL": settings.database_url,
        "LIVEHOUSE_SECRET_KEY": settings.secret_key,
        "LIVEHOUSE_BASE_URL": settings.base_url,  # tokens name it as their issuer
        "LIVEHOUSE_STORAGE_URL": settings.storage_url,
        "LIVEHOUSE_LOG_LEVEL": "WARNING",
        "LIVEHOUSE_RUN_OUTBOX_IN_PROCESS": "false",
        **({"LIVEHOUSE_REDIS_URL": redis_url} if redis_url else {}),
        **env,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "livehouse.app:factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        env=environment,
    )
    node = Node(f"http://127.0.0.1:{port}", process)
    async with httpx.AsyncClient(base_url=node.url, timeout=2) as client:
        for _ in range(300):
            if process.returncode is not None:
                raise RuntimeError(f"node exited with {process.returncode}")
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return node
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    await node.stop()
    raise RuntimeError("node did not start")
