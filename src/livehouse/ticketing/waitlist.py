"""Waiting lists: people queue for a sold-out ticket type at one date; freed places become
holds of their own.

- Joining needs the ticket type's (or the event's) waiting list on, the event on sale, and
  fewer places left than asked for. One open entry per person, ticket type and date (a unique
  `active_key`, so even concurrent joins cannot make two).
- When places free up (`hooks.capacity_freed`: a hold released or expired, a ticket refunded),
  in the same transaction: offers whose hold ended are closed (`lapsed`), then the entries
  waiting for the freed ticket types, oldest first, each get a real hold (`holds.create_hold`
  with `waitlist_entry_id`) if their quantity fits — an entry that does not fit keeps its place
  and the next one is tried.
  The hold takes the counters like any other, so an offer can never oversell, and a buyer
  racing the release never sees the freed places. A transaction that rolls back offers nothing.
- An entry is claimed with a guarded `UPDATE … WHERE status = 'waiting'` inside the savepoint
  that creates its hold: two transactions freeing places at once cannot offer it twice.
- An offer lasts `LIVEHOUSE_TICKET_WAITLIST_OFFER_MINUTES`; the hold sweeper releases it when
  it lapses, which frees the places again and moves the offer down the list.
- Lock order: a release has already locked the freed types' stock rows and the event's stock
  row, so offers of *those* types take no new counter locks out of order. Offering another
  type there would lock its stock row after the event row — the reverse of every buyer's
  order, a deadlock on PostgreSQL — so other types wait for their own places (or for an
  organiser's `offer_now`, one type per transaction).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.errors import Conflict, NotFound, ValidationFailed
from livehouse.core.runtime import current
from livehouse.events.models import Event, EventSession, Occurrence
from livehouse.identity.models import Account
from livehouse.notify import delivery
from livehouse.ticketing import catalog, holds, hooks, inventory
from livehouse.ticketing.models import (
    Hold,
    Order,
    TicketSettings,
    TicketType,
    TicketVariation,
    WaitlistEntry,
)

OPEN = ("waiting", "offered")
# Restrictions a waiting person could not prove again when the offer is made for them.
_SECRET_RESTRICTIONS = {"invitation_code", "invitation_link"}
_SCAN = 50  # waiting entries looked at per release: bounds the work of one freed place


def _key(ticket_type_id: int, occurrence_id: int, account_id: int) -> str:
    return f"{ticket_type_id}:{occurrence_id}:{account_id}"


def enabled(settings: TicketSettings, ticket_type: TicketType) -> bool:
    return bool(ticket_type.waiting_list or settings.waiting_list)


async def _variation(
    session: AsyncSession, ticket_type: TicketType, public_id: uuid.UUID | None
) -> TicketVariation:
    options = (await catalog.variations_of(session, [ticket_type.id]))[ticket_type.id]
    if public_id is None:
        if len(options) != 1:
            raise ValidationFailed.field("variation_id", "Choose a variation")
        return options[0]
    found = next((v for v in options if v.public_id == public_id), None)
    if found is None:
        raise ValidationFailed.field("variation_id", "No such variation")
    return found


async def _type_for(
    session: AsyncSession,
    event: Event,
    occurrence: Occurrence,
    settings: TicketSettings,
    public_id: uuid.UUID,
) -> TicketType:
    ticket_type = await session.scalar(
        select(TicketType).where(TicketType.event_id == event.id, TicketType.public_id == public_id)
    )
    if ticket_type is None or not holds.visible(ticket_type):
        raise ValidationFailed.field("ticket_type_id", "No such ticket type")
    if not enabled(settings, ticket_type):
        raise ValidationFailed.field("ticket_type_id", "This ticket has no waiting list")
    if ticket_type.occurrence_id is not None and ticket_type.occurrence_id != occurrence.id:
        raise ValidationFailed.field("ticket_type_id", "This ticket is not sold for that date")
    if ticket_type.session_id is not None:
        sold_for = await session.scalar(
            select(EventSession.occurrence_id).where(EventSession.id == ticket_type.session_id)
        )
        if sold_for != occurrence.id:
            raise ValidationFailed.field("ticket_type_id", "This session is not on that date")
    kinds = {r["type"] for r in [*settings.restrictions, *ticket_type.restrictions]}
    if kinds & _SECRET_RESTRICTIONS:
        raise ValidationFailed.field(
            "ticket_type_id", "Tickets sold by invitation have no waiting list"
        )
    return ticket_type


async def join(
    session: AsyncSession,
    event: Event,
    account: Account,
    *,
    ticket_type_id: uuid.UUID,
    occurrence_id: uuid.UUID | None,
    quantity: int,
    variation_id: uuid.UUID | None,
) -> WaitlistEntry:
    settings = await catalog.settings_of(session, event)
    occurrence = await holds.pick_occurrence(session, event, occurrence_id)
    holds.check_on_sale(event, occurrence, settings)
    ticket_type = await _type_for(session, event, occurrence, settings, ticket_type_id)
    variation = await _variation(session, ticket_type, variation_id)
    seats = quantity * variation.quantity_included
    if quantity < ticket_type.min_per_order:
        raise ValidationFailed.field("quantity", f"At least {ticket_type.min_per_order}")
    if ticket_type.max_per_customer is not None and seats > ticket_type.max_per_customer:
        raise ValidationFailed.field("quantity", f"At most {ticket_type.max_per_customer}")
    left = (await inventory.availability(session, occurrence.id, [ticket_type.id]))[ticket_type.id]
    if left is None or left >= seats:
        raise Conflict(
            "These places are on sale: book them instead of waiting", extra={"available": left}
        )
    key = _key(ticket_type.id, occurrence.id, account.id)
    await _settle(session, await _open_for_key(session, key))
    entry = WaitlistEntry(
        event_id=event.id,
        occurrence_id=occurrence.id,
        ticket_type_id=ticket_type.id,
        variation_id=variation.id,
        account_id=account.id,
        quantity=quantity,
        status="waiting",
        active_key=key,
    )
    try:
        async with session.begin_nested():
            session.add(entry)
    except IntegrityError as exc:
        raise Conflict("You are already on this waiting list") from exc
    return entry


async def _open_for_key(session: AsyncSession, key: str) -> list[WaitlistEntry]:
    return list(
        (await session.scalars(select(WaitlistEntry).where(WaitlistEntry.active_key == key))).all()
    )


async def _close(
    session: AsyncSession, entry_id: int, old: str, new: str, note: str | None = None
) -> bool:
    """Guarded status change that frees the person's slot (once, whoever gets there first)."""
    result = await session.execute(
        update(WaitlistEntry)
        .where(WaitlistEntry.id == entry_id, WaitlistEntry.status == old)
        .values(status=new, active_key=None, closed_at=clock.now(), note=note)
    )
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def effective_status(entry: WaitlistEntry, hold: Hold | None) -> str:
    """What an entry is now, reading its offer's hold (reads never write)."""
    if entry.status != "offered" or hold is None:
        return entry.status
    if hold.status == "converted":
        return "purchased"
    if hold.status == "released":
        return "lapsed"
    return "offered"


