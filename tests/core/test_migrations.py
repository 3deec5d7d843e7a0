"""Alembic migrations: upgrade to head, downgrade to base, upgrade again — on this run's
database (SQLite or PostgreSQL) — and the models never drift from the migrations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect

from livehouse import capabilities
from livehouse.core import migrations
from livehouse.core.db import Base, Database
from tests.conftest import make_settings
from tests.support.databases import create_database, drop_database


@pytest.fixture
async def fresh_database(base_db_url: str, tmp_root: Path) -> AsyncIterator[Database]:
    url = await create_database(base_db_url, tmp_root, "mig")
    database = Database(make_settings(url, tmp_root))
    yield database
    await database.dispose()
    await drop_database(url)


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _drift(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_upgrade_downgrade_upgrade(fresh_database: Database) -> None:
    capabilities.load_models()
    expected = {t.name for t in Base.metadata.sorted_tables}

    await migrations.upgrade(fresh_database)
    assert migrations.at_head(
        await migrations.current_heads(fresh_database), migrations.script_heads()
    )
    async with fresh_database.engine.connect() as connection:
        assert expected <= await connection.run_sync(_tables)
        assert await connection.run_sync(_drift) == [], "models and migrations disagree"

    await migrations.downgrade(fresh_database, "base")
    assert await migrations.current_heads(fresh_database) == set()
    async with fresh_database.engine.connect() as connection:
        assert await connection.run_sync(_tables) <= {"alembic_version"}

    await migrations.upgrade(fresh_database)
    assert migrations.at_head(
        await migrations.current_heads(fresh_database), migrations.script_heads()
    )
    assert not migrations.at_head(set(), migrations.script_heads())


async def test_readiness_reports_a_database_behind_head(fresh_database: Database) -> None:
    report = await migrations.readiness(fresh_database, migrations.script_heads())
    assert report["database"] == "ok"
    assert report["migrations_at_head"] is False
