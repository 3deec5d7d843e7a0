"""Live-session routes (start, stop, what is live) and the viewer's side of a show (perks,
entry, special requests, upgrades)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from livehouse.core.deps import DbSession
from livehouse.core.errors import NotFound
from livehouse.core.pagination import Page, PageParams, page_params
from livehouse.events.access import readable_event
from livehouse.identity import service as identity
from livehouse.identity.auth import Authenticated, MaybeAuthenticated, Principal, User, user_scoped
from livehouse.live import access, audience, chat, shows, views
from livehouse.live.schemas import (
    CategoryRef,
    LiveSessionOut,
    ShowStart,
    SpecialRequestAnswer,
    SpecialRequestIn,
    SpecialRequestOut,
    UpgradeIn,
    UpgradeOut,
    ViewerOut,
)

router = APIRouter(tags=["live shows"])
Joiner = Annotated[Principal, Depends(user_scoped(access.JOIN))]
Paging = Annotated[PageParams, Depends(page_params)]


@router.post(
    "/v1/events/{event_id}/live-sessions",
    status_code=201,
    response_model=LiveSessionOut,
    summary="Start the event's live show (hosts: live.host); announced on liveEvents",
)
async def start_show(
    event_id: uuid.UUID, payload: ShowStart, db: DbSession, principal: User
) -> LiveSessionOut:
    event = await access.hosted_event(db, principal, event_id, lock=True)
    host = await identity.signed_in_account(db, principal)
    show = await shows.start(db, event, host, payload.model_dump(exclude_unset=True))
    await db.flush()
    out = await views.show_out(db, show)
    shows.announce(db, event, out.model_dump(mode="json"))
    return out


@router.post(
    "/v1/live-sessions/{live_session_id}/stop",
    response_model=LiveSessionOut,
    summary="Stop a live show (hosts); announced on liveEvents",
)
async def stop_show(
    live_session_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> LiveSessionOut:
    show = await shows.get(db, live_session_id)
    events = await views.events_by_id(db, [show.event_id])
    try:
        event = await access.hosted_event(db, principal, events[show.event_id].public_id, lock=True)
    except NotFound as exc:
        raise access.not_found("live session") from exc
    await shows.stop(db, event, show)
    await db.flush()
    out = await views.show_out(db, show)
    shows.announce(db, event, out.model_dump(mode="json"))
    return out


@router.get(
    "/v1/live-sessions",
    response_model=Page[LiveSessionOut],
    summary="Shows live now, with their viewer counts (Imprxx getlive)",
)
async def live_now(db: DbSession, page: Paging) -> Page[LiveSessionOut]:
    rows, cursor = await shows.live_page(db, page)
    items = [s for s in await views.shows_out(db, rows, public_only=True) if s.is_live]
    return Page(items=items, next_cursor=cursor)


@router.get("/v1/live-sessions/{live_session_id}", response_model=LiveSessionOut)
async def get_show(
    live_session_id: uuid.UUID, db: DbSession, principal: MaybeAuthenticated
) -> LiveSessionOut:
    show = await shows.get(db, live_session_id)
    events = await views.events_by_id(db, [show.event_id])
    try:
        await readable_event(db, principal, events[show.event_id].public_id)
    except NotFound as exc:
        raise access.not_found("live session") from exc
    return await views.show_out(db, show)


@router.get(
    "/v1/events/{event_id}/live-sessions",
    response_model=Page[LiveSessionOut],
    summary="An event's live shows, the latest first",
)
async def event_shows(
    event_id: uuid.UUID, db: DbSession, principal: MaybeAuthenticated, page: Paging
) -> Page[LiveSessionOut]:
    event, _ = await readable_event(db, principal, event_id)
    rows, cursor = await shows.event_page(db, event, page)
    return Page(items=await views.shows_out(db, rows), next_cursor=cursor)


@router.get(
    "/v1/events/{event_id}/live/me",
    response_model=ViewerOut,
    summary="What I am to this show: may I watch, my guest category and perks, its channels",
)
async def my_perks(event_id: uuid.UUID, db: DbSession, principal: User) -> ViewerOut:
    event, _ = await readable_event(db, principal, event_id)
    viewer = await audience.resolve(db, principal, event)
    banned = await chat.banned(db, event.id, principal.account_id)
    return await views.viewer_out(db, viewer, banned=banned)


@router.post(
    "/v1/events/{event_id}/live/entry",
    response_model=ViewerOut,
    summary="Enter the live show (a cheerful entry is announced the first time)",
)
async def enter_show(event_id: uuid.UUID, db: DbSession, principal: Joiner) -> ViewerOut:
    event, _ = await readable_event(db, principal, event_id)
    viewer = await audience.resolve(db, principal, event)
    account = await identity.signed_in_account(db, principal)
    announced = await audience.enter(db, viewer, account)
    banned = await chat.banned(db, event.id, account.id)
    return await views.viewer_out(db, viewer, banned=banned, announced=announced)


@router.post(
    "/v1/events/{event_id}/live/guests/{user_id}/upgrade",
    response_model=UpgradeOut,
    summary="Upgrade a viewer to another guest category for this live show (hosts)",
)
async def upgrade_guest(
    event_id: uuid.UUID,
    user_id: uuid.UUID,
    payload: UpgradeIn,
    db: DbSession,
    principal: Authenticated,
) -> UpgradeOut:
    event = await access.hosted_event(db, principal, event_id)
    account, category = await audience.upgrade(db, principal, event, user_id, payload.category_id)
    return UpgradeOut(
        event_id=event.public_id,
        user_id=account.public_id,
        category=CategoryRef(id=category.public_id, name=category.name),
    )


@router.post(
    "/v1/events/{event_id}/special-requests",
    status_code=201,
    response_model=SpecialRequestOut,
    summary="Make a special request to the live show (perk; at most the category's number)",
)
async def make_request(
    event_id: uuid.UUID, payload: SpecialRequestIn, db: DbSession, principal: Joiner
) -> SpecialRequestOut:
    event, _ = await readable_event(db, principal, event_id)
    viewer = await audience.resolve(db, principal, event)
    account = await identity.signed_in_account(db, principal)
    request = await audience.special_request(db, viewer, account, payload.message)
    left = viewer.special_requests_left
    return (await views.special_requests_out(db, event, [request], left))[0]


@router.get(
    "/v1/events/{event_id}/special-requests",
    response_model=Page[SpecialRequestOut],
    summary="The special requests made to the event's shows (hosts)",
)
async def list_requests(
    event_id: uuid.UUID,
    db: DbSession,
    principal: Authenticated,
    page: Paging,
    status: Annotated[Literal["pending", "accepted", "declined", "done"] | None, Query()] = None,
) -> Page[SpecialRequestOut]:
    event = await access.hosted_event(db, principal, event_id)
    rows, cursor = await audience.requests_page(db, event, page, status)
    return Page(items=await views.special_requests_out(db, event, rows), next_cursor=cursor)


@router.patch(
    "/v1/events/{event_id}/special-requests/{request_id}",
    response_model=SpecialRequestOut,
    summary="Answer a special request: pending → accepted | declined, accepted → done | declined",
)
async def answer_request(
    event_id: uuid.UUID,
    request_id: uuid.UUID,
    payload: SpecialRequestAnswer,
    db: DbSession,
    principal: Authenticated,
) -> SpecialRequestOut:
    event = await access.hosted_event(db, principal, event_id)
    request = await audience.get_request(db, event, request_id)
    await audience.answer(db, event, request, payload.status)
    return (await views.special_requests_out(db, event, [request]))[0]
