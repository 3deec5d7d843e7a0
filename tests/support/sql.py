"""Watching the SQL a request sends: for the rules that are about reading less."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event as sa_event

from livehouse.core.runtime import Runtime


@contextmanager
def statements(runtime: Runtime) -> Iterator[list[str]]:
    """The SQL statements this task sends while the block runs (requests through httpx's ASGI
    transport run in the caller's task; the background outbox dispatcher's polls do not count)."""
    sent: list[str] = []
    task = asyncio.current_task()

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if asyncio.current_task() is task:
            sent.append(statement)

    engine = runtime.database.engine.sync_engine
    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)
