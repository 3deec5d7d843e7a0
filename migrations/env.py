"""Alembic environment. Normally run through livehouse.core.migrations, which hands over an open
connection; `alembic` on the command line works too (it builds its own engine)."""

from __future__ import annotations

import asyncio
import os
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


def _capability_of_tables() -> dict[str, str]:
    owners: dict[str, str] = {}
    for mapper in Base.registry.mappers:
        parts = mapper.class_.__module__.split(".")
        if len(parts) > 1 and mapper.local_table is not None:
            owners[mapper.local_table.name] = parts[1]
    return owners


# `LIVEHOUSE_MIGRATION_SCOPE=<capability> alembic revision --autogenerate …` writes only that
# capability's tables, whatever other capabilities have not migrated yet.
SCOPE = os.environ.get("LIVEHOUSE_MIGRATION_SCOPE")
OWNERS = _capability_of_tables()


def _include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    if not SCOPE:
        return True
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return table is None or OWNERS.get(table) == SCOPE


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_item=_render_item,
        include_object=_include_object,
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
