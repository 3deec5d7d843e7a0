"""Routes of saves, shares and reviews, and of organisation metrics and activities."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from livehouse.core.deps import DbSession
from livehouse.core.pagination import Page, PageParams, page_params
from livehouse.events import access, engagement, insights, listing, views
from livehouse.events.engagement_schemas import (
    ActivitiesOut,
    MySaveOut,
    OrgMetricsOut,
    Person,
    ReviewCreate,
    ReviewOut,
    ReviewUpdate,
    SaveOut,
    SaverOut,
    ShareCreate,
    ShareOut,
)
from livehouse.events.schemas import EventOut
from livehouse.identity.auth import Authenticated, MaybeAuthenticated, Principal, user_scoped
from livehouse.orgs import service as orgs

router = APIRouter()
Pages = Annotated[PageParams, Depends(page_params)]
Engaged = Annotated[Principal, Depends(user_scoped("event.engage"))]
Me = Annotated[Principal, Depends(user_scoped("me.read"))]


def _account(principal: Principal) -> int:
    assert principal.account_id is not None  # user_scoped guarantees a person
    return principal.account_id


# ---- saves -----------------------------------------------------------------------------------


@router.post(
    "/v1/events/{event_id}/saves",
    tags=["saves"],
    response_model=SaveOut,
    status_code=201,
    summary="Save an event (saving it again returns the same save, 200)",
)
async def save_event(
    event_id: uuid.UUID, db: DbSession, principal: Engaged, response: Response
) -> SaveOut:
    event, _ = await access.readable_event(db, principal, event_id)
    save, created = await engagement.save(db, _account(principal), event)
    if not created:
        response.status_code = 200
    return SaveOut.of(save, event.public_id)


@router.delete(
    "/v1/events/{event_id}/saves/{save_id}", tags=["saves"], status_code=204, summary="Unsave"
)
async def unsave_event(
    event_id: uuid.UUID, save_id: uuid.UUID, db: DbSession, principal: Engaged
) -> Response:
    event = await access.get_event(db, event_id)
    await engagement.unsave(db, _account(principal), event, save_id)
    return Response(status_code=204)


@router.get(
    "/v1/events/{event_id}/saves",
    tags=["saves"],
    response_model=Page[SaverOut],
    summary="Who saved an event (organisers)",
)
async def list_saves(
    event_id: uuid.UUID, db: DbSession, principal: Authenticated, page: Pages
) -> Page[SaverOut]:
    event = await access.managed_event(db, principal, event_id, "event.read", lock=False)
    rows, cursor = await engagement.saves_page(db, event, page)
    return Page(
        items=[
            SaverOut(id=s.public_id, account=Person(**a), created_at=s.created_at) for s, a in rows
        ],
        next_cursor=cursor,
    )


@router.get("/v1/me/saves", tags=["saves"], response_model=Page[MySaveOut], summary="My saves")
async def my_saves(db: DbSession, principal: Me, page: Pages) -> Page[MySaveOut]:
    rows, cursor = await engagement.my_saves_page(db, _account(principal), page)
    shown = await views.present(db, [event for _, event in rows], set())
    return Page(
        items=[
            MySaveOut(id=save.public_id, created_at=save.created_at, event=out)
            for (save, _), out in zip(rows, shown, strict=True)
        ],
        next_cursor=cursor,
    )


@router.get(
    "/v1/me/event-suggestions",
    tags=["events"],
    response_model=list[EventOut],
    summary="Upcoming events like the ones I saved, shared or reviewed",
)
async def my_event_suggestions(
    db: DbSession, principal: Me, limit: Annotated[int, Query(ge=1, le=50)] = 10
) -> list[EventOut]:
    events = await listing.suggested_for(db, _account(principal), limit)
    return await views.present(db, events, set())


# ---- shares ----------------------------------------------------------------------------------


@router.post(
    "/v1/events/{event_id}/shares",
    tags=["shares"],
    response_model=ShareOut,
    status_code=201,
    summary="Record that I shared an event",
)
async def share_event(
    event_id: uuid.UUID, db: DbSession, principal: Engaged, payload: ShareCreate | None = None
) -> ShareOut:
    event, _ = await access.readable_event(db, principal, event_id)
    channel = payload.channel if payload else "link"
    return ShareOut.of(
        await engagement.share(db, _account(principal), event, channel), event.public_id
    )


@router.delete(
    "/v1/events/{event_id}/shares/{share_id}",
    tags=["shares"],
    status_code=204,
    summary="Remove my share record",
)
async def unshare_event(
    event_id: uuid.UUID, share_id: uuid.UUID, db: DbSession, principal: Engaged
) -> Response:
    event = await access.get_event(db, event_id)
    await engagement.unshare(db, _account(principal), event, share_id)
    return Response(status_code=204)


@router.get(
    "/v1/events/{event_id}/shares",
    tags=["shares"],
    response_model=Page[ShareOut],
    summary="Who shared an event, and where (organisers)",
)
async def list_shares(
    event_id: uuid.UUID, db: DbSession, principal: Authenticated, page: Pages
) -> Page[ShareOut]:
    event = await access.managed_event(db, principal, event_id, "event.read", lock=False)
    rows, cursor = await engagement.shares_page(db, event, page)
    return Page(items=[ShareOut.of(s, event.public_id, a) for s, a in rows], next_cursor=cursor)


# ---- reviews ---------------------------------------------------------------------------------


@router.get(
    "/v1/events/{event_id}/reviews",
    tags=["reviews"],
    response_model=Page[ReviewOut],
    summary="An event's reviews, newest first",
)
async def list_reviews(
    event_id: uuid.UUID,
    db: DbSession,
    principal: MaybeAuthenticated,
    page: Pages,
    rating: Annotated[int | None, Query(ge=1, le=5)] = None,
) -> Page[ReviewOut]:
    event, insider = await access.readable_event(db, principal, event_id)
    rows, cursor = await engagement.reviews_page(db, event, page, rating, insider=insider)
    return Page(items=[ReviewOut.of(r, event.public_id, a) for r, a in rows], next_cursor=cursor)


@router.post(
    "/v1/events/{event_id}/reviews",
    tags=["reviews"],
    response_model=ReviewOut,
    status_code=201,
    summary="Review an event (attendees, once it has started; one review each)",
)
async def review_event(
    event_id: uuid.UUID, payload: ReviewCreate, db: DbSession, principal: Engaged
) -> ReviewOut:
    event, _ = await access.readable_event(db, principal, event_id)
    review = await engagement.review(db, principal, event, payload.rating, payload.text)
    await db.flush()
    people = await engagement.accounts_by_id(db, {review.account_id})
    return ReviewOut.of(review, event.public_id, people[review.account_id])


@router.patch(
    "/v1/events/{event_id}/reviews/{review_id}",
    tags=["reviews"],
    response_model=ReviewOut,
    summary="Change my review",
)
async def update_review(
    event_id: uuid.UUID,
    review_id: uuid.UUID,
    payload: ReviewUpdate,
    db: DbSession,
    principal: Engaged,
) -> ReviewOut:
    event = await access.get_event(db, event_id)
    review = await engagement.own_review(db, _account(principal), event, review_id)
    await engagement.change_review(review, payload.model_dump(exclude_unset=True))
    await db.flush()
    people = await engagement.accounts_by_id(db, {review.account_id})
    return ReviewOut.of(review, event.public_id, people[review.account_id])


@router.delete(
    "/v1/events/{event_id}/reviews/{review_id}",
    tags=["reviews"],
    status_code=204,
    summary="Delete my review",
)
async def delete_review(
    event_id: uuid.UUID, review_id: uuid.UUID, db: DbSession, principal: Engaged
) -> Response:
    event = await access.get_event(db, event_id)
    await db.delete(await engagement.own_review(db, _account(principal), event, review_id))
    return Response(status_code=204)


# ---- organisation metrics and activities -----------------------------------------------------


@router.get(
    "/v1/orgs/{org_id}/metrics",
    tags=["organisations"],
    response_model=OrgMetricsOut,
    summary="An organisation's public metrics (reviews; followers once profiles adds them)",
)
async def org_metrics(
    org_id: uuid.UUID, db: DbSession, principal: MaybeAuthenticated
) -> OrgMetricsOut:
    org = await orgs.get_org(db, org_id)
    metrics = await insights.org_metrics(db, org.id, principal)
    return OrgMetricsOut(org_id=org.public_id, metrics=metrics)


@router.get(
    "/v1/orgs/{org_id}/activities",
    tags=["organisations"],
    response_model=ActivitiesOut,
    summary="Events hosted (and, with ticketing, tickets sold and revenue) over time",
)
async def org_activities(
    org_id: uuid.UUID,
    db: DbSession,
    principal: Authenticated,
    events: Annotated[
        list[uuid.UUID] | None, Query(description="Default: the 5 most recently published")
    ] = None,
    start_date: Annotated[date | None, Query(description="Default: the first event's")] = None,
    end_date: Annotated[date | None, Query(description="Default: today")] = None,
    interval: Annotated[Literal["daily", "weekly", "monthly"] | None, Query()] = None,
    group_by_event: Annotated[bool, Query()] = False,
) -> ActivitiesOut:
    org = await orgs.authorized_org(db, principal, org_id, "event.read")
    result = await insights.activities(
        db,
        org,
        events=events,
        start=start_date,
        end=end_date,
        interval=interval,
        group_by_event=group_by_event,
    )
    return ActivitiesOut(org_id=org.public_id, **result)
