"""Invitations to book (EventBookings `invite_to_book`): the key to invitation-link tickets.

- An organiser invites addresses to book an event — all of its invitation-only tickets, or
  one ticket type's. Each invitation e-mails a link carrying one random token, stored only as
  a keyed hash. Inviting an address again for the same tickets replaces its token (the old
  link dies) and restarts the expiry. Sending is rate-limited per event.
- `check_link` is registered into `hooks.invitation_link`: a basket passes an `invitation_link`
  restriction when its `invitation_token` belongs to a live (not deleted, not expired)
  invitation of this event, the buyer's e-mail is the invited address (case-insensitive; a
  forwarded link is useless), and — for an invitation to one ticket type — every
  invitation-only ticket in the basket is of that type. Wrong tokens count against the
  person (SecretGuard's per-subject limit); the tokens carry 256 bits, so guessing is hopeless
  anyway.
- Deleting an invitation deletes its row: its link stops working at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.errors import Conflict, NotFound, ValidationFailed
from livehouse.core.pagination import OrderKey, PageParams, paginate
from livehouse.core.runtime import current
from livehouse.core.security import constant_time_equals, keyed_hash, random_token
from livehouse.core.validators import email_key
from livehouse.events.models import Event
from livehouse.identity.models import Account
from livehouse.notify import delivery
from livehouse.ticketing import catalog, hooks
from livehouse.ticketing.models import BookingInvitation, Order, TicketType

HASH_PURPOSE = "ticket-invitation"
PAID = ("paid", "partially_refunded")


def status_of(invitation: BookingInvitation) -> str:
    return "expired" if invitation.expires_at <= clock.now() else "active"


async def invite(
    session: AsyncSession,
    event: Event,
    *,
    invitees: Sequence[dict[str, Any]],
    ticket_type_id: uuid.UUID | None,
    message: str | None,
    invited_by: int | None,
) -> list[BookingInvitation]:
    """Invite each address (new link for one already invited to the same tickets)."""
    if event.cancelled_at is not None or event.ended_at is not None:
        raise Conflict("This event is over; nobody can book it any more")
    ticket_type = None
    if ticket_type_id is not None:
        ticket_type = await catalog.get_type(session, event, ticket_type_id)
    settings = current().settings
    out, seen = [], set()
    for person in invitees:
        key = email_key(person["email"])
        if key in seen:
            continue
        seen.add(key)
        await current().limiter.hit(
            settings.ticket_invitation_rate_per_event,
            "ticket-invitation",
            str(event.id),
            detail="This event sent too many invitations; try again later",
        )
        invitation = await session.scalar(
            select(BookingInvitation).where(
                BookingInvitation.event_id == event.id,
                BookingInvitation.email_normalized == key,
                BookingInvitation.ticket_type_id.is_(None)
                if ticket_type is None
                else BookingInvitation.ticket_type_id == ticket_type.id,
            )
        )
        if invitation is None:
            invitation = BookingInvitation(
                event_id=event.id,
                ticket_type_id=ticket_type.id if ticket_type else None,
                email=person["email"],
                email_normalized=key,
                sent_count=0,
            )
            session.add(invitation)
        invitation.name = person.get("name") or invitation.name
        invitation.message = message
        invitation.invited_by_account_id = invited_by
        invitation.sent_count += 1
        await _send(session, event, invitation, ticket_type)
        out.append(invitation)
    return out


async def _send(
    session: AsyncSession,
    event: Event,
    invitation: BookingInvitation,
    ticket_type: TicketType | None,
) -> None:
    settings = current().settings
    token = random_token(32)
    invitation.token_hash = keyed_hash(token, HASH_PURPOSE)
    invitation.expires_at = clock.now() + timedelta(seconds=settings.ticket_invitation_ttl_seconds)
    await session.flush()
    link = settings.ticket_invitation_url.format(
        base_url=settings.base_url.rstrip("/"), event_id=event.public_id, token=token
    )
    what = f"the {ticket_type.name} tickets of {event.name}" if ticket_type else event.name
    greeting = f"Hello {invitation.name}," if invitation.name else "Hello,"
    note = f"\n\n{invitation.message}" if invitation.message else ""
    delivery.email(
        session,
        to=invitation.email,
        subject=f"You are invited to book {event.name}",
        text=(
            f"{greeting}\n\nYou are invited to book {what}.{note}\n\nBook here: {link}\n\n"
            f"Book with this address, {invitation.email}. The link works until "
            f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC.\n"
        ),
    )


async def get(session: AsyncSession, event: Event, public_id: uuid.UUID) -> BookingInvitation:
    found = await session.scalar(
        select(BookingInvitation).where(
            BookingInvitation.event_id == event.id, BookingInvitation.public_id == public_id
        )
    )
    if found is None:
        raise NotFound("No such invitation")
    return found


async def list_page(
    session: AsyncSession, event: Event, page: PageParams
) -> tuple[list[BookingInvitation], str | None]:
    return await paginate(
        session,
        select(BookingInvitation).where(BookingInvitation.event_id == event.id),
        [OrderKey(BookingInvitation.id)],
        page,
    )


async def booked(
    session: AsyncSession, event_id: int, invitations: Sequence[BookingInvitation]
) -> set[str]:
    """The invited addresses (normalised) with a paid order for the event."""
    keys = {i.email_normalized for i in invitations}
    if not keys:
        return set()
    rows = await session.scalars(
        select(func.lower(Order.buyer_email)).where(
            Order.event_id == event_id,
            Order.status.in_(PAID),
            func.lower(Order.buyer_email).in_(keys),
        )
    )
    return set(rows.all())


async def delete(session: AsyncSession, invitation: BookingInvitation) -> None:
    await session.delete(invitation)


# ---- the invitation_link restriction --------------------------------------------------------


def _guard_limit() -> str:
    return current().settings.secret_rate_per_account


async def check_link(
    session: AsyncSession, event: Event, account: Account | None, basket: Any
) -> None:
    """`hooks.invitation_link`: raise a 422 naming `invitation_token` unless the basket carries
    a live invitation of this event for the buyer's address (and tickets)."""
    email = (account.email if account else basket.buyer_email) or ""
    limiter = current().limiter
    subject = f"{event.id}:{email_key(email)}"
    detail = "Too many wrong invitation links; wait before trying again"
    await limiter.check(_guard_limit(), "ticket-invitation-link", subject, detail=detail)
    token = basket.invitation_token or ""
    invitation = None
    if token:
        wanted = keyed_hash(token, HASH_PURPOSE)
        invitation = await session.scalar(
            select(BookingInvitation).where(
                BookingInvitation.event_id == event.id, BookingInvitation.token_hash == wanted
            )
        )
        if invitation is not None and not constant_time_equals(invitation.token_hash, wanted):
            invitation = None
    if invitation is None:
        if token:
            await limiter.hit(_guard_limit(), "ticket-invitation-link", subject, detail=detail)
        raise ValidationFailed.field(
            "invitation_token",
            "These tickets are sold by invitation only; book through your invitation link"
            if not token
            else "This invitation link is not valid for this event (it was replaced or deleted)",
        )
    if status_of(invitation) == "expired":
        raise ValidationFailed.field("invitation_token", "This invitation has expired")
    if email_key(email) != invitation.email_normalized:
        raise ValidationFailed.field(
            "invitation_token",
            "This invitation was sent to another e-mail address; book with that one",
        )
    if invitation.ticket_type_id is not None:
        await _check_scope(session, event, invitation.ticket_type_id, basket)


async def _check_scope(
    session: AsyncSession, event: Event, invited_type_id: int, basket: Any
) -> None:
    """An invitation to one ticket type opens that type only: every invitation-only ticket of
    the basket must be of it."""
    settings = await catalog.settings_of(session, event)
    event_wide = any(r["type"] == "invitation_link" for r in settings.restrictions)
    wanted = [item.ticket_type_id for item in basket.tickets]
    types = (
        await session.scalars(
            select(TicketType).where(
                TicketType.event_id == event.id, TicketType.public_id.in_(wanted or [uuid.uuid4()])
            )
        )
    ).all()
    for ticket_type in types:
        restricted = event_wide or any(
            r["type"] == "invitation_link" for r in ticket_type.restrictions
        )
        if restricted and ticket_type.id != invited_type_id:
            raise ValidationFailed.field(
                "invitation_token", f"Your invitation is not for the {ticket_type.name} tickets"
            )


hooks.invitation_link.append(check_link)
