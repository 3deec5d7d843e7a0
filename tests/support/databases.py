"""Fresh databases for tests: a SQLite file, or a new database on the test PostgreSQL server."""

from __future__ import annotations

import uuid
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def asyncpg_dsn(url: str, database: str | None = None) -> str:
    """The SQLAlchemy URL as asyncpg wants it, optionally naming another database."""
    parsed = make_url(url).set(drivername="postgresql", database=database or make_url(url).database)
    return parsed.render_as_string(hide_password=False)


async def create_database(base_url: str, tmp_dir: Path, label: str = "t") -> str:
    """A new, empty database reachable at the returned URL."""
    if is_postgres(base_url):
        name = f"lh_{label}_{uuid.uuid4().hex[:12]}"
        connection = await asyncpg.connect(asyncpg_dsn(base_url, "postgres"))
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        return make_url(base_url).set(database=name).render_as_string(hide_password=False)
    path = tmp_dir / f"{label}_{uuid.uuid4().hex[:8]}.db"
    return f"sqlite+aiosqlite:///{path}"


async def drop_database(url: str) -> None:
    if not is_postgres(url):
        Path(make_url(url).database or "").unlink(missing_ok=True)
        return
    name = make_url(url).database
    connection = await asyncpg.connect(asyncpg_dsn(url, "postgres"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()
