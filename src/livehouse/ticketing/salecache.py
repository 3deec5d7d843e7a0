"""What every sale of an event reads and only its organiser changes — its upcoming dates, its
ticket types with their variations, its order form — kept in this process between requests.

A purchase read them in three statements every time, ~15 % of its CPU (measured with
bench/compare_cpu.py). An entry is used only while it matches `ticket_settings.sale_version`,
which every sale reads anyway with the event (`catalog.event_for_sale`), so a change committed
on any node is seen by the next sale on every node, as when nothing was cached:

- The version is bumped in the transaction that makes the change, at its commit, for every
  event whose rows of the classes in `WATCHED` a flush created, changed or deleted
  (`_note_changes` → `_bump_at_commit`). Bulk UPDATE/DELETE statements on their tables would
  slip past the flush, so they are refused (`_refuse_bulk_changes`); the database's own
  cascades into those tables start from a watched row (an event's date or session, a ticket
  type) whose deletion bumps.
- A sale reads the version before the data, so an entry never holds data older than its
  version says (a change committed in between gives newer data under the older number: the next
  sale, seeing the new number, reloads).
- A unit of work that has changed watched rows (flushed or not) reads from the database, as does
  one that has not read the event's settings row (no version to check against).
- Entries hold detached copies; each unit of work gets its own instances (`Session.merge`
  without loading). JSON values are shared between them: never change one in place (SQLAlchemy
  would not notice either) — assign a new value.

Entries are keyed by the event's public id (internal ids restart in tests, and after a restore);
at most `_ENTRIES` events are kept, least recently used first out.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from cachetools import LRUCache
from sqlalchemy import event as sa_event
from sqlalchemy import inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from livehouse.core import clock
from livehouse.core.db import flush_only, keep
from livehouse.events.models import Event, EventSession, Occurrence
from livehouse.ticketing.models import OrderFormField, TicketSettings, TicketType, TicketVariation

T = TypeVar("T")

WATCHED = (Occurrence, EventSession, TicketType, TicketVariation, OrderFormField)
_WATCHED_TABLES = frozenset(model.__tablename__ for model in WATCHED)
flush_only(*WATCHED)  # their flushes bump the version (below)
_ENTRIES = 2048
_PENDING = "sale_catalogue_pending"  # session.info: event ids whose watched rows this flush changes
_CHANGED = "sale_catalogue_changed"  # session.info: this unit of work changed watched rows
_COMMITTING = "sale_catalogue_committing"  # session.info: between before_commit and its end


@dataclass
class _Entry:
    version: int
    parts: dict[Any, tuple[Any, datetime | None]] = field(default_factory=dict)  # → (copies, until)


_entries: LRUCache[uuid.UUID, _Entry] = LRUCache(maxsize=_ENTRIES)


async def cached(
    session: AsyncSession,
    event_id: int,
    part: Any,
    load: Callable[[], Awaitable[T]],
    *,
    valid_until: Callable[[T], datetime | None] | None = None,
) -> T:
    """`load()`'s result for the event — ORM rows in lists, tuples and dicts — from this
    process's entry when it is current for this unit of work, otherwise loaded (and kept when
    this unit of work has read the event's sale version). `valid_until` gives the moment a
    result expires by itself (upcoming dates stop being upcoming)."""
    found = version_of(session, event_id)
    if found is None:
        return await load()
    public_id, version = found
    entry = _entries.get(public_id)
    if entry is not None and entry.version == version:
        found = entry.parts.get(part)
        if found is not None and (found[1] is None or clock.now() < found[1]):
            return _each_row(found[0], lambda row: _attach(session, row))
    result = await load()
    if entry is None or entry.version != version:
        entry = _entries[public_id] = _Entry(version)
    entry.parts[part] = (_each_row(result, _detached_copy), valid_until and valid_until(result))
    return result


def version_of(session: AsyncSession, event_id: int) -> tuple[uuid.UUID, int] | None:
    """The event's public id and sale version as this unit of work read them (without a
    query), or None when the cache must not be used here."""
    sync = session.sync_session
    event = sync.identity_map.get(identity_key(Event, event_id))
    settings = sync.identity_map.get(identity_key(TicketSettings, event_id))
    if event is None or settings is None or sync.info.get(_CHANGED):
        return None
    if any(_watched_changes(sync)):
        return None  # changes not flushed yet
    return event.public_id, settings.sale_version


def _each_row(value: Any, change: Callable[[Any], Any]) -> Any:
    if isinstance(value, list):
        return [_each_row(item, change) for item in value]
    if isinstance(value, tuple):
        return tuple(_each_row(item, change) for item in value)
    if isinstance(value, dict):
        return {key: _each_row(item, change) for key, item in value.items()}
    if value is None:
        return None
    return change(value)


def _detached_copy(row: Any) -> Any:
    """A copy of a loaded row that belongs to no session and looks loaded (no pending change)."""
    mapper = inspect(row).mapper
    copy = mapper.class_(**{column.key: getattr(row, column.key) for column in mapper.column_attrs})
    make_transient_to_detached(copy)
    return copy


def _attach(session: AsyncSession, copy: Any) -> Any:
    row = session.sync_session.merge(copy, load=False)
    keep(session, row)
    return row


# --- keeping versions true ------------------------------------------------------------------


def _event_id_of(session: Session, row: Any) -> int | None:
    values = inspect(row).dict
    if not isinstance(row, TicketVariation):
        return values.get("event_id")  # type: ignore[no-any-return]
    type_id = values.get("ticket_type_id")
    if type_id is None:
        return None  # a variation of a type new in this flush: the type's insert bumps
    ticket_type = session.identity_map.get(identity_key(TicketType, type_id))
    if ticket_type is not None:
        return ticket_type.event_id  # type: ignore[no-any-return]
    return session.connection().scalar(select(TicketType.event_id).where(TicketType.id == type_id))


def _watched_changes(session: Session) -> Iterator[Any]:
    """The session's new, changed and deleted rows of the classes in `WATCHED`."""
    for row in itertools.chain(session.new, session.dirty, session.deleted):
        if isinstance(row, WATCHED):
            yield row


