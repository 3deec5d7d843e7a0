"""Outbox handlers of events: what happens after a cancellation, and the occurrence horizon."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from livehouse.core import outbox
from livehouse.events import engagement, hooks, occurrences, speakers
from livehouse.events.lifecycle import CANCELLED_TOPIC
from livehouse.events.models import Event
from livehouse.notify import delivery


@outbox.handler(CANCELLED_TOPIC)
async def event_cancelled(job: outbox.Job) -> None:
    """Ticketing's `on_cancelled` functions (refunds by policy, attendees told), then an e-mail
    to every speaker and everyone who saved the event. All in this job's transaction: if any
    step fails, none of it is kept and the job is retried."""
    session = job.session
    event = await session.get(Event, job.payload["event_id"])
    if event is None or event.cancelled_at is None:
        return
    cancelled = hooks.Cancelled(
        job_id=job.id,
        event_id=event.id,
        event_public_id=event.public_id,
        org_id=event.org_id,
        name=event.name,
        reason=event.cancel_reason,
        cancelled_at=event.cancelled_at,
    )
    for fn in hooks.on_cancelled:
        await fn(session, cancelled)
    people = dict(await speakers.to_notify(session, event.id))
    for email, name in await engagement.savers_to_notify(session, event.id):
        people.setdefault(email, name or "")
    first = event.starts_at.astimezone(ZoneInfo(event.timezone))
    reason = f"\n\nThe organiser says: {event.cancel_reason}" if event.cancel_reason else ""
    for email, name in people.items():
        delivery.email(
            session,
            to=email,
            subject=f"Cancelled: {event.name}",
            text=(
                f"Hello {name or 'there'},\n\n{event.name} (from {first:%Y-%m-%d %H:%M} "
                f"{event.timezone}) has been cancelled.{reason}\n\n"
                "If you hold tickets, you will hear about your refund separately.\n"
            ),
        )


@outbox.handler(occurrences.EXTEND_TOPIC)
async def extend_occurrences(job: outbox.Job) -> None:
    await occurrences.extend(job.session, job.payload["event_id"])
