"""Waiting-list routes: buyers join, list and leave; organisers list an event's entries and
offer places they added."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.deps import DbSession
from livehouse.core.pagination import OrderKey, Page, PageParams, page_params, paginate
from livehouse.events.access import managed_event, readable_event
from livehouse.events.models import Event, Occurrence
from livehouse.identity.auth import Authenticated, Principal, user_scoped
from livehouse.identity.models import Account
from livehouse.ticketing import catalog, holds, waitlist
from livehouse.ticketing.models import (
    Hold,
    TicketType,
    TicketVariation,
    WaitlistEntry,
)
from livehouse.ticketing.schemas_extra import (
    OfferNow,
    OfferNowOut,
    WaitlistEntryOut,
    WaitlistJoin,
    WaitlistOffer,
)

router = APIRouter(tags=["waiting lists"])
Buyer = Annotated[Principal, Depends(user_scoped("ticket.buy"))]


async def _public_ids(session: AsyncSession, model: type, ids: set[int]) -> dict[int, uuid.UUID]:
    rows = await session.execute(
        select(model.id, model.public_id).where(model.id.in_(ids or {-1}))  # type: ignore[attr-defined]
    )
    return dict(rows.all())  # type: ignore[arg-type]


async def _views(
    session: AsyncSession, entries: Sequence[WaitlistEntry], *, organiser: bool
) -> list[WaitlistEntryOut]:
    events = await _public_ids(session, Event, {e.event_id for e in entries})
    occurrences = await _public_ids(session, Occurrence, {e.occurrence_id for e in entries})
    variations = await _public_ids(
        session, TicketVariation, {e.variation_id for e in entries if e.variation_id}
    )
    types = {
        t.id: t
        for t in (
            await session.scalars(
                select(TicketType).where(
                    TicketType.id.in_({e.ticket_type_id for e in entries} or {-1})
                )
            )
        ).all()
    }
    offered = {e.offer_hold_id for e in entries if e.offer_hold_id}
    hold_rows = (await session.scalars(select(Hold).where(Hold.id.in_(offered or {-1})))).all()
    hold_by_id = {h.id: h for h in hold_rows}
    people = {
        a.id: a
        for a in (
            await session.scalars(
                select(Account).where(Account.id.in_({e.account_id for e in entries} or {-1}))
            )
        ).all()
    } if organiser else {}  # fmt: skip
    places = await waitlist.positions(session, entries)
    out = []
    for e in entries:
        hold = hold_by_id.get(e.offer_hold_id) if e.offer_hold_id else None
        status = waitlist.effective_status(e, hold)
        person = people.get(e.account_id)
        out.append(
            WaitlistEntryOut(
                id=e.public_id,
                event_id=events[e.event_id],
                occurrence_id=occurrences[e.occurrence_id],
                ticket_type_id=types[e.ticket_type_id].public_id,
                ticket_type=types[e.ticket_type_id].name,
                variation_id=variations.get(e.variation_id) if e.variation_id else None,
                quantity=e.quantity,
                status=status,  # type: ignore[arg-type]
                position=places.get(e.id),
                joined_at=e.created_at,
                offer=(
                    WaitlistOffer(hold_id=hold.public_id, expires_at=hold.expires_at)
                    if hold is not None and status == "offered"
                    else None
                ),
                note=e.note,
                email=person.email if person else None,
                name=person.full_name if person else None,
            )
        )
    return out


@router.post(
    "/v1/events/{event_id}/waiting-list",
    status_code=201,
    response_model=WaitlistEntryOut,
    summary="Wait for places of a sold-out ticket (offered to you as a hold when they free up)",
)
async def join_waiting_list(
    event_id: uuid.UUID, payload: WaitlistJoin, db: DbSession, principal: Buyer
) -> WaitlistEntryOut:
    event, _ = await readable_event(db, principal, event_id)
    account = await db.get(Account, principal.account_id)
    assert account is not None
    entry = await waitlist.join(
        db,
        event,
        account,
        ticket_type_id=payload.ticket_type_id,
        occurrence_id=payload.occurrence_id,
        quantity=payload.quantity,
        variation_id=payload.variation_id,
    )
    await db.flush()
    [out] = await _views(db, [entry], organiser=False)
    return out


@router.get(
    "/v1/me/waiting-list", response_model=Page[WaitlistEntryOut], summary="Where I am waiting"
)
async def my_waiting_list(
    db: DbSession, principal: Buyer, page: Annotated[PageParams, Depends(page_params)]
) -> Page[WaitlistEntryOut]:
    rows, cursor = await paginate(
        db,
        select(WaitlistEntry).where(WaitlistEntry.account_id == principal.account_id),
        [OrderKey(WaitlistEntry.id, descending=True)],
        page,
    )
    return Page(items=await _views(db, rows, organiser=False), next_cursor=cursor)


@router.delete(
    "/v1/me/waiting-list/{entry_id}",
    status_code=204,
    summary="Leave a waiting list (an open offer goes to the next person)",
)
async def leave_waiting_list(entry_id: uuid.UUID, db: DbSession, principal: Buyer) -> Response:
    assert principal.account_id is not None
    await waitlist.leave(db, await waitlist.get_mine(db, principal.account_id, entry_id))
    return Response(status_code=204)


@router.get(
    "/v1/events/{event_id}/waiting-list",
    response_model=Page[WaitlistEntryOut],
    summary="An event's waiting list, oldest first",
)
async def event_waiting_list(
    event_id: uuid.UUID,
    db: DbSession,
    principal: Authenticated,
    page: Annotated[PageParams, Depends(page_params)],
    occurrence_id: Annotated[uuid.UUID | None, Query()] = None,
    status: Annotated[str | None, Query(max_length=12)] = None,
) -> Page[WaitlistEntryOut]:
    event = await managed_event(db, principal, event_id, "order.read", lock=False)
    query = select(WaitlistEntry).where(WaitlistEntry.event_id == event.id)
    if occurrence_id is not None:
        occurrence = await holds.pick_occurrence(db, event, occurrence_id)
        query = query.where(WaitlistEntry.occurrence_id == occurrence.id)
    if status:
        query = query.where(WaitlistEntry.status == status)
    rows, cursor = await paginate(db, query, [OrderKey(WaitlistEntry.id)], page)
    return Page(items=await _views(db, rows, organiser=True), next_cursor=cursor)


@router.post(
    "/v1/events/{event_id}/waiting-list/offers",
    response_model=OfferNowOut,
    summary="Offer a ticket type's free places to its waiting list now (after adding places)",
)
async def offer_places(
    event_id: uuid.UUID, payload: OfferNow, db: DbSession, principal: Authenticated
) -> OfferNowOut:
    event = await managed_event(db, principal, event_id, "ticket.manage")
    occurrence = await holds.pick_occurrence(db, event, payload.occurrence_id)
    ticket_type = await catalog.get_type(db, event, payload.ticket_type_id)
    return OfferNowOut(offers=await waitlist.offer_now(db, event, occurrence, ticket_type))
