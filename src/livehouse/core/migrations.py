"""Alembic, driven from code: `livehouse migrate`, readiness checks and the tests use this.

Each capability keeps its own branch of revisions in migrations/versions/ (files named
`<capability>_<NNNN>_<what>.py`, first revision labelled with the capability); the database is
at head when every branch is. `depends_on` orders a branch after the ones its tables reference.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from livehouse.core.db import Database

_PACKAGE_DIR = Path(__file__).resolve().parents[1]


def migrations_dir() -> Path:
    source_checkout = _PACKAGE_DIR.parents[1] / "migrations"
    if source_checkout.is_dir():
        return source_checkout
    return _PACKAGE_DIR / "_migrations"  # where the wheel puts them


def alembic_config(database_url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("path_separator", "os")
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def script_heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def applied_revisions(current: set[str]) -> set[str]:
    """Every revision a database whose alembic_version holds `current` has applied: their
    ancestors through down_revision *and* depends_on. (Alembic keeps only the tips in
    alembic_version; a revision another branch depends on is not listed there although it is
    applied — so comparing alembic_version with the script's heads would say "behind".)"""
    script = ScriptDirectory.from_config(alembic_config())
    seen: set[str] = set()
    todo = list(current)
    while todo:
        revision = script.get_revision(todo.pop())
        if revision is None or revision.revision in seen:
            continue
        seen.add(revision.revision)
        for parent in (*_as_tuple(revision.down_revision), *_as_tuple(revision.dependencies)):
            todo.append(parent)
    return seen


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def at_head(current: set[str], expected_heads: set[str]) -> bool:
    return expected_heads <= applied_revisions(current)


def _run(connection: Connection, action: str, target: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    getattr(command, action)(config, target)


async def upgrade(database: Database, target: str = "heads") -> None:
    async with database.engine.begin() as connection:
        await connection.run_sync(_run, "upgrade", target)


async def downgrade(database: Database, target: str = "base") -> None:
    async with database.engine.begin() as connection:
        await connection.run_sync(_run, "downgrade", target)


def _current_heads(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


async def current_heads(database: Database) -> set[str]:
    async with database.engine.connect() as connection:
        return await connection.run_sync(_current_heads)


async def readiness(database: Database, expected_heads: set[str]) -> dict[str, Any]:
    """What /readyz reports: can we reach the database, and is its schema at head."""
    async with database.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
        heads = await connection.run_sync(_current_heads)
    return {
        "database": "ok",
        "migrations_at_head": at_head(heads, expected_heads),
        "current": sorted(heads),
        "expected": sorted(expected_heads),
    }
