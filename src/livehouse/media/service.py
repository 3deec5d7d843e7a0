"""Media: uploads (sniffed, size-limited, images re-encoded), look-ups, lists and deletion.

Stored objects are outside the transaction, so every upload registers its own undo: if the unit
of work rolls back (a later validation error, a failed commit), the objects are deleted again.
Deletion goes the other way: the row goes in the transaction, the objects after its commit.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from functools import partial
from tempfile import SpooledTemporaryFile
from typing import IO

import anyio
from anyio import to_thread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.db import after_commit, after_rollback
from livehouse.core.errors import (
    FieldError,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from livehouse.core.ids import new_public_id
from livehouse.core.pagination import OrderKey, PageParams, paginate
from livehouse.core.runtime import current
from livehouse.core.storage import CHUNK
from livehouse.identity.auth import Principal, require_scopes
from livehouse.media import images, kinds
from livehouse.media.models import Media
from livehouse.orgs.service import authorize

_image_work: anyio.CapacityLimiter | None = None


def _image_limiter() -> anyio.CapacityLimiter:
    """Decoding a large image takes a lot of memory: only a few at a time per process."""
    global _image_work
    if _image_work is None:
        _image_work = anyio.CapacityLimiter(min(4, os.cpu_count() or 2))
    return _image_work


async def end_read_transaction(session: AsyncSession) -> None:
    """Call before reading an upload's body. An upload can take minutes; until then the request
    only read (who is calling, may they), so that transaction ends here: on SQLite a writer's
    transaction holds the database's write lock, and on any database it holds a pooled
    connection. The row is written afterwards, in a new transaction."""
    if session.in_transaction():
        await session.rollback()


async def _peek(chunks: AsyncIterator[bytes]) -> bytes:
    head = bytearray()
    async for chunk in chunks:
        head.extend(chunk)
        if len(head) >= kinds.SNIFF_BYTES:
            break
    return bytes(head)


async def _then(head: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    if head:
        yield head
    async for chunk in rest:
        yield chunk


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _read(source: IO[bytes]) -> AsyncIterator[bytes]:
    while chunk := await to_thread.run_sync(source.read, CHUNK):
        yield chunk


def _too_large(kind: str, limit: int) -> PayloadTooLarge:
    message = f"A {kind} file may be at most {limit:,} bytes"
    return PayloadTooLarge(message, errors=[FieldError("file", message)])


async def _spool(chunks: AsyncIterator[bytes], limit: int) -> IO[bytes]:
    """Images need random access (Pillow): keep them in a temporary file, small ones in memory."""
    spool = SpooledTemporaryFile(max_size=images.SPOOL_BYTES)  # noqa: SIM115 (returned)
    size = 0
    try:
        async for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise _too_large("image", limit)
            await to_thread.run_sync(spool.write, chunk)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool


async def delete_objects(keys: Iterable[str | None]) -> None:
    storage = current().storage
    for key in keys:
        if key:
            await storage.delete(key)


async def upload(
    session: AsyncSession,
    chunks: AsyncIterator[bytes],
    *,
    filename: str | None = None,
    owner_account_id: int | None,
    org_id: int | None = None,
) -> Media:
    """Store the file in `chunks` and record it. Its type comes from its content; its kind sets
    the size limit. Images are verified and re-encoded, with a preview."""
    if owner_account_id is None and org_id is None:
        raise ValueError("media needs an owner account or an organisation")
    runtime = current()
    settings, storage = runtime.settings, runtime.storage
    await end_read_transaction(session)
    head = await _peek(chunks)
    if not head:
        raise ValidationFailed.field("file", "The file is empty")
    found = kinds.sniff(head)
    if found is None:
        message = f"Unsupported file type; accepted: {kinds.accepted_summary()}"
        raise UnsupportedMediaType(message, errors=[FieldError("file", message)])
    limit = kinds.max_bytes(settings, found.kind)
    public_id = new_public_id()
    stem = f"media/{clock.now():%Y/%m}/{public_id}"
    content_type, preview_key, width, height = found.content_type, None, None, None
    try:
        if found.kind == "image":
            spool = await _spool(_then(head, chunks), limit)
            try:
                cleaned = await to_thread.run_sync(
                    partial(
                        images.clean,
                        spool,
                        max_pixels=settings.media_image_max_pixels,
                        preview_size=settings.media_preview_size,
                    ),
                    limiter=_image_limiter(),
                )
            finally:
                spool.close()
            with cleaned.data:
                stored = await storage.save(
                    f"{stem}.{cleaned.extension}", _read(cleaned.data), cleaned.content_type
                )
            content_type, width, height = cleaned.content_type, cleaned.width, cleaned.height
            try:
                preview_key = f"{stem}.preview.webp"
                await storage.save(preview_key, _once(cleaned.preview), "image/webp")
            except BaseException:
                await storage.delete(stored.key)
                raise
        else:
            stored = await storage.save(
                f"{stem}.{found.extension}", _then(head, chunks), content_type, limit
            )
    except PayloadTooLarge as exc:
        raise _too_large(found.kind, limit) from exc
    after_rollback(session, partial(delete_objects, (stored.key, preview_key)))
    media = Media(
        public_id=public_id,
        owner_account_id=owner_account_id,
        org_id=org_id,
        kind=found.kind,
        content_type=content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.key,
        preview_key=preview_key,
        width=width,
        height=height,
        filename=filename[:255] if filename else None,
    )
    session.add(media)
    await session.flush()
    return media


def url(media: Media) -> str:
    return current().storage.url(media.storage_key)


def preview_url(media: Media) -> str | None:
    return current().storage.url(media.preview_key) if media.preview_key else None


async def get(session: AsyncSession, public_id: uuid.UUID) -> Media:
    media = await session.scalar(select(Media).where(Media.public_id == public_id))
    if media is None:
        raise NotFound("No such media")
    return media


async def accessible(
    session: AsyncSession, principal: Principal, public_id: uuid.UUID, *, write: bool
) -> Media:
    """The media if `principal` may read (or change) it: an organisation's file through
    `orgs.authorize`, a personal file only by its owner. Others get 404."""
    media = await get(session, public_id)
    if media.org_id is not None:
        await authorize(session, principal, media.org_id, "media.write" if write else "media.read")
        return media
    if not principal.is_user or principal.account_id != media.owner_account_id:
        raise NotFound("No such media")
    require_scopes(principal, "media.own")
    return media


async def list_media(
    session: AsyncSession,
    params: PageParams,
    *,
    owner_account_id: int | None = None,
    org_id: int | None = None,
) -> tuple[list[Media], str | None]:
    """An organisation's library, or an account's personal files (not those it uploaded for
    organisations)."""
    statement = select(Media)
    if org_id is not None:
        statement = statement.where(Media.org_id == org_id)
    else:
        statement = statement.where(
            Media.owner_account_id == owner_account_id, Media.org_id.is_(None)
        )
    order = [OrderKey(Media.created_at, descending=True), OrderKey(Media.id, descending=True)]
    return await paginate(session, statement, order, params)


async def delete(session: AsyncSession, media: Media) -> None:
    keys = (media.storage_key, media.preview_key)
    await session.delete(media)
    await session.flush()
    after_commit(session, partial(delete_objects, keys))


async def own_image(
    session: AsyncSession, account_id: int, public_id: uuid.UUID, field: str
) -> Media:
    """An image the account uploaded for itself — what a profile may show. Anything else is a
    422 naming `field` (whether it exists is not revealed)."""
    media = await session.scalar(
        select(Media).where(
            Media.public_id == public_id,
            Media.owner_account_id == account_id,
            Media.org_id.is_(None),
        )
    )
    if media is None:
        raise ValidationFailed.field(field, "No such image among your uploads")
    if media.kind != "image":
        raise ValidationFailed.field(field, f"Must be an image, not {media.kind}")
    return media


async def by_ids(session: AsyncSession, ids: Iterable[int | None]) -> dict[int, Media]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows: Sequence[Media] = (await session.scalars(select(Media).where(Media.id.in_(wanted)))).all()
    return {media.id: media for media in rows}
