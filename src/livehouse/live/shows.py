"""Live sessions: a host starts one for an event and stops it (Imprxx start live / stop live).

- At most one live session per event at a time: `live_key` (unique) holds the event's id while
  live, and the event row is locked while starting, so two hosts starting at once get one
  session and one 409.
- Starting makes the event live through events' own lifecycle (it must be published, not
  ended, cancelled or suspended — events' 409s); stopping takes it out of live.
- The session is for one date: the occurrence given, else the event's first occurrence not yet
  over. Tickets for that date admit viewers (audience.py).
- `liveEvents` and the event's channel hear `live` with the session (`is_live` true / false),
  durably: people waiting for a show must not miss it.
- A cancelled event's live session is stopped by the cancellation job (jobs.py).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.errors import Conflict, NotFound, ValidationFailed
from livehouse.core.pagination import OrderKey, PageParams, paginate
from livehouse.events import lifecycle, occurrences
from livehouse.events.models import Event
from livehouse.identity.models import Account
from livehouse.live import assets, channels
from livehouse.live.models import LiveSession
from livehouse.profiles import performers


async def current(session: AsyncSession, event_id: int) -> LiveSession | None:
    """The event's live session while it is live."""
    return await session.scalar(select(LiveSession).where(LiveSession.live_key == event_id))


async def get(session: AsyncSession, public_id: uuid.UUID) -> LiveSession:
    found = await session.scalar(select(LiveSession).where(LiveSession.public_id == public_id))
    if found is None:
        raise NotFound("No such live session")
    return found


async def _occurrence_id(
    session: AsyncSession, event: Event, public_id: uuid.UUID | None
) -> int | None:
    if public_id is None:
        upcoming = (await occurrences.next_occurrences(session, [event.id])).get(event.id)
        return upcoming.id if upcoming is not None else None
    try:
        chosen = await occurrences.get(session, event, public_id)
    except NotFound as exc:
        raise ValidationFailed.field("occurrence_id", "No such date of this event") from exc
    if chosen.ends_at <= clock.now():
        raise ValidationFailed.field("occurrence_id", "That date of the event is over")
    return chosen.id


async def start(
    session: AsyncSession, event: Event, host: Account, fields: dict[str, Any]
) -> LiveSession:
    """Start the event's live session (`event` locked by the caller)."""
    stale = await current(session, event.id)
    if stale is not None:
        if event.live_since is not None:
            raise Conflict("This event is already live; stop its live session first")
        # Events' own routes took the event out of live (stop, end, suspend): that show is over.
        stale.ended_at, stale.live_key = clock.now(), None
        await session.flush()
    if event.live_since is None:
        await lifecycle.start_live(session, event)
    else:
        lifecycle.ensure_editable(event)  # live through events' own route: the show starts
    performer = await performers.of_account(session, host.id)
    image_id = performer.image_media_id if performer is not None else None
    if fields.get("profile_image_id") is not None:
        image_id = (
            await assets.profile_image(
                session, event.org_id, host.id, fields["profile_image_id"], "profile_image_id"
            )
        ).id
    stage_name = (
        fields.get("stage_name")
        or (performer.stage_name if performer is not None else None)
        or host.full_name
        or host.username
        or "Host"
    )
    show = LiveSession(
        event_id=event.id,
        org_id=event.org_id,
        occurrence_id=await _occurrence_id(session, event, fields.get("occurrence_id")),
        host_account_id=host.id,
        name=fields.get("name") or event.display_name or event.name,
        stage_name=stage_name,
        event_link=fields.get("event_link"),
        profile_image_media_id=image_id,
        live_key=event.id,
        started_at=clock.now(),
    )
    try:
        async with session.begin_nested():
            session.add(show)
    except IntegrityError as exc:
        raise Conflict("This event is already live; stop its live session first") from exc
    return show


async def stop(session: AsyncSession, event: Event, show: LiveSession) -> LiveSession:
    if show.ended_at is not None:
        raise Conflict("This live session has already stopped")
    show.ended_at = clock.now()
    show.live_key = None
    if event.live_since is not None:
        await lifecycle.stop_live(session, event)
    from livehouse.live import videochat  # the stage empties with the show

    await videochat.end_open_stage(session, event)
    return show


async def stop_cancelled(session: AsyncSession, event_id: int) -> LiveSession | None:
    """Stop the live session of an event that was cancelled (idempotent)."""
    show = await current(session, event_id)
    if show is None:
        return None
    await session.execute(
        update(LiveSession)
        .where(LiveSession.id == show.id, LiveSession.ended_at.is_(None))
        .values(ended_at=clock.now(), live_key=None)
    )
    await session.refresh(show)
    return show


def announce(session: AsyncSession, event: Event, data: dict[str, Any]) -> None:
    channels.send(
        session, [channels.LIVE_EVENTS, channels.show(event.public_id)], "live", data, durable=True
    )


async def live_page(
    session: AsyncSession, page: PageParams
) -> tuple[list[LiveSession], str | None]:
    """Sessions live now, the latest started first."""
    statement = select(LiveSession).where(LiveSession.ended_at.is_(None))
    order = [OrderKey(LiveSession.started_at, True), OrderKey(LiveSession.id, True)]
    return await paginate(session, statement, order, page)


async def event_page(
    session: AsyncSession, event: Event, page: PageParams
) -> tuple[list[LiveSession], str | None]:
    """An event's live sessions, live or stopped, the latest first."""
    statement = select(LiveSession).where(LiveSession.event_id == event.id)
    order = [OrderKey(LiveSession.started_at, True), OrderKey(LiveSession.id, True)]
    return await paginate(session, statement, order, page)
