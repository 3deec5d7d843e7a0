"""What live does when other capabilities' things happen (registered on import): the live show
of an event that was cancelled, or left live through events' own routes (stop live, end,
suspension), stops, and the audience hears it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.events import hooks
from livehouse.events.access import get_event
from livehouse.events.models import Event
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


@hooks.on_left_live
async def stop_show_of_event(session: AsyncSession, event: Event) -> None:
    """In the transaction that took the event out of live. Live's own stop ends the show before
    it stops the event, so this finds no show then and announces nothing twice."""
    show = await shows.current(session, event.id)
    if show is None:
        return
    await shows.stop(session, event, show)
    shows.announce(session, event, (await views.show_out(session, show)).model_dump(mode="json"))
