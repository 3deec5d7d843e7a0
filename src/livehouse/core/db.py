"""Database engine, table base classes and the unit of work.

One request (or one job) = one `UnitOfWork` = one transaction. Code that must run only once the
transaction is durable (publishing to sockets, waking the outbox) registers with `after_commit`.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Integer,
    MetaData,
    TypeDecorator,
    Uuid,
    event,
    insert,
    inspect,
    select,
)
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, make_transient_to_detached, mapped_column
from sqlalchemy.orm.util import identity_key
from sqlalchemy.pool import ConnectionPoolEntry

from livehouse.core import clock
from livehouse.core.ids import new_public_id
from livehouse.core.settings import Settings

log = logging.getLogger("livehouse.db")

# Stable constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

BigId = BigInteger().with_variant(Integer, "sqlite")  # SQLite only autoincrements INTEGER keys


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, also on SQLite (which stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use livehouse.core.clock.now()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime, uuid.UUID: Uuid}


class IdMixin:
    """Internal integer key (joins, foreign keys) + public UUIDv7 (the API)."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    public_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, unique=True, index=True, default=new_public_id
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Take BEGIN into our own hands (below) so writers can BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # NORMAL is durable across application crashes in WAL mode; only an OS crash or power
        # loss can drop the last transactions, which is the usual trade for an embedded database.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that reads and then writes can fail with SQLITE_BUSY without
        # waiting; writers therefore take the write lock up front and queue on busy_timeout.
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


class Session(AsyncSession):
    """The app's session: `get` answers from the identity map without leaving the event loop.

    AsyncSession.get always crosses into SQLAlchemy's greenlet, even when the row is already in
    the session (~30 µs against ~3); a purchase makes eight such lookups. The fast path takes
    exactly the case where SQLAlchemy would return the object as it is (no options, in the map,
    of the class asked for, not expired) and leaves every other case to SQLAlchemy."""

    async def get(self, entity: Any, ident: Any, **options: Any) -> Any:
        if not options and isinstance(entity, type) and not isinstance(ident, dict):
            row = self.sync_session.identity_map.get(identity_key(entity, ident))
            if row is not None and isinstance(row, entity) and not inspect(row).expired:
                return row
        return await super().get(entity, ident, **options)


class Database:
    """The engine and session factory for one database URL."""

    def __init__(self, settings: Settings) -> None:
        self.url = settings.database_url
        self.is_sqlite = self.url.startswith("sqlite")
        # No ping before each checkout: it cost three round trips per request on asyncpg. A
        # connection found dead fails one request with a 503 (core.errors.database_unavailable)
        # and SQLAlchemy replaces the whole pool; recycling keeps idle connections younger than
        # typical server and firewall idle timeouts.
        kwargs: dict[str, Any] = {"echo": settings.database_echo, "pool_recycle": 1800}
        if not self.is_sqlite or make_url(self.url).database not in (None, "", ":memory:"):
            # A request that waits longer than this for a connection gets a 503.
            kwargs["pool_size"] = settings.database_pool_size
            kwargs["max_overflow"] = settings.database_max_overflow
            kwargs["pool_timeout"] = settings.database_pool_timeout
        if self.is_sqlite:
            self._ensure_sqlite_dir()
            kwargs["connect_args"] = {"timeout": 30}
        else:
            # Every statement of the hot paths stays prepared on each connection.
            kwargs["connect_args"] = {"prepared_statement_cache_size": 1000}
        self.engine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self.sessions = async_sessionmaker(
            self.engine, class_=Session, expire_on_commit=False, autoflush=True
        )

    def _ensure_sqlite_dir(self) -> None:
        from pathlib import Path

        database = make_url(self.url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)

    def session(self, *, write: bool = True) -> AsyncSession:
        options = {"sqlite_begin": "IMMEDIATE"} if (write and self.is_sqlite) else {}
        return self.sessions(execution_options=options)

    def pool_status(self) -> dict[str, int]:
        pool = self.engine.pool
        status: dict[str, int] = {}
        for name in ("size", "checkedin", "checkedout", "overflow"):
            value = getattr(pool, name, None)
            if callable(value):
                status[name] = int(value())
        return status

    async def dispose(self) -> None:
        await self.engine.dispose()


