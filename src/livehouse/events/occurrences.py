"""Occurrence rows: materialised from the rule for a bounded horizon, kept in step with edits.

- Every occurrence that starts within `events_occurrence_horizon_days` of the first upcoming one
  is a row (`event_occurrences`), so tickets, holds and sessions can refer to one occurrence.
  Rows beyond the horizon are added by the `events.occurrences.extend` job, which re-schedules
  itself every `events_horizon_refresh_days` while the rule reaches further.
- An edit (rule, time zone) re-derives only *future* rows (not yet started): rows whose start
  still belongs to the rule are kept (same id; their end follows a new duration), rows no longer
  in the rule are deleted and new ones added. Rows that have begun are never touched.
- A future row that has sales (ticketing's `hooks.occurrences_with_sales`) or sessions is never
  deleted: the edit is refused with 409 naming those occurrences.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock, outbox
from livehouse.core.errors import Conflict, NotFound
from livehouse.core.pagination import OrderKey, PageParams, paginate
from livehouse.core.runtime import current
from livehouse.events import hooks, recurrence
from livehouse.events.models import Event, EventSession, Occurrence
from livehouse.events.recurrence import Slot

EXTEND_TOPIC = "events.occurrences.extend"


def slots_of(event: Event) -> list[Slot]:
    return recurrence.expand(
        event.occurrence_rule, event.timezone, current().settings.events_max_occurrences
    )


def set_span(event: Event, slots: list[Slot]) -> None:
    """The event's first start and last end (over the whole rule, not just stored rows)."""
    event.starts_at = slots[0].starts_at
    event.ends_at = max(s.ends_at for s in slots)


async def sync(session: AsyncSession, event: Event, slots: list[Slot] | None = None) -> None:
    """Bring the event's future occurrence rows in line with its rule (see module doc)."""
    settings = current().settings
    now = clock.now()
    slots = slots if slots is not None else slots_of(event)
    set_span(event, slots)
    upcoming = [s for s in slots if s.starts_at > now]
    horizon = (
        upcoming[0].starts_at + timedelta(days=settings.events_occurrence_horizon_days)
        if upcoming
        else now
    )
    wanted = {s.starts_at: s for s in upcoming if s.starts_at <= horizon}
    beyond = any(s.starts_at > horizon for s in upcoming)

    existing = list(
        (
            await session.scalars(
                select(Occurrence).where(
                    Occurrence.event_id == event.id, Occurrence.starts_at > now
                )
            )
        ).all()
    )
    gone = [o for o in existing if o.starts_at not in wanted]
    moved = [
        o for o in existing if o.starts_at in wanted and o.ends_at != wanted[o.starts_at].ends_at
    ]
    await _refuse_if_protected(session, event, gone, moved, wanted)
    for occurrence in gone:  # through the session: ticketing's sale cache watches date changes
        await session.delete(occurrence)
    for occurrence in moved:
        occurrence.ends_at = wanted[occurrence.starts_at].ends_at
    have = {o.starts_at for o in existing}
    for starts_at, slot in wanted.items():
        if starts_at not in have:
            session.add(Occurrence(event_id=event.id, starts_at=starts_at, ends_at=slot.ends_at))
    event.materialised_until = horizon if beyond else None
    if beyond and (event.horizon_job_at is None or event.horizon_job_at <= now):
        due = now + timedelta(days=settings.events_horizon_refresh_days)
        outbox.enqueue(session, EXTEND_TOPIC, {"event_id": event.id}, at=due)
        event.horizon_job_at = due
    await session.flush()


