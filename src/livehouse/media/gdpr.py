"""Media's part of a person's data export and erasure (see identity/gdpr.py): their personal
files. Files uploaded for an organisation belong to its library and stay."""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.db import after_commit
from livehouse.identity.gdpr import register_eraser, register_exporter
from livehouse.identity.models import Account
from livehouse.media.models import Media
from livehouse.media.schemas import MediaOut
from livehouse.media.service import delete_objects


async def _personal(session: AsyncSession, account_id: int) -> list[Media]:
    rows = await session.scalars(
        select(Media)
        .where(Media.owner_account_id == account_id, Media.org_id.is_(None))
        .order_by(Media.id)
    )
    return list(rows)


async def export(session: AsyncSession, account: Account) -> list[dict[str, Any]]:
    return [MediaOut.of(m).model_dump(mode="json") for m in await _personal(session, account.id)]


async def erase(session: AsyncSession, account: Account, org_id: int | None) -> None:
    if org_id is not None:
        return  # an organisation erasing its customer holds none of their personal files
    files = await _personal(session, account.id)
    keys = [key for m in files for key in (m.storage_key, m.preview_key)]
    for media in files:
        await session.delete(media)
    await session.flush()
    after_commit(session, partial(delete_objects, keys))


register_exporter("media", export)
register_eraser("media", erase)