AfterCommit = Callable[[], Awaitable[None]]


class UnitOfWork:
    """One transaction. The session is created lazily: routes that never touch the database
    never check out a connection."""

    def __init__(self, database: Database, *, write: bool = True) -> None:
        self.database = database
        self.write = write
        self._session: AsyncSession | None = None
        self._after_commit: list[AfterCommit] = []
        self._after_rollback: list[AfterCommit] = []
        self._before_commit: list[AfterCommit] = []
        self.commit_on_error = False

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            self._session = self.database.session(write=self.write)
            self._session.info["uow"] = self
        return self._session

    @property
    def started(self) -> bool:
        return self._session is not None

    def after_commit(self, callback: AfterCommit) -> None:
        self._after_commit.append(callback)

    def after_rollback(self, callback: AfterCommit) -> None:
        self._after_rollback.append(callback)

    def before_commit(self, callback: AfterCommit) -> None:
        self._before_commit.append(callback)

    async def commit(self) -> None:
        callbacks, self._before_commit = self._before_commit, []
        for callback in callbacks:  # may raise: then nothing is committed (caller rolls back)
            await callback()
        if self._session is not None:
            await self._session.commit()
        self._after_rollback.clear()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            try:
                await callback()
            except Exception:  # one failed announcement must not undo or block the others
                log.exception("after-commit callback failed")

    async def rollback(self) -> None:
        self._after_commit.clear()
        self._before_commit.clear()
        if self._session is not None:
            await self._session.rollback()
        callbacks, self._after_rollback = self._after_rollback, []
        for callback in callbacks:
            try:
                await callback()
            except Exception:  # undoing one outside effect must not stop undoing the others
                log.exception("after-rollback callback failed")

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _unit_of(session: AsyncSession) -> UnitOfWork:
    uow: UnitOfWork | None = session.info.get("uow")
    if uow is None:
        raise RuntimeError("session is not managed by a UnitOfWork")
    return uow


async def rows_by_id(session: AsyncSession, model: Any, ids: Iterable[int]) -> dict[int, Any]:
    """Rows of `model` by internal id: from the session's identity map where they already are
    (a request that just made or read them), with one query for the others."""
    wanted = set(ids)
    found: dict[int, Any] = {}
    for ident in wanted:
        row = session.sync_session.identity_map.get(identity_key(model, ident))
        if row is not None:
            found[ident] = row
    missing = wanted - found.keys()
    if missing:
        for row in (await session.scalars(select(model).where(model.id.in_(missing)))).all():
            found[row.id] = row
    return found


_FLUSH_ONLY: set[type] = set()


def flush_only(*models: type) -> None:
    """Rows of `models` are written by flushes only: something listens to their flushes (a
    cache that must see every change), which `write_new` would slip past."""
    _FLUSH_ONLY.update(models)


async def write_new(session: AsyncSession, *rows: Any) -> None:
    """INSERT new rows now — one Core statement per run of rows of one table with the same
    columns given — and keep them in the session as if a flush had written them (later changes
    to them are UPDATEd by the next flush).

    What `session.add(row); await session.flush()` does, for less CPU: a flush's bookkeeping
    costs as much as the INSERT itself, attaching the row a fraction of that (docs/benchmarks.md,
    ninth session). For plain rows the request made itself: no flush events run, and the rows
    must not depend on rows still pending in the session. Rows already written (flushed earlier,
    or by autoflush) are left alone; pending ones are taken out of the flush queue first."""
    runs: list[tuple[Any, frozenset[str], list[Any]]] = []  # a statement per run of alike rows
    for row in rows:
        state = inspect(row)
        if state.key is not None:
            continue  # already written
        if type(row) in _FLUSH_ONLY:
            raise RuntimeError(f"{type(row).__name__} rows are written by flushes only")
        if state.pending:
            session.expunge(row)
        given = frozenset(
            key
            for key, value in state.dict.items()
            if key in state.mapper.column_attrs and (value is not None or _keeps_none(state, key))
        )
        if runs and runs[-1][:2] == (state.mapper, given):
            runs[-1][2].append(row)
        else:
            runs.append((state.mapper, given, [row]))  # ids follow the order rows are given in
    if not runs:
        return
    connection = await session.connection()
    for mapper, given, group in runs:
        plan = _insert_plan(mapper, given)
        params = [{plan.columns[k]: getattr(row, k) for k in given} for row in group]
        result = await connection.execute(plan.statement, params)
        for row, values in zip(group, result.all(), strict=True):
            for key, value in zip(plan.defaulted, values, strict=True):
                setattr(row, key, value)
            for key in plan.null:
                setattr(row, key, None)
            make_transient_to_detached(row)
            session.add(row)


