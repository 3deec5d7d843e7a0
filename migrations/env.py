"""Alembic environment. Normally run through livehouse.core.migrations, which hands over an open
connection; `alembic` on the command line works too (it builds its own engine)."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from livehouse.capabilities import load_models
from livehouse.core.db import Base, UTCDateTime
from livehouse.core.settings import get_settings

load_models()
target_metadata = Base.metadata
config = context.config


def _render_item(kind: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    # Migrations must not import application types (they change; old revisions must not).
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_item=_render_item,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite rebuilds tables to ALTER
        compare_type=True,
    )


def run_with(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_standalone() -> None:
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(run_with)
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run them online")

provided = config.attributes.get("connection")
if provided is not None:
    run_with(provided)
else:
    asyncio.run(run_standalone())