@sa_event.listens_for(Session, "before_flush")
def _note_changes(session: Session, _context: Any, _instances: Any) -> None:
    rows = list(_watched_changes(session))
    if not rows:
        return
    session.info[_CHANGED] = True
    pending = session.info.setdefault(_PENDING, set())
    for row in rows:
        event_id = _event_id_of(session, row)
        if event_id is not None:
            pending.add(event_id)


def _bump(session: Session) -> None:
    event_ids = session.info.pop(_PENDING, None)
    if event_ids:
        settings = TicketSettings.__table__
        session.connection().execute(
            update(settings)
            .where(settings.c.event_id.in_(sorted(event_ids)))
            .values(sale_version=settings.c.sale_version + 1)
        )


# The bump waits for the commit: the settings row is then locked for the last moment of the
# transaction only, after every other row it changes — two organisers changing different types
# of one event cannot each hold a row the other needs. It is still inside the transaction: a
# change and its bump are seen together or not at all.
@sa_event.listens_for(Session, "before_commit")
def _bump_at_commit(session: Session) -> None:
    session.info[_COMMITTING] = True
    _bump(session)


@sa_event.listens_for(Session, "after_flush")
def _bump_flushed_while_committing(session: Session, _context: Any) -> None:
    # The commit flushes what is still pending after `before_commit` has run.
    if session.info.get(_COMMITTING):
        _bump(session)


@sa_event.listens_for(Session, "after_commit")
@sa_event.listens_for(Session, "after_rollback")
def _transaction_over(session: Session) -> None:
    session.info.pop(_COMMITTING, None)
    session.info.pop(_PENDING, None)


@sa_event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _WATCHED_TABLES:
        raise RuntimeError(
            f"bulk change of {table.name} would not bump the sale catalogue version "  # type: ignore[union-attr]
            "(ticketing/salecache.py): change the rows through the session"
        )
