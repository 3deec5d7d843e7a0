"""Invitation-to-book routes (EventBookings `invite_to_book`, event invitations): organisers
invite, list, read and delete. The invited book with the token from their link."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.deps import DbSession
from livehouse.core.pagination import Page, PageParams, page_params
from livehouse.events.access import managed_event
from livehouse.events.models import Event
from livehouse.identity.auth import Authenticated
from livehouse.ticketing import invitations
from livehouse.ticketing.models import BookingInvitation, TicketType
from livehouse.ticketing.schemas_extra import InvitationOut, InviteToBook

router = APIRouter(tags=["tickets (organisers)"])


async def _views(
    session: AsyncSession, event: Event, rows: Sequence[BookingInvitation]
) -> list[InvitationOut]:
    type_ids = {r.ticket_type_id for r in rows if r.ticket_type_id}
    types = dict(
        (
            await session.execute(
                select(TicketType.id, TicketType.public_id).where(
                    TicketType.id.in_(type_ids or {-1})
                )
            )
        ).all()
    )
    booked = await invitations.booked(session, event.id, rows)
    return [
        InvitationOut(
            id=r.public_id,
            event_id=event.public_id,
            ticket_type_id=types.get(r.ticket_type_id) if r.ticket_type_id else None,
            email=r.email,
            name=r.name,
            message=r.message,
            status=invitations.status_of(r),  # type: ignore[arg-type]
            booked=r.email_normalized in booked,
            sent_count=r.sent_count,
            expires_at=r.expires_at,
            created_at=r.created_at,
        )
        for r in rows
    ]


@router.post(
    "/v1/events/{event_id}/invitations",
    status_code=201,
    response_model=list[InvitationOut],
    summary="Invite people by e-mail to book (invitation-link tickets); again: a new link",
)
async def invite_to_book(
    event_id: uuid.UUID, payload: InviteToBook, db: DbSession, principal: Authenticated
) -> list[InvitationOut]:
    event = await managed_event(db, principal, event_id, "ticket.manage")
    rows = await invitations.invite(
        db,
        event,
        invitees=[i.model_dump() for i in payload.invitees],
        ticket_type_id=payload.ticket_type_id,
        message=payload.message,
        invited_by=principal.account_id,
    )
    return await _views(db, event, rows)


@router.get(
    "/v1/events/{event_id}/invitations",
    response_model=Page[InvitationOut],
    summary="An event's invitations to book",
)
async def list_invitations(
    event_id: uuid.UUID,
    db: DbSession,
    principal: Authenticated,
    page: Annotated[PageParams, Depends(page_params)],
) -> Page[InvitationOut]:
    event = await managed_event(db, principal, event_id, "ticket.manage", lock=False)
    rows, cursor = await invitations.list_page(db, event, page)
    return Page(items=await _views(db, event, rows), next_cursor=cursor)


@router.get(
    "/v1/events/{event_id}/invitations/{invitation_id}",
    response_model=InvitationOut,
    summary="One invitation to book",
)
async def read_invitation(
    event_id: uuid.UUID, invitation_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> InvitationOut:
    event = await managed_event(db, principal, event_id, "ticket.manage", lock=False)
    [out] = await _views(db, event, [await invitations.get(db, event, invitation_id)])
    return out


@router.delete(
    "/v1/events/{event_id}/invitations/{invitation_id}",
    status_code=204,
    summary="Delete an invitation: its link stops working at once",
)
async def delete_invitation(
    event_id: uuid.UUID, invitation_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> Response:
    event = await managed_event(db, principal, event_id, "ticket.manage")
    await invitations.delete(db, await invitations.get(db, event, invitation_id))
    return Response(status_code=204)