async def _refuse_if_protected(
    session: AsyncSession,
    event: Event,
    gone: list[Occurrence],
    moved: list[Occurrence],
    wanted: dict[datetime, Slot],
) -> None:
    if not gone and not moved:
        return
    ids = [o.id for o in (*gone, *moved)]
    sold: set[int] = set()
    for check in hooks.occurrences_with_sales:
        sold |= await check(session, ids)
    # Sessions must stay inside their occurrence: a removed one loses them, a shortened one
    # may no longer hold them.
    latest_session_end = dict(
        (
            await session.execute(
                select(EventSession.occurrence_id, func.max(EventSession.ends_at))
                .where(EventSession.occurrence_id.in_(ids))
                .group_by(EventSession.occurrence_id)
            )
        ).all()
    )
    blocked: list[tuple[Occurrence, str]] = []
    for occurrence in gone:
        if occurrence.id in sold:
            blocked.append((occurrence, "has sales"))
        elif occurrence.id in latest_session_end:
            blocked.append((occurrence, "has sessions"))
    for occurrence in moved:
        last = latest_session_end.get(occurrence.id)
        if last is not None and last > wanted[occurrence.starts_at].ends_at:
            blocked.append((occurrence, "has sessions ending after its new end"))
    if blocked:
        zone = ZoneInfo(event.timezone)
        listed = [
            {
                "id": str(o.public_id),
                "starts_local": recurrence.to_local(o.starts_at, zone).isoformat(),
                "reason": why,
            }
            for o, why in blocked
        ]
        summary = ", ".join(f"{item['starts_local']} ({item['reason']})" for item in listed[:5])
        raise Conflict(
            f"This change would remove or shorten occurrences that must stay: {summary}. "
            "Keep them in the rule, or move their sessions and sales first",
            extra={"occurrences": listed},
        )


async def extend(session: AsyncSession, event_id: int) -> None:
    """The horizon job: add the rows that have come within the horizon."""
    event = await session.get(Event, event_id, with_for_update=True)
    if event is None or event.cancelled_at is not None:
        return
    event.horizon_job_at = None
    await sync(session, event)


async def next_occurrences(session: AsyncSession, event_ids: list[int]) -> dict[int, Occurrence]:
    """For each event, its first occurrence that has not ended."""
    if not event_ids:
        return {}
    now = clock.now()
    first = (
        select(Occurrence.event_id, func.min(Occurrence.starts_at).label("starts_at"))
        .where(Occurrence.event_id.in_(event_ids), Occurrence.ends_at > now)
        .group_by(Occurrence.event_id)
        .subquery()
    )
    rows = await session.scalars(
        select(Occurrence).join(
            first,
            (Occurrence.event_id == first.c.event_id) & (Occurrence.starts_at == first.c.starts_at),
        )
    )
    return {o.event_id: o for o in rows}


async def list_page(
    session: AsyncSession,
    event: Event,
    page: PageParams,
    starting_after: datetime | None = None,
    starting_before: datetime | None = None,
) -> tuple[list[Occurrence], str | None]:
    """Bounds without an offset are wall-clock times in the event's zone."""
    zone = ZoneInfo(event.timezone)
    statement = select(Occurrence).where(Occurrence.event_id == event.id)
    if starting_after is not None:
        lower = recurrence.to_utc(recurrence.to_local(starting_after, zone), zone)
        statement = statement.where(Occurrence.starts_at >= lower)
    if starting_before is not None:
        upper = recurrence.to_utc(recurrence.to_local(starting_before, zone), zone)
        statement = statement.where(Occurrence.starts_at < upper)
    return await paginate(
        session, statement, [OrderKey(Occurrence.starts_at), OrderKey(Occurrence.id)], page
    )


async def get(session: AsyncSession, event: Event, public_id: uuid.UUID) -> Occurrence:
    occurrence = await session.scalar(
        select(Occurrence).where(Occurrence.event_id == event.id, Occurrence.public_id == public_id)
    )
    if occurrence is None:
        raise NotFound("No such occurrence")
    return occurrence


async def containing(
    session: AsyncSession, event: Event, starts_at: datetime, ends_at: datetime
) -> Occurrence | None:
    """The occurrence a session from `starts_at` to `ends_at` lies within, if any."""
    return await session.scalar(
        select(Occurrence)
        .where(
            Occurrence.event_id == event.id,
            Occurrence.starts_at <= starts_at,
            Occurrence.ends_at >= ends_at,
        )
        .order_by(Occurrence.starts_at)
        .limit(1)
    )