async def _settle(session: AsyncSession, entries: Sequence[WaitlistEntry]) -> None:
    """Close offers whose hold was bought or ended."""
    for entry in entries:
        if entry.status != "offered" or entry.offer_hold_id is None:
            continue
        hold = await session.get(Hold, entry.offer_hold_id)
        status = effective_status(entry, hold)
        if status != "offered":
            await _close(session, entry.id, "offered", status)


async def offer_freed(
    session: AsyncSession, event_id: int, occurrence_id: int, type_ids: list[int]
) -> None:
    """`hooks.capacity_freed`: close the freed types' ended offers, then offer their places to
    who is waiting. Nobody waiting (the usual case): two indexed queries."""
    await _settle_ended(session, occurrence_id, type_ids)
    waiting = await _waiting(session, occurrence_id, type_ids)
    if waiting:
        await offer(session, event_id, occurrence_id, waiting)


async def _settle_ended(session: AsyncSession, occurrence_id: int, type_ids: list[int]) -> None:
    rows = await session.scalars(
        select(WaitlistEntry)
        .join(Hold, Hold.id == WaitlistEntry.offer_hold_id)
        .where(
            WaitlistEntry.occurrence_id == occurrence_id,
            WaitlistEntry.status == "offered",
            WaitlistEntry.ticket_type_id.in_(type_ids),
            Hold.status != "active",
        )
        .execution_options(populate_existing=True)
    )
    await _settle(session, rows.all())


