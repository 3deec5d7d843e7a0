"""What live does when other capabilities' things happen (registered on import): a cancelled
event's live show stops, and the audience hears it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.events import hooks
from livehouse.events.access import get_event
from livehouse.live import shows, videochat, views


@hooks.on_cancelled
async def stop_cancelled_show(session: AsyncSession, cancelled: hooks.Cancelled) -> None:
    """Idempotent: the job may run more than once; a stopped show stays stopped, unannounced."""
    show = await shows.stop_cancelled(session, cancelled.event_id)
    if show is None:
        return
    event = await get_event(session, cancelled.event_public_id)
    await videochat.end_open_stage(session, event)
    shows.announce(session, event, (await views.show_out(session, show)).model_dump(mode="json"))
