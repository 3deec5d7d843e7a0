"""Routes and a table that exist only in the test app, to drive core mechanisms (transactions,
idempotency, outbox, pagination, rate limits) through the real middleware stack."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Column, Integer, MetaData, String, Table, Uuid, func, insert, select, text
from sqlalchemy.orm import Mapped, mapped_column, registry

from livehouse.core import clock, outbox, realtime
from livehouse.core.db import BigId, UTCDateTime, before_commit
from livehouse.core.deps import DbSession
from livehouse.core.errors import Conflict
from livehouse.core.ids import new_public_id
from livehouse.core.middleware import body_limit
from livehouse.core.pagination import OrderKey, Page, PageParams, page_params, paginate
from livehouse.core.ratelimit import rate_limit

test_metadata = MetaData()
mapper_registry = registry(metadata=test_metadata)


@mapper_registry.mapped
class Note:
    __tablename__ = "test_notes"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=new_public_id)
    title: Mapped[str] = mapped_column(String(50))
    slug: Mapped[str | None] = mapped_column(String(50), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


job_log = Table(
    "test_job_log",
    test_metadata,
    Column("id", Integer, primary_key=True),
    Column("topic", String(50)),
    Column("value", String(100)),
)

gates: dict[str, asyncio.Event] = {}
entered: dict[str, asyncio.Event] = {}
flaky_failures: dict[str, int] = {}

router = APIRouter(prefix="/_test", include_in_schema=False)


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=50)
    slug: str | None = Field(None, max_length=50)
    count: int = 1


class NoteOut(BaseModel):
    id: uuid.UUID
    title: str


@router.post("/notes", status_code=201, response_model=NoteOut)
async def create_note(
    payload: NoteIn,
    db: DbSession,
    fail: Annotated[str | None, Query()] = None,
    gate: Annotated[str | None, Query()] = None,
    enqueue: Annotated[str | None, Query()] = None,
    publish: Annotated[str | None, Query()] = None,
    durable: bool = False,
) -> NoteOut:
    note = Note(title=payload.title, slug=payload.slug)
    db.add(note)
    await db.flush()
    if enqueue:
        outbox.enqueue(db, enqueue, {"value": payload.title})
    if publish:
        realtime.publish(db, publish, "note.created", {"title": payload.title}, durable=durable)
    if gate:
        entered.setdefault(gate, asyncio.Event()).set()
        await gates.setdefault(gate, asyncio.Event()).wait()
    if fail == "problem":
        raise Conflict("asked to fail after writing")
    if fail == "crash":
        raise RuntimeError("secret-internal-detail: boom")
    if fail == "bad-sql":  # our bug, as the database reports it (SQLite: an OperationalError)
        await db.execute(text("SELECT secret_internal_detail FROM test_notes"))
    if fail == "server-error":
        from livehouse.core.errors import Problem

        raise Problem("upstream failed", status=502, slug="bad-gateway")
    return NoteOut(id=note.public_id, title=note.title)


@router.post("/notes/last-check", status_code=201, response_model=NoteOut)
async def create_note_with_last_check(payload: NoteIn, db: DbSession) -> NoteOut:
    """Writes, builds its answer, then a before-commit step refuses titles starting 'no'."""
    note = Note(title=payload.title, slug=payload.slug)
    db.add(note)
    await db.flush()

    async def last_check() -> None:
        if payload.title.startswith("no"):
            raise Conflict("refused at the very end")

    before_commit(db, last_check)
    return NoteOut(id=note.public_id, title=note.title)


@router.post("/notes/unflushed", status_code=201)
async def create_note_unflushed(payload: NoteIn, db: DbSession) -> dict[str, str]:
    """Adds without flushing, so a unique violation surfaces only at commit."""
    db.add(Note(title=payload.title, slug=payload.slug))
    return {"status": "queued"}


@router.get("/notes", response_model=Page[NoteOut])
async def list_notes(
    db: DbSession, page: Annotated[PageParams, Depends(page_params)]
) -> Page[NoteOut]:
    rows, next_cursor = await paginate(
        db,
        select(Note),
        [OrderKey(Note.created_at, descending=True), OrderKey(Note.id, descending=True)],
        page,
    )
    return Page(
        items=[NoteOut(id=r.public_id, title=r.title) for r in rows], next_cursor=next_cursor
    )


@router.get("/notes/count")
async def count_notes(db: DbSession) -> dict[str, int]:
    return {"count": int(await db.scalar(select(func.count()).select_from(Note)) or 0)}


@router.get("/limited", dependencies=[Depends(rate_limit("3/minute", "test-limited"))])
async def limited() -> dict[str, bool]:
    return {"ok": True}


@router.post("/small-body", openapi_extra=body_limit(64))
async def small_body(payload: dict[str, str]) -> dict[str, int]:
    return {"keys": len(payload)}


@outbox.handler("test.record")
async def record_job(job: outbox.Job) -> None:
    await job.session.execute(insert(job_log).values(topic=job.topic, value=job.payload["value"]))


@outbox.handler("test.flaky")
async def flaky_job(job: outbox.Job) -> None:
    """Fails while flaky_failures[value] > 0, then records like test.record."""
    value = job.payload["value"]
    if flaky_failures.get(value, 0) > 0:
        flaky_failures[value] -= 1
        raise RuntimeError(f"flaky failure, attempt {job.attempt}")
    await job.session.execute(insert(job_log).values(topic=job.topic, value=value))
