"""Events as the API shows them: the row plus what is computed for a page of events at once
(status, next occurrence, engagement counts, organisation ids) — a few queries per page."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.events import engagement, lifecycle, occurrences
from livehouse.events.models import Event
from livehouse.events.schemas import EventOut
from livehouse.orgs import privacy
from livehouse.orgs import service as orgs


async def present(
    session: AsyncSession, events: Sequence[Event], private_orgs: set[int]
) -> list[EventOut]:
    """`private_orgs`: organisations whose private event data (stream links) the caller sees."""
    ids = [e.id for e in events]
    now = clock.now()
    counts = await engagement.metrics_for(session, ids)
    org_ids = {e.org_id for e in events}
    await privacy.settings_rows(session, org_ids)  # one query for the page's privacy questions
    for org_id in org_ids:
        shown, _ = await engagement.review_privacy(session, org_id, org_id in private_orgs)
        if not shown:  # the organisation hides its reviews from outsiders
            for event in events:
                if event.org_id == org_id:
                    counts[event.id].review_count = None
                    counts[event.id].review_rating_average = None
    upcoming = await occurrences.next_occurrences(session, ids)
    public_ids = await orgs.org_public_ids(session, org_ids)
    return [
        EventOut.of(
            event,
            org_public_id=public_ids[event.org_id],
            status=lifecycle.status_of(event, now),
            ended=lifecycle.has_ended(event, now),
            metrics=counts[event.id],
            next_occurrence=upcoming.get(event.id),
            private=event.org_id in private_orgs,
        )
        for event in events
    ]


async def present_one(session: AsyncSession, event: Event, private: bool) -> EventOut:
    return (await present(session, [event], {event.org_id} if private else set()))[0]
