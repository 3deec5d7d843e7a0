"""Organisation metrics and activities.

Metrics: `review_count` and `review_rating_average` over the organisation's events; whatever
`hooks.org_metrics` providers add (profiles: followers).

Activities, for chosen events (default: the organisation's 5 most recently published) over a
date range in the organisation's zone (default: from the first of those events until today):
- `events_hosted`: occurrences that have begun within the range (of events not cancelled
  before them);
- `tickets_sold`, `orders_received`, `revenue_earned`, `pages_viewed`: from
  `hooks.activity_counters` — null until a capability registers them.
Each activity has its total; with `interval` (daily, weekly from Monday, monthly from the 1st,
bucketed with dateutil's rrule) a series; with `group_by_event` the same per event.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.errors import ValidationFailed
from livehouse.events import access, engagement, hooks
from livehouse.events.models import Event, Occurrence, Review
from livehouse.events.recurrence import to_utc
from livehouse.identity.auth import Principal
from livehouse.orgs.models import Organisation

MAX_BUCKETS = 400
DEFAULT_EVENTS = 5
STEPS = {"daily": (DAILY, relativedelta(days=1)), "weekly": (WEEKLY, relativedelta(weeks=1))}
STEPS["monthly"] = (MONTHLY, relativedelta(months=1))


async def org_metrics(
    session: AsyncSession, org_id: int, viewer: Principal | None
) -> dict[str, Any]:
    """Review figures are null for outsiders when the organisation hides its reviews."""
    count, average = (
        await session.execute(
            select(func.count(Review.id), func.avg(Review.rating))
            .join(Event, Event.id == Review.event_id)
            .where(Event.org_id == org_id)
        )
    ).one()
    insider = await access.may(session, viewer, org_id, "event.read")
    shown, _ = await engagement.review_privacy(session, org_id, insider)
    metrics: dict[str, Any] = {
        "review_count": count if shown else None,
        "review_rating_average": round(float(average), 2) if shown and average else None,
    }
    for provider in hooks.org_metrics:
        metrics.update(await provider(session, org_id, viewer.account_id if viewer else None))
    return metrics


@dataclass(frozen=True, slots=True)
class Bucket:
    start: date
    end: date  # exclusive
    lo: datetime  # UTC
    hi: datetime


async def _events(
    session: AsyncSession, org: Organisation, public_ids: list[uuid.UUID] | None
) -> list[Event]:
    if not public_ids:
        return list(
            (
                await session.scalars(
                    select(Event)
                    .where(Event.org_id == org.id, Event.published_at.is_not(None))
                    .order_by(Event.published_at.desc(), Event.id.desc())
                    .limit(DEFAULT_EVENTS)
                )
            ).all()
        )
    found = {
        e.public_id: e
        for e in await session.scalars(
            select(Event).where(Event.org_id == org.id, Event.public_id.in_(public_ids))
        )
    }
    missing = [str(p) for p in public_ids if p not in found]
    if missing:
        raise ValidationFailed.field("events", f"No such events of this organisation: {missing}")
    return [found[p] for p in dict.fromkeys(public_ids)]


def _buckets(start: date, end: date, interval: str | None, zone: ZoneInfo) -> list[Bucket]:
    def bucket(a: date, b: date) -> Bucket:
        lo = to_utc(datetime.combine(a, time()), zone)
        return Bucket(a, b, lo, to_utc(datetime.combine(b, time()), zone))

    stop = end + timedelta(days=1)
    if interval is None:
        return [bucket(start, stop)]
    frequency, step = STEPS[interval]
    first = start
    if interval == "weekly":
        first = start - timedelta(days=start.weekday())
    elif interval == "monthly":
        first = start.replace(day=1)
    starts = [
        d.date()
        for d in islice(
            rrule(
                frequency,
                dtstart=datetime.combine(first, time()),
                until=datetime.combine(end, time()),
            ),
            MAX_BUCKETS + 1,
        )
    ]
    if len(starts) > MAX_BUCKETS:
        raise ValidationFailed.field(
            "interval", f"More than {MAX_BUCKETS} intervals: choose a longer one or fewer dates"
        )
    return [bucket(max(s, start), min(s + step, stop)) for s in starts]


async def _hosted(
    session: AsyncSession, event_ids: list[int], lo: datetime, hi: datetime
) -> dict[int, int]:
    hi = min(hi, clock.now())  # hosted = has begun
    rows = await session.execute(
        select(Occurrence.event_id, func.count())
        .join(Event, Event.id == Occurrence.event_id)
        .where(
            Occurrence.event_id.in_(event_ids),
            Occurrence.starts_at >= lo,
            Occurrence.starts_at < hi,
            or_(Event.cancelled_at.is_(None), Occurrence.starts_at < Event.cancelled_at),
        )
        .group_by(Occurrence.event_id)
    )
    return {event_id: count for event_id, count in rows}


async def activities(
    session: AsyncSession,
    org: Organisation,
    *,
    events: list[uuid.UUID] | None,
    start: date | None,
    end: date | None,
    interval: str | None,
    group_by_event: bool,
) -> dict[str, Any]:
    zone = ZoneInfo(org.timezone)
    chosen = await _events(session, org, events)
    today = clock.now().astimezone(zone).date()
    if start is None:
        firsts = [e.starts_at.astimezone(zone).date() for e in chosen]
        start = min([*firsts, end or today])
    end = end or max(today, start)
    if end < start:
        raise ValidationFailed.field("end_date", "Must not be before start_date")
    buckets = _buckets(start, end, interval, zone)
    counters: dict[str, Any] = {"events_hosted": _hosted}
    counters.update(
        {name: hooks.activity_counters.get(name) for name in hooks.ActivityCounters.NAMES}
    )
    out = []
    for name, counter in counters.items():
        out.append(
            await _activity(session, name, counter, chosen, buckets, interval, group_by_event)
        )
    return {
        "start_date": start,
        "end_date": end,
        "timezone": org.timezone,
        "interval": interval,
        "events": [{"id": e.public_id, "name": e.name} for e in chosen],
        "activities": out,
    }


async def _activity(
    session: AsyncSession,
    name: str,
    counter: Any,
    chosen: list[Event],
    buckets: list[Bucket],
    interval: str | None,
    group_by_event: bool,
) -> dict[str, Any]:
    if counter is None:
        return {"name": name, "value": None, "series": None, "by_event": None}
    ids = [e.id for e in chosen]
    per_bucket = [await counter(session, ids, b.lo, b.hi) if ids else {} for b in buckets]

    def series(event_ids: list[int]) -> list[dict[str, Any]]:
        return [
            {
                "start": b.start,
                "end": b.end - timedelta(days=1),
                "value": sum(c.get(i, 0) for i in event_ids),
            }
            for b, c in zip(buckets, per_bucket, strict=True)
        ]

    def total(event_ids: list[int]) -> int:
        return sum(c.get(i, 0) for c in per_bucket for i in event_ids)

    return {
        "name": name,
        "value": total(ids),
        "series": series(ids) if interval else None,
        "by_event": (
            [
                {
                    "event_id": e.public_id,
                    "value": total([e.id]),
                    "series": series([e.id]) if interval else None,
                }
                for e in chosen
            ]
            if group_by_event
            else None
        ),
    }
