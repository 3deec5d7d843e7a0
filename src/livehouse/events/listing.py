"""Finding events: the filtered, ordered, paginated list; time filters; related events;
suggestions.

Visibility: the public list holds published, listed, unsuspended events. `my=organised` adds
every event (drafts too) of the organisations where the caller holds `event.read`;
`my=speaking` the published events the caller speaks at; `my=attending` the ones ticketing's
`hooks.attending_events` names (none until ticketing registers). An organisation's own list
(`/v1/orgs/{id}/events`) holds all of its events.

Time filters are evaluated in each event's own zone: "today" for a Sydney event is the Sydney
calendar day. An event matches when one of its occurrences overlaps the period. Weeks run
Monday-Sunday (ISO 8601); the weekend is Saturday and Sunday of that week.

Search text: every word must appear (case-insensitive) in the name, display name, description,
category, venue name or city. Plain LIKE, so it behaves the same on SQLite and PostgreSQL
(SQLite folds case for ASCII letters only).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.errors import Unauthorized, ValidationFailed
from livehouse.core.pagination import OrderKey, PageParams, paginate
from livehouse.events import access, hooks, lifecycle
from livehouse.events.models import Event, Occurrence, Review, Save, Share, Speaker
from livehouse.events.recurrence import to_utc
from livehouse.identity.auth import Principal
from livehouse.orgs import service as orgs

ORDERS: dict[str, list[OrderKey]] = {
    "created_asc": [OrderKey(Event.created_at), OrderKey(Event.id)],
    "created_desc": [OrderKey(Event.created_at, True), OrderKey(Event.id, True)],
    "starting": [OrderKey(Event.starts_at), OrderKey(Event.id)],
    "name_asc": [OrderKey(Event.sort_name), OrderKey(Event.id)],
    "name_desc": [OrderKey(Event.sort_name, True), OrderKey(Event.id, True)],
}


@dataclass
class Filters:
    status: str | None = None
    event_type: str | None = None
    category: str | None = None
    country: str | None = None
    time_filter: str | None = None
    q: str | None = None
    venue_city: str | None = None
    venue_state: str | None = None
    venue_country: str | None = None
    org_ids: list[uuid.UUID] = field(default_factory=list)
    currency: str | None = None
    my: str | None = None
    order_by: str = "starting"


def period(name: str, zone: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    """The UTC bounds [start, end) of a named calendar period, as seen in `zone` at `now`."""
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    month = today.replace(day=1)
    year = today.replace(month=1, day=1)
    day = timedelta(days=1)
    bounds: dict[str, tuple[date, date]] = {
        "today": (today, today + day),
        "tomorrow": (today + day, today + 2 * day),
        "this_week": (monday, monday + 7 * day),
        "this_weekend": (monday + 5 * day, monday + 7 * day),
        "next_week": (monday + 7 * day, monday + 14 * day),
        "next_weekend": (monday + 12 * day, monday + 14 * day),
        "this_month": (month, month + relativedelta(months=1)),
        "next_month": (month + relativedelta(months=1), month + relativedelta(months=2)),
        "this_year": (year, year + relativedelta(years=1)),
        "next_year": (year + relativedelta(years=1), year + relativedelta(years=2)),
    }
    start, end = bounds[name]
    return to_utc(datetime.combine(start, time()), zone), to_utc(
        datetime.combine(end, time()), zone
    )


async def _in_period(session: AsyncSession, name: str, now: datetime) -> ColumnElement[bool]:
    zones = (await session.scalars(select(Event.timezone).distinct())).all()
    clauses = []
    for zone in zones:
        start, end = period(name, ZoneInfo(zone), now)
        overlapping = (
            select(Occurrence.id)
            .where(
                Occurrence.event_id == Event.id,
                Occurrence.starts_at < end,
                Occurrence.ends_at > start,
            )
            .exists()
        )
        clauses.append(and_(Event.timezone == zone, overlapping))
    return or_(*clauses) if clauses else false()


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _text(q: str) -> ColumnElement[bool]:
    columns = (
        Event.name,
        Event.display_name,
        Event.description,
        Event.category,
        Event.venue_name,
        Event.venue_city,
    )
    words = q.split()[:10]
    return and_(
        *[or_(*[column.ilike(_like(word), escape="\\") for column in columns]) for word in words]
    )


async def _mine(session: AsyncSession, principal: Principal | None, my: str) -> ColumnElement[bool]:
    if principal is None:
        raise Unauthorized("Sign in to filter by your own events")
    parts: list[ColumnElement[bool]] = []
    shown = and_(Event.publishing == "published", Event.suspended_at.is_(None))
    if my in ("organised", "all"):
        parts.append(Event.org_id.in_(await access.readable_org_ids(session, principal)))
    if my in ("speaking", "attending", "all") and principal.account_id is None:
        raise ValidationFailed.field("my", f"'{my}' needs a person's token, not an app's")
    if my in ("speaking", "all"):
        speaking = select(Speaker.event_id).where(
            Speaker.account_id == principal.account_id, Speaker.status == "accepted"
        )
        parts.append(and_(shown, Event.id.in_(speaking)))
    if my in ("attending", "all"):
        attending: set[int] = set()
        for provider in hooks.attending_events:
            attending |= await provider(session, principal.account_id)  # type: ignore[arg-type]
        parts.append(and_(shown, Event.id.in_(attending)) if attending else false())
    return or_(*parts)


async def _filtered(
    session: AsyncSession, statement: Select[Any], filters: Filters, now: datetime
) -> Select[Any]:
    if filters.status:
        statement = statement.where(lifecycle.status_condition(filters.status, now))
    for name in ("event_type", "category", "country", "venue_country", "currency"):
        value = getattr(filters, name)
        if value:
            statement = statement.where(getattr(Event, name) == value)
    for name in ("venue_city", "venue_state"):
        value = getattr(filters, name)
        if value:
            statement = statement.where(func.lower(getattr(Event, name)) == value.strip().lower())
    if filters.org_ids:
        ids = [await orgs.org_internal_id(session, org_id) for org_id in filters.org_ids]
        statement = statement.where(Event.org_id.in_([i for i in ids if i is not None]))
    if filters.q and filters.q.split():
        statement = statement.where(_text(filters.q))
    if filters.time_filter:
        statement = statement.where(await _in_period(session, filters.time_filter, now))
    return statement


async def search(
    session: AsyncSession,
    principal: Principal | None,
    filters: Filters,
    page: PageParams,
    *,
    org_id: int | None = None,
) -> tuple[list[Event], str | None]:
    """A page of events. With `org_id`, that organisation's whole list (the caller was
    authorised for it); otherwise what the caller may see (see module doc)."""
    now = clock.now()
    statement = select(Event)
    if org_id is not None:
        statement = statement.where(Event.org_id == org_id)
    elif filters.my:
        statement = statement.where(await _mine(session, principal, filters.my))
    else:
        statement = statement.where(lifecycle.publicly_listed())
    statement = await _filtered(session, statement, filters, now)
    return await paginate(session, statement, ORDERS[filters.order_by], page)


def _upcoming_public(now: datetime) -> list[ColumnElement[bool]]:
    return [
        lifecycle.publicly_listed(),
        Event.cancelled_at.is_(None),
        Event.ended_at.is_(None),
        Event.ends_at > now,
    ]


def _likeness(events: list[Event]) -> list[ColumnElement[bool]]:
    """Conditions "shares the organisation, category or city with one of `events`"."""
    clauses: list[ColumnElement[bool]] = [Event.org_id.in_(sorted({e.org_id for e in events}))]
    categories = {e.category for e in events if e.category}
    if categories:
        clauses.append(Event.category.in_(sorted(categories)))
    cities = {e.venue_city.lower() for e in events if e.venue_city}
    if cities:
        clauses.append(func.lower(Event.venue_city).in_(sorted(cities)))
    return clauses


async def _ranked(
    session: AsyncSession, like: list[Event], exclude: set[int], limit: int
) -> list[Event]:
    clauses = _likeness(like)
    score: Any = case((clauses[0], 1), else_=0)
    for clause in clauses[1:]:
        score = score + case((clause, 1), else_=0)
    statement = (
        select(Event)
        .where(*_upcoming_public(clock.now()), or_(*clauses), Event.id.not_in(exclude))
        .order_by(score.desc(), Event.starts_at, Event.id)
        .limit(limit)
    )
    return list((await session.scalars(statement)).all())


async def related(session: AsyncSession, event: Event, limit: int) -> list[Event]:
    """Upcoming public events sharing the organisation, category or city with `event` — the
    more they share, the earlier; then the soonest."""
    return await _ranked(session, [event], {event.id}, limit)


async def suggested_for(session: AsyncSession, account_id: int, limit: int) -> list[Event]:
    """Upcoming public events like the ones this account saved, shared or reviewed."""
    engaged_ids: set[int] = set()
    for model in (Save, Share, Review):
        engaged_ids |= set(
            await session.scalars(select(model.event_id).where(model.account_id == account_id))
        )
    if not engaged_ids:
        return []
    engaged = list((await session.scalars(select(Event).where(Event.id.in_(engaged_ids)))).all())
    return await _ranked(session, engaged, engaged_ids, limit)


async def interested_people(
    session: AsyncSession, event: Event, limit: int
) -> list[tuple[int, int]]:
    """(account id, score) of people who might care about `event`: those who saved, shared or
    reviewed the organisation's other events (more engagement ranks higher), and have not yet
    engaged with this one. Only the organisation's own audience: nothing from other tenants."""
    siblings = select(Event.id).where(Event.org_id == event.org_id, Event.id != event.id)
    engaged = [
        select(model.account_id.label("account_id")).where(model.event_id.in_(siblings))
        for model in (Save, Share, Review)
    ]
    already = [
        select(model.account_id).where(model.event_id == event.id)
        for model in (Save, Share, Review)
    ]
    pool = engaged[0].union_all(*engaged[1:]).subquery()
    statement = (
        select(pool.c.account_id, func.count().label("score"))
        .where(pool.c.account_id.not_in(already[0].union(*already[1:])))
        .group_by(pool.c.account_id)
        .order_by(func.count().desc(), pool.c.account_id)
        .limit(limit)
    )
    return [(row.account_id, row.score) for row in await session.execute(statement)]
