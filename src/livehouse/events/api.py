"""Events' native routes: managing events, their lifecycle, the public catalogue, occurrences.
Sessions and speakers are in api_people.py, saves/shares/reviews/metrics in api_engagement.py
(both included here)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from livehouse.core.deps import DbSession
from livehouse.core.money import Currency
from livehouse.core.pagination import Page, PageParams, page_params
from livehouse.core.validators import CountryCode
from livehouse.events import (
    access,
    api_engagement,
    api_people,
    lifecycle,
    listing,
    occurrences,
    service,
    views,
)
from livehouse.events.engagement import accounts_by_id
from livehouse.events.engagement_schemas import InterestedPerson, Person
from livehouse.events.schemas import (
    DuplicateIn,
    EventCreate,
    EventOut,
    EventType,
    EventUpdate,
    Mine,
    OccurrenceOut,
    Order,
    ReasonIn,
    Status,
    TimeFilter,
)
from livehouse.identity.auth import Authenticated, MaybeAuthenticated
from livehouse.orgs import service as orgs

router = APIRouter(tags=["events"])
Pages = Annotated[PageParams, Depends(page_params)]


async def common_filters(
    status: Annotated[Status | None, Query()] = None,
    event_type: Annotated[EventType | None, Query()] = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    country: Annotated[CountryCode | None, Query(description="The event's country")] = None,
    time_filter: Annotated[
        TimeFilter | None, Query(description="Evaluated in each event's own time zone")
    ] = None,
    q: Annotated[str | None, Query(max_length=200, description="Search text")] = None,
    venue_city: Annotated[str | None, Query(max_length=100)] = None,
    venue_state: Annotated[str | None, Query(max_length=100)] = None,
    venue_country: Annotated[CountryCode | None, Query()] = None,
    currency: Annotated[Currency | None, Query()] = None,
    order_by: Annotated[Order, Query()] = "starting",
) -> listing.Filters:
    return listing.Filters(
        status=status,
        event_type=event_type,
        category=category,
        country=country,
        time_filter=time_filter,
        q=q,
        venue_city=venue_city,
        venue_state=venue_state,
        venue_country=venue_country,
        currency=currency,
        order_by=order_by,
    )


async def public_filters(
    filters: Annotated[listing.Filters, Depends(common_filters)],
    org_id: Annotated[list[uuid.UUID] | None, Query(description="Organisations (repeat)")] = None,
    my: Annotated[Mine | None, Query(description="Only events I organise/speak at/attend")] = None,
) -> listing.Filters:
    filters.org_ids = org_id or []
    filters.my = my
    return filters


# ---- managing --------------------------------------------------------------------------------


@router.post(
    "/v1/orgs/{org_id}/events",
    status_code=201,
    response_model=EventOut,
    summary="Create an event (a draft)",
)
async def create_event(
    org_id: uuid.UUID, payload: EventCreate, db: DbSession, principal: Authenticated
) -> EventOut:
    org = await orgs.authorized_org(db, principal, org_id, "event.write")
    event = await service.create(db, org, principal, payload)
    return await views.present_one(db, event, private=True)


@router.get(
    "/v1/orgs/{org_id}/events",
    response_model=Page[EventOut],
    summary="An organisation's events, drafts included",
)
async def list_org_events(
    org_id: uuid.UUID,
    db: DbSession,
    principal: Authenticated,
    filters: Annotated[listing.Filters, Depends(common_filters)],
    page: Pages,
) -> Page[EventOut]:
    org = await orgs.authorized_org(db, principal, org_id, "event.read")
    events, cursor = await listing.search(db, principal, filters, page, org_id=org.id)
    return Page(items=await views.present(db, events, {org.id}), next_cursor=cursor)


@router.patch("/v1/events/{event_id}", response_model=EventOut, summary="Change an event")
async def update_event(
    event_id: uuid.UUID, payload: EventUpdate, db: DbSession, principal: Authenticated
) -> EventOut:
    event = await access.managed_event(db, principal, event_id, "event.write")
    await service.update(db, event, payload)
    return await views.present_one(db, event, private=True)


@router.delete("/v1/events/{event_id}", status_code=204, summary="Delete a draft event")
async def delete_event(event_id: uuid.UUID, db: DbSession, principal: Authenticated) -> Response:
    event = await access.managed_event(db, principal, event_id, "event.delete")
    await service.delete(db, event)
    return Response(status_code=204)


@router.post(
    "/v1/events/{event_id}/duplicate",
    status_code=201,
    response_model=EventOut,
    summary="Copy an event into a new draft",
)
async def duplicate_event(
    event_id: uuid.UUID, db: DbSession, principal: Authenticated, payload: DuplicateIn | None = None
) -> EventOut:
    event = await access.managed_event(db, principal, event_id, "event.write")
    twin = await service.duplicate(db, event, principal, payload.name if payload else None)
    return await views.present_one(db, twin, private=True)


# ---- lifecycle -------------------------------------------------------------------------------


async def _transition(
    db: DbSession, principal: Authenticated, event_id: uuid.UUID, scope: str, action: str
) -> EventOut:
    event = await access.managed_event(db, principal, event_id, scope)
    await getattr(lifecycle, action)(db, event)
    await db.flush()
    return await views.present_one(db, event, private=True)


@router.post("/v1/events/{event_id}/publish", response_model=EventOut, summary="Publish")
async def publish_event(event_id: uuid.UUID, db: DbSession, principal: Authenticated) -> EventOut:
    return await _transition(db, principal, event_id, "event.publish", "publish")


@router.post("/v1/events/{event_id}/unpublish", response_model=EventOut, summary="Unpublish")
async def unpublish_event(event_id: uuid.UUID, db: DbSession, principal: Authenticated) -> EventOut:
    return await _transition(db, principal, event_id, "event.publish", "unpublish")


@router.post("/v1/events/{event_id}/live", response_model=EventOut, summary="Go live")
async def start_live(event_id: uuid.UUID, db: DbSession, principal: Authenticated) -> EventOut:
    return await _transition(db, principal, event_id, "event.publish", "start_live")


@router.delete("/v1/events/{event_id}/live", response_model=EventOut, summary="Stop the live show")
async def stop_live(event_id: uuid.UUID, db: DbSession, principal: Authenticated) -> EventOut:
    return await _transition(db, principal, event_id, "event.publish", "stop_live")


@router.post("/v1/events/{event_id}/end", response_model=EventOut, summary="End an event early")
async def end_event(event_id: uuid.UUID, db: DbSession, principal: Authenticated) -> EventOut:
    return await _transition(db, principal, event_id, "event.publish", "end")


@router.post(
    "/v1/events/{event_id}/cancel",
    response_model=EventOut,
    summary="Cancel a published event (people are told; ticketing refunds)",
)
async def cancel_event(
    event_id: uuid.UUID, db: DbSession, principal: Authenticated, payload: ReasonIn | None = None
) -> EventOut:
    event = await access.managed_event(db, principal, event_id, "event.cancel")
    lifecycle.cancel(db, event, payload.reason if payload else None)
    await db.flush()
    return await views.present_one(db, event, private=True)


@router.post(
    "/v1/events/{event_id}/suspend",
    response_model=EventOut,
    summary="Suspend an event (platform administrators)",
)
async def suspend_event(
    event_id: uuid.UUID, db: DbSession, principal: Authenticated, payload: ReasonIn | None = None
) -> EventOut:
    event = await lifecycle.suspend(db, principal, event_id, payload.reason if payload else None)
    await db.flush()
    return await views.present_one(db, event, private=True)


@router.post(
    "/v1/events/{event_id}/unsuspend",
    response_model=EventOut,
    summary="Lift a suspension (platform administrators)",
)
async def unsuspend_event(event_id: uuid.UUID, db: DbSession, principal: Authenticated) -> EventOut:
    event = await lifecycle.unsuspend(db, principal, event_id)
    await db.flush()
    return await views.present_one(db, event, private=True)


# ---- reading ---------------------------------------------------------------------------------


@router.get("/v1/events", response_model=Page[EventOut], summary="Find events")
async def list_events(
    db: DbSession,
    principal: MaybeAuthenticated,
    filters: Annotated[listing.Filters, Depends(public_filters)],
    page: Pages,
) -> Page[EventOut]:
    events, cursor = await listing.search(db, principal, filters, page)
    readable = await access.readable_org_ids(db, principal)
    return Page(items=await views.present(db, events, readable), next_cursor=cursor)


@router.get("/v1/events/{event_id}", response_model=EventOut, summary="An event")
async def read_event(event_id: uuid.UUID, db: DbSession, principal: MaybeAuthenticated) -> EventOut:
    event, private = await access.readable_event(db, principal, event_id)
    return await views.present_one(db, event, private)


@router.get(
    "/v1/events/{event_id}/occurrences",
    response_model=Page[OccurrenceOut],
    summary="When an event takes place (stored occurrences, in order)",
)
async def list_occurrences(
    event_id: uuid.UUID,
    db: DbSession,
    principal: MaybeAuthenticated,
    page: Pages,
    starts_from: Annotated[
        datetime | None, Query(description="Without an offset: the event's local time")
    ] = None,
    starts_before: Annotated[datetime | None, Query()] = None,
) -> Page[OccurrenceOut]:
    event, _ = await access.readable_event(db, principal, event_id)
    rows, cursor = await occurrences.list_page(db, event, page, starts_from, starts_before)
    return Page(items=[OccurrenceOut.of(o, event.timezone) for o in rows], next_cursor=cursor)


@router.get(
    "/v1/events/{event_id}/related",
    response_model=list[EventOut],
    summary="Upcoming events sharing the organisation, category or city (best first)",
)
async def related_events(
    event_id: uuid.UUID,
    db: DbSession,
    principal: MaybeAuthenticated,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[EventOut]:
    event, _ = await access.readable_event(db, principal, event_id)
    return await views.present(db, await listing.related(db, event, limit), set())


@router.get(
    "/v1/events/{event_id}/suggestions",
    response_model=list[InterestedPerson],
    summary="People who might be interested (engaged with the organisation's other events)",
)
async def suggested_people(
    event_id: uuid.UUID,
    db: DbSession,
    principal: Authenticated,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[InterestedPerson]:
    event = await access.managed_event(db, principal, event_id, "event.read", lock=False)
    ranked = await listing.interested_people(db, event, limit)
    people = await accounts_by_id(db, {account_id for account_id, _ in ranked})
    return [
        InterestedPerson(account=Person(**people[account_id]), score=score)
        for account_id, score in ranked
        if account_id in people
    ]


router.include_router(api_people.router)
router.include_router(api_engagement.router)
