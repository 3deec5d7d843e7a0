"""The media-server room of a show, and who gets which RTC role in it.

A show's room is `show-<event id in base32>` inside its organisation (31 characters, within the
RTC routes' room names); rooms named `show-…` are reserved for shows. In a show's room:
- **host** (publish): the event's hosts (`live.host`), and fans whose video chat is accepted
  or on stage;
- **viewer** (subscribe only): whoever may watch (a valid ticket for the show, or the team),
  and those who may publish.
Others are refused (403). Other rooms keep the RTC routes' own rule (rtc.py).
"""

from __future__ import annotations

import base64
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.errors import Forbidden, NotFound
from livehouse.events import access as event_access
from livehouse.identity.auth import Principal
from livehouse.live import access, audience, videochat
from livehouse.orgs import service as orgs

PREFIX = "show-"


def room_of(event_public_id: uuid.UUID) -> str:
    return PREFIX + base64.b32encode(event_public_id.bytes).decode().rstrip("=").lower()


def event_of(room: str) -> uuid.UUID:
    encoded = room[len(PREFIX) :].upper()
    try:
        raw = base64.b32decode(encoded + "=" * (-len(encoded) % 8))
        return uuid.UUID(bytes=raw)
    except ValueError as exc:
        raise NotFound("No such show room") from exc


async def checked(
    session: AsyncSession, principal: Principal, org_public_id: uuid.UUID, room: str, role: str
) -> bool:
    """For a show's room: raise unless `principal` may take `role`, and return True. For any
    other room: False (the caller applies its own rule)."""
    if not room.startswith(PREFIX):
        return False
    org = await orgs.get_org(session, org_public_id)
    event = await event_access.get_event(session, event_of(room))
    if event.org_id != org.id:
        raise NotFound("No such show room")
    if await access.may(session, principal, event.org_id, access.HOST):
        return True
    stage = principal.account_id is not None and await videochat.on_stage(
        session, event.id, principal.account_id
    )
    if role == "host":
        if not stage:
            raise Forbidden("Only the show's hosts and guests on stage publish")
        return True
    if stage or (await audience.resolve(session, principal, event)).may_watch:
        return True
    raise Forbidden("A ticket for this show is needed to watch it")