async def _waiting(
    session: AsyncSession, occurrence_id: int, type_ids: list[int]
) -> list[WaitlistEntry]:
    """The first waiting entries of these types, oldest first."""
    # populate_existing: rows already in this session may have changed under guarded updates
    # rolled back with a savepoint; the database is the truth.
    rows = await session.scalars(
        select(WaitlistEntry)
        .where(
            WaitlistEntry.occurrence_id == occurrence_id,
            WaitlistEntry.status == "waiting",
            WaitlistEntry.ticket_type_id.in_(type_ids),
        )
        .order_by(WaitlistEntry.id)
        .limit(_SCAN)
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


hooks.capacity_freed.append(offer_freed)


async def offer(
    session: AsyncSession,
    event_id: int,
    occurrence_id: int,
    waiting: Sequence[WaitlistEntry],
) -> int:
    """Offer places to `waiting` entries, oldest first. Returns how many offers were made."""
    event = await session.get(Event, event_id)
    occurrence = await session.get(Occurrence, occurrence_id)
    if event is None or occurrence is None:
        return 0
    settings = await catalog.settings_of(session, event)
    try:
        holds.check_on_sale(event, occurrence, settings)
    except Conflict:
        return 0  # sales closed: nobody can be offered anything any more
    type_ids = sorted({e.ticket_type_id for e in waiting})
    left = await inventory.availability(session, occurrence_id, type_ids)
    made = 0
    for entry in sorted(waiting, key=lambda e: e.id):
        places = left.get(entry.ticket_type_id)
        seats = await _seats(session, entry)
        if places is not None and seats > places:
            continue  # does not fit; keeps its place in line
        if await _offer_one(session, event, occurrence, entry):
            made += 1
            left = await inventory.availability(session, occurrence_id, type_ids)
    return made


async def _seats(session: AsyncSession, entry: WaitlistEntry) -> int:
    included = await session.scalar(
        select(TicketVariation.quantity_included).where(TicketVariation.id == entry.variation_id)
    )
    return entry.quantity * (included or 1)


async def _offer_one(
    session: AsyncSession, event: Event, occurrence: Occurrence, entry: WaitlistEntry
) -> bool:
    entry_id, account_id, quantity = entry.id, entry.account_id, entry.quantity
    ticket_type = await session.get(TicketType, entry.ticket_type_id)
    variation = (
        await session.get(TicketVariation, entry.variation_id) if entry.variation_id else None
    )
    account = await session.get(Account, account_id)
    if ticket_type is None or account is None or not ticket_type.active:
        await _close(session, entry_id, "waiting", "ineligible", "The ticket is no longer sold")
        return False
    basket = holds.Basket(
        occurrence_id=occurrence.public_id,
        tickets=[
            holds.TicketItem(
                ticket_type.public_id, quantity, variation.public_id if variation else None
            )
        ],
        goods=[],
    )
    try:
        async with session.begin_nested():
            claimed = await session.execute(
                update(WaitlistEntry)
                .where(WaitlistEntry.id == entry_id, WaitlistEntry.status == "waiting")
                .values(status="offered", offered_at=clock.now())
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return False  # another transaction offered it first
            hold = await holds.create_hold(
                session, event, basket, account=account, ip="waiting-list",
                waitlist_entry_id=entry_id,
            )  # fmt: skip
    except inventory.SoldOut:
        return False  # the places went elsewhere (event-wide capacity): keep waiting
    except (ValidationFailed, Conflict) as exc:
        # They can no longer buy it (their own limit reached, a restriction, a variation gone).
        await _close(session, entry_id, "waiting", "ineligible", (exc.detail or "")[:200])
        return False
    minutes = current().settings.ticket_waitlist_offer_minutes
    hold.expires_at = clock.now() + timedelta(minutes=minutes)
    await session.execute(
        update(WaitlistEntry)
        .where(WaitlistEntry.id == entry_id)
        .values(offer_hold_id=hold.id, offer_expires_at=hold.expires_at)
    )
    _tell(session, event, account, hold, ticket_type.name, quantity, minutes)
    return True


def _tell(
    session: AsyncSession,
    event: Event,
    account: Account,
    hold: Hold,
    type_name: str,
    quantity: int,
    minutes: int,
) -> None:
    settings = current().settings
    link = settings.ticket_waitlist_offer_url.format(
        base_url=settings.base_url.rstrip("/"), event_id=event.public_id, hold_id=hold.public_id
    )
    delivery.email(
        session,
        to=account.email,
        subject=f"Places for {event.name} are waiting for you",
        text=(
            f"Good news: {quantity} x {type_name} for {event.name} became free, and we are "
            f"holding them for you until {hold.expires_at:%Y-%m-%d %H:%M} UTC "
            f"({minutes} minutes).\n\nComplete your booking: {link}\n\n"
            f"Your hold: {hold.public_id}. If you do not book in time, the places go to the "
            "next person waiting.\n"
        ),
    )


# ---- reading and leaving ------------------------------------------------------------------


async def get_mine(session: AsyncSession, account_id: int, public_id: uuid.UUID) -> WaitlistEntry:
    entry = await session.scalar(
        select(WaitlistEntry).where(
            WaitlistEntry.public_id == public_id, WaitlistEntry.account_id == account_id
        )
    )
    if entry is None:
        raise NotFound("No such waiting list entry")
    return entry


async def leave(session: AsyncSession, entry: WaitlistEntry) -> None:
    """Leave the list; an open offer is given back (and goes to the next in line)."""
    await _settle(session, [entry])
    await session.refresh(entry)
    if entry.status == "purchased":
        raise Conflict("You bought these places; refund the order instead")
    if entry.status not in OPEN:
        return  # already off the list
    if not await _close(session, entry.id, entry.status, "left"):
        raise Conflict("This entry changed meanwhile; try again")
    hold = await session.get(Hold, entry.offer_hold_id) if entry.offer_hold_id else None
    if hold is None or hold.status != "active":
        return
    from livehouse.ticketing import orders  # orders → holds → hooks: import when needed

    pending = await session.scalar(select(Order.id).where(Order.hold_id == hold.id))
    if pending is not None:
        await orders.expire_hold(session, hold)
    else:
        await holds.release(session, hold)


async def positions(session: AsyncSession, entries: Sequence[WaitlistEntry]) -> dict[int, int]:
    """Place in line (1 = next) of each waiting entry, among the waiting of its type and date."""
    out = {}
    for entry in entries:
        if entry.status == "waiting":
            ahead = await session.scalar(
                select(func.count())
                .select_from(WaitlistEntry)
                .where(
                    WaitlistEntry.occurrence_id == entry.occurrence_id,
                    WaitlistEntry.ticket_type_id == entry.ticket_type_id,
                    WaitlistEntry.status == "waiting",
                    WaitlistEntry.id < entry.id,
                )
            )
            out[entry.id] = int(ahead or 0) + 1
    return out


async def offer_now(
    session: AsyncSession, event: Event, occurrence: Occurrence, ticket_type: TicketType
) -> int:
    """Offer the free places of one ticket type at a date to its waiting list (after an
    organiser added places). One type per transaction: see the lock order above."""
    await _settle_ended(session, occurrence.id, [ticket_type.id])
    waiting = await _waiting(session, occurrence.id, [ticket_type.id])
    return await offer(session, event.id, occurrence.id, waiting) if waiting else 0