def _keeps_none(state: Any, key: str) -> bool:
    # As a flush does: None stands for "no value" (the default, or NULL) unless the column's
    # type stores None as a value of its own (JSON's null).
    return bool(state.mapper.column_attrs[key].columns[0].type.should_evaluate_none)


@dataclass(frozen=True)
class _InsertPlan:
    statement: Any
    columns: dict[str, str]  # attribute → column name, for the attributes given
    defaulted: tuple[str, ...]  # attributes left to their defaults (or the key's sequence)
    null: tuple[str, ...]  # attributes left out without a default: NULL


@functools.lru_cache(maxsize=256)
def _insert_plan(mapper: Any, given: frozenset[str]) -> _InsertPlan:
    table, attrs = mapper.local_table, mapper.column_attrs
    defaulted, null = [], []
    for prop in attrs:
        key = prop.key
        if key not in given:
            column = prop.columns[0]
            made = column.default is not None or column.server_default is not None
            (defaulted if made or column is table.autoincrement_column else null).append(key)
    statement = insert(table).returning(
        *(attrs[key].columns[0] for key in defaulted), sort_by_parameter_order=True
    )
    columns = {key: attrs[key].columns[0].key for key in given}
    return _InsertPlan(statement, columns, tuple(defaulted), tuple(null))


def keep(session: AsyncSession, *rows: Any) -> None:
    """Hold `rows` for the rest of the unit of work. SQLAlchemy's identity map keeps objects only
    weakly: a row no variable refers to is dropped and the next `session.get` queries again.
    Rows a request will look up again (the caller's account, the event's occurrence) are
    pinned here and released with the session."""
    session.info.setdefault("kept", []).extend(rows)


def after_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Run `callback` once the session's unit of work has committed (never after a rollback)."""
    _unit_of(session).after_commit(callback)


def before_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Run `callback` as the very last work of the transaction, right before COMMIT — after the
    response is built. For writes that lock hot rows (stock counters): the lock is then held
    only for those statements and the commit. A Problem it raises becomes the response, and
    the whole transaction rolls back."""
    _unit_of(session).before_commit(callback)


def after_rollback(session: AsyncSession, callback: AfterCommit) -> None:
    """Run `callback` if the session's unit of work rolls back (a rejected request, a failed
    commit, an exception) — to undo effects outside the database, e.g. delete a stored upload."""
    _unit_of(session).after_rollback(callback)


def dialect_name(session: AsyncSession) -> str:
    """The database behind the session: "postgresql" or "sqlite"."""
    return session.bind.dialect.name if session.bind is not None else "sqlite"


def insert_ignore(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> Any:
    """INSERT … ON CONFLICT DO NOTHING on either database: create-if-missing without a race."""
    from sqlalchemy.dialects import postgresql, sqlite

    insert = postgresql.insert if dialect_name(session) == "postgresql" else sqlite.insert
    return insert(model).values(rows).on_conflict_do_nothing()


def commit_even_if_rejected(session: AsyncSession) -> None:
    """Keep this transaction's changes although the request ends in an error response — for
    security bookkeeping that must stick (a revoked token family, a spent OTP attempt). Use only
    when everything written so far in the request is meant to stay."""
    _unit_of(session).commit_on_error = True


@asynccontextmanager
async def unit_of_work(database: Database, *, write: bool = True) -> AsyncIterator[AsyncSession]:
    """A transaction for code outside a request (CLI, jobs, tests): commit on success."""
    uow = UnitOfWork(database, write=write)
    try:
        yield uow.session
    except BaseException:
        await uow.rollback()
        await uow.close()
        raise
    try:
        await uow.commit()
    finally:
        await uow.close()
