"""Which uploaded files a show may put on screen (media capability's rows, checked here)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.errors import NotFound, ValidationFailed
from livehouse.media import service as media
from livehouse.media.models import Media


async def org_media(
    session: AsyncSession, org_id: int, public_id: uuid.UUID, kinds: tuple[str, ...], field: str
) -> Media:
    """A file of the organisation's library of one of `kinds`; anything else is a 422 naming
    `field` (whether another organisation's file exists is not revealed)."""
    try:
        found = await media.get(session, public_id)
    except NotFound:
        found = None
    if found is None or found.org_id != org_id:
        raise ValidationFailed.field(field, "No such file in the organisation's media library")
    if found.kind not in kinds:
        raise ValidationFailed.field(field, f"Must be {' or '.join(kinds)}, not {found.kind}")
    return found


async def profile_image(
    session: AsyncSession, org_id: int, account_id: int, public_id: uuid.UUID, field: str
) -> Media:
    """The host's own image, or an image of the organisation's library."""
    try:
        return await media.own_image(session, account_id, public_id, field)
    except ValidationFailed:
        return await org_media(session, org_id, public_id, ("image",), field)
