"""The app's session (`core.db`): `write_new` writes new rows by Core INSERTs and then tracks
them as if a flush had written them — defaults read back, later changes UPDATEd, each row
written once; `get` answers from the identity map only where SQLAlchemy would."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, inspect, select, update

from livehouse.core.db import unit_of_work, write_new
from livehouse.core.runtime import Runtime
from livehouse.events.models import Occurrence
from tests.support.routes import Note


async def _titles(runtime: Runtime) -> list[tuple[int, str, str | None]]:
    async with unit_of_work(runtime.database, write=False) as session:
        rows = await session.execute(select(Note.id, Note.title, Note.slug).order_by(Note.id))
        return [tuple(row) for row in rows]


async def test_rows_get_their_defaults_and_later_changes_are_updated(clean: Runtime) -> None:
    async with unit_of_work(clean.database) as session:
        note = Note(title="first")
        await write_new(session, note)
        assert inspect(note).persistent
        assert note.id is not None and note.public_id is not None and note.slug is None
        assert isinstance(note.created_at, datetime) and note.created_at.tzinfo is not None
        assert await session.get(Note, note.id) is note  # the session knows it
        note.slug = "changed-after"  # the next flush UPDATEs it
    assert await _titles(clean) == [(note.id, "first", "changed-after")]


async def test_rows_keep_the_order_they_were_given(clean: Runtime) -> None:
    async with unit_of_work(clean.database) as session:
        notes = [Note(title=f"note {n}", slug=f"s{n}" if n % 2 else None) for n in range(5)]
        await write_new(session, *notes)
        assert [n.id for n in notes] == sorted(n.id for n in notes)
    assert await _titles(clean) == [(n.id, n.title, n.slug) for n in notes]


async def test_a_pending_row_is_written_once(clean: Runtime) -> None:
    async with unit_of_work(clean.database) as session:
        flushed = Note(title="flushed")
        session.add(flushed)
        await session.flush()
        first_id = flushed.id
        pending = Note(title="pending")
        session.add(pending)
        await write_new(session, flushed, pending)  # the flushed one is left alone
        await session.flush()
        assert flushed.id == first_id
        assert await session.scalar(select(func.count()).select_from(Note)) == 2


async def test_rows_a_flush_hook_must_see_are_refused(clean: Runtime) -> None:
    with pytest.raises(RuntimeError, match="written by flushes only"):
        async with unit_of_work(clean.database) as session:
            await write_new(session, Note(title="never"), Occurrence())
    assert await _titles(clean) == []


async def test_get_answers_from_the_session_and_reloads_what_was_expired(clean: Runtime) -> None:
    async with unit_of_work(clean.database) as session:
        note = Note(title="before")
        await write_new(session, note)
        table = Note.__table__
        await session.execute(update(table).where(table.c.id == note.id).values(title="after"))
        assert await session.get(Note, note.id) is note  # as SQLAlchemy's: no query, as it was
        assert note.title == "before"
        note_id = note.id
        session.expire(note)
        assert (await session.get(Note, note_id)).title == "after"  # loaded again
        assert await session.get(Note, note_id + 1) is None
