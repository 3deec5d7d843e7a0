"""Creating, changing, duplicating and deleting events — the rules on an event's own fields.

- Time zone and currency default to the organisation's; the country to the venue's, else the
  organisation's.
- Event type and configuration must agree: a venue event has no online configuration, an
  online event no venue (hybrid has both). What is merely missing (a venue not chosen yet) is
  fine for a draft and refused when publishing (`lifecycle.check_complete`), and stays required
  once published.
- At most one banner is primary (the first one is, if none says so); resources keep their ids
  and are ordered by `order`; a video resource is a URL, an image one a URL or an upload key.
- A new rule or time zone re-derives future occurrences (`occurrences.sync`). Rule times are
  wall-clock times, so moving an event to another zone keeps 20:00 at 20:00 local.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.errors import ValidationFailed
from livehouse.events import lifecycle, occurrences, recurrence
from livehouse.events.models import Event, EventSession, Occurrence
from livehouse.events.schemas import (
    Banner,
    EventCreate,
    EventUpdate,
    NameValue,
    OccurrenceRule,
    Online,
    Resource,
    Tax,
    TrackingCode,
    Venue,
    _http_url,
    _media_ref,
)
from livehouse.identity.auth import Principal
from livehouse.orgs.models import Organisation

REQUIRED = ("name", "event_type", "timezone", "currency", "terminology", "listed", "occurrence")
# Columns a duplicate copies (status, history and engagement stay with the original).
COPIED = (
    "name",
    "sort_name",
    "display_name",
    "description",
    "event_type",
    "category",
    "tags",
    "timezone",
    "currency",
    "country",
    "tax_code",
    "tax_rate_bp",
    "terminology",
    "capacity",
    "listed",
    "banners",
    "resources",
    "links",
    "custom_attributes",
    "tracking_codes",
    "venue",
    "venue_name",
    "venue_city",
    "venue_state",
    "venue_country",
    "online",
    "occurrence_rule",
    "starts_at",  # re-derived by occurrences.sync
    "ends_at",
)


def _banners(banners: list[Banner]) -> list[dict[str, Any]]:
    primaries = [i for i, b in enumerate(banners) if b.primary]
    if len(primaries) > 1:
        raise ValidationFailed.field("banners", "Only one banner can be primary")
    first = primaries[0] if primaries else 0
    return [
        {"name": b.name, "image": b.image, "primary": i == first} for i, b in enumerate(banners)
    ]


def _resources(resources: list[Resource]) -> list[dict[str, Any]]:
    out = []
    for i, resource in enumerate(resources):
        try:
            if resource.type == "video":
                _http_url(resource.content)
            elif resource.type == "image":
                _media_ref(resource.content)
        except ValueError as exc:
            raise ValidationFailed.field(f"resources.{i}.content", str(exc)) from exc
        out.append(
            {
                "id": str(resource.id or uuid.uuid4()),
                "order": resource.order,
                "type": resource.type,
                "content": resource.content,
            }
        )
    ids = [r["id"] for r in out]
    if len(set(ids)) != len(ids):
        raise ValidationFailed.field("resources", "Each resource id may appear once")
    return sorted(out, key=lambda r: r["order"])


def _custom_attributes(items: list[NameValue]) -> list[dict[str, str]]:
    names = [item.name.casefold() for item in items]
    if len(set(names)) != len(names):
        raise ValidationFailed.field("custom_attributes", "Each name may appear once")
    return [{"name": item.name, "value": item.value} for item in items]


def _tags(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tag.casefold() for tag in tags))


def _set_venue(event: Event, venue: Venue | None) -> None:
    if venue is None:
        event.venue = None
        event.venue_name = event.venue_city = event.venue_state = event.venue_country = None
        return
    event.venue = venue.model_dump(mode="json", exclude_none=True)
    event.venue_name = venue.name
    event.venue_city = venue.address.city
    event.venue_state = venue.address.state
    event.venue_country = venue.address.country


def _apply(event: Event, payload: EventCreate | EventUpdate, fields: set[str]) -> bool:
    """Copy the sent `fields` of `payload` onto `event`; True when occurrences need deriving."""
    for name in REQUIRED:
        if name in fields and getattr(payload, name) is None:
            raise ValidationFailed.field(name, "Cannot be empty")
    simple = ("display_name", "description", "event_type", "category", "timezone", "currency")
    for name in (*simple, "terminology", "capacity", "listed", "country"):
        if name in fields:
            setattr(event, name, getattr(payload, name))
    if "name" in fields:
        event.name = payload.name  # type: ignore[assignment]
        event.sort_name = event.name.casefold()[:200]
    if "tags" in fields:
        event.tags = _tags(payload.tags or [])
    if "tax" in fields:
        tax: Tax | None = payload.tax
        event.tax_code = tax.code if tax else None
        event.tax_rate_bp = tax.rate_basis_points if tax else None
    if "banners" in fields:
        event.banners = _banners(payload.banners or [])
    if "resources" in fields:
        event.resources = _resources(payload.resources or [])
    if "links" in fields:
        event.links = [link.model_dump() for link in payload.links or []]
    if "custom_attributes" in fields:
        event.custom_attributes = _custom_attributes(payload.custom_attributes or [])
    if "tracking_codes" in fields:
        codes: list[TrackingCode] = payload.tracking_codes or []
        event.tracking_codes = [code.model_dump() for code in codes]
    if "venue" in fields:
        _set_venue(event, payload.venue)
        if "country" not in fields and payload.venue is not None:
            event.country = payload.venue.address.country
    if "online" in fields:
        online: Online | None = payload.online
        event.online = online.model_dump(mode="json", exclude_none=True) if online else None
    rule: OccurrenceRule | None = payload.occurrence if "occurrence" in fields else None
    if rule is not None:
        event.occurrence_rule = recurrence.normalise(rule, event.timezone)
    return rule is not None or "timezone" in fields


def _check_configuration(event: Event) -> None:
    if event.event_type == "venue" and event.online:
        raise ValidationFailed.field(
            "online", "A venue event has no online configuration; make it a hybrid event"
        )
    if event.event_type == "online" and event.venue:
        raise ValidationFailed.field("venue", "An online event has no venue; make it hybrid")
    if event.publishing == "published":
        lifecycle.check_complete(event)


async def create(
    session: AsyncSession, org: Organisation, principal: Principal, payload: EventCreate
) -> Event:
    event = Event(
        org_id=org.id,
        created_by_account_id=principal.account_id,
        timezone=payload.timezone or org.timezone,
        currency=payload.currency or org.currency,
        country=org.country,
        publishing="draft",
    )
    # Unset optional fields keep the defaults above (the organisation's zone, currency, country).
    fields = {name for name in EventCreate.model_fields if getattr(payload, name) is not None}
    _apply(event, payload, fields)
    _check_configuration(event)
    slots = occurrences.slots_of(event)
    occurrences.set_span(event, slots)
    session.add(event)
    await session.flush()
    await occurrences.sync(session, event, slots)
    return event


async def update(session: AsyncSession, event: Event, payload: EventUpdate) -> Event:
    lifecycle.ensure_editable(event)
    fields = set(payload.model_fields_set)
    if _apply(event, payload, fields):
        await occurrences.sync(session, event)
    _check_configuration(event)
    await session.flush()
    return event


async def duplicate(
    session: AsyncSession, event: Event, principal: Principal, name: str | None
) -> Event:
    """A draft copy with the same details, rule and sessions (of occurrences still to come)."""
    twin = Event(
        org_id=event.org_id,
        created_by_account_id=principal.account_id,
        duplicated_from_id=event.id,
        publishing="draft",
        **{column: copy.deepcopy(getattr(event, column)) for column in COPIED},
    )
    for resource in twin.resources:
        resource["id"] = str(uuid.uuid4())
    if name is not None:
        twin.name, twin.sort_name = name, name.casefold()[:200]
    else:
        twin.name = f"{event.name} (copy)"[:200]
        twin.sort_name = twin.name.casefold()
    session.add(twin)
    await session.flush()
    await occurrences.sync(session, twin)
    await _copy_sessions(session, event, twin)
    return twin


async def _copy_sessions(session: AsyncSession, source: Event, twin: Event) -> None:
    targets = {
        o.starts_at: o.id
        for o in await session.scalars(select(Occurrence).where(Occurrence.event_id == twin.id))
    }
    rows = await session.execute(
        select(EventSession, Occurrence.starts_at)
        .join(Occurrence, Occurrence.id == EventSession.occurrence_id)
        .where(EventSession.event_id == source.id)
    )
    for item, occurrence_start in rows:
        if occurrence_start in targets:
            session.add(
                EventSession(
                    event_id=twin.id,
                    occurrence_id=targets[occurrence_start],
                    name=item.name,
                    description=item.description,
                    image=item.image,
                    starts_at=item.starts_at,
                    ends_at=item.ends_at,
                    sold_individually=item.sold_individually,
                )
            )
    await session.flush()


async def delete(session: AsyncSession, event: Event) -> None:
    lifecycle.ensure_deletable(event)
    await session.delete(event)
    await session.flush()
