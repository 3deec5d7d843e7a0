"""The livehouse server for bench/fanout.py: the real app (create_app; uvicorn with uvloop and
httptools, as `livehouse serve` runs it), plus bench-only routes:

- `POST /_bench/publish` publishes its JSON body on a channel the way every service does —
  `core.realtime.publish(session, …)` inside the request's unit of work, sent after the commit;
- `GET /_bench/stats` and `POST /_bench/reset`: the hub's own figures (publish-to-last-write per
  message on this node, deliveries deferred to a writer task because a transport was full).
  With several workers each answers for itself (its `node`); the bench asks until it has heard
  from every one.

    python bench/_fanout_server.py PORT [WORKERS]   (WORKERS > 1 needs LIVEHOUSE_REDIS_URL)
"""

from __future__ import annotations

import sys
from typing import Any

import uvicorn
from fastapi import APIRouter, FastAPI, Request

from livehouse.app import create_app
from livehouse.core import realtime
from livehouse.core.deps import DbSession
from livehouse.core.runtime import current

router = APIRouter(include_in_schema=False)


@router.post("/_bench/publish/{channel}")
async def publish(channel: str, request: Request, session: DbSession) -> dict[str, Any]:
    realtime.publish(session, channel, "tick", await request.json())
    return {}


@router.get("/_bench/stats")
async def stats() -> dict[str, Any]:
    return current().hub.stats()


@router.post("/_bench/reset")
async def reset() -> dict[str, Any]:
    hub = current().hub
    hub.fanout_ms.clear()
    hub.deferred = 0
    return {"node": hub.node_id}


def bench_app() -> FastAPI:
    app = create_app()
    app.include_router(router)
    return app


def main() -> None:
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    uvicorn.run(
        # Several workers import the app by name in processes of their own (this directory is
        # on their path, as it is on this script's).
        "_fanout_server:bench_app" if workers > 1 else bench_app(),
        factory=workers > 1,
        workers=workers,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
        backlog=4096,
    )


if __name__ == "__main__":
    main()
