"""Ticketing's buyer routes: what is on sale, holds, checkout, one-step purchase, my orders and
tickets, refunds by policy. Organiser routes are in api_manage.py (included below)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import select

from livehouse.core.deps import DbSession
from livehouse.core.errors import Conflict, NotFound, ValidationFailed
from livehouse.core.pagination import OrderKey, Page, PageParams, page_params, paginate
from livehouse.core.ratelimit import client_ip
from livehouse.events.access import is_public, readable_event
from livehouse.events.models import Event
from livehouse.identity.auth import MaybeAuthenticated, Principal, require_scopes, user_scoped
from livehouse.identity.models import Account
from livehouse.ticketing import (
    api_forms,
    api_guests,
    api_invitations,
    api_manage,
    api_waitlist,
    catalog,
    guests,
    holds,
    inventory,
    orders,
    passes,
    views,
)
from livehouse.ticketing.models import Hold, Order, Product, Ticket
from livehouse.ticketing.schemas import (
    CheckoutIn,
    HoldCreate,
    HoldOut,
    OrderOut,
    ProductOut,
    PurchaseIn,
    RefundRequest,
    TicketOut,
    TicketTypeOut,
)

router = APIRouter(tags=["tickets"])
Buyer = Annotated[Principal, Depends(user_scoped("ticket.buy"))]


async def _buyer_account(db: DbSession, principal: Principal | None) -> Account | None:
    if principal is None:
        return None
    if not principal.is_user:
        raise ValidationFailed("Tickets are bought by people; use a user's access token")
    require_scopes(principal, "ticket.buy")
    return await db.get(Account, principal.account_id)


async def _event_for_sale(db: DbSession, principal: Principal | None, event_id: uuid.UUID) -> Event:
    """A published event is for everyone: no need to ask what the buyer may see (that takes
    queries on every sale). Anything else goes through events' own visibility rule."""
    event = await catalog.event_for_sale(db, event_id)
    if is_public(event):
        return event
    event, _ = await readable_event(db, principal, event_id)
    return event


def _basket(payload: HoldCreate) -> holds.Basket:
    return holds.Basket(
        occurrence_id=payload.occurrence_id,
        tickets=[
            holds.TicketItem(i.ticket_type_id, i.quantity, i.variation_id, i.donation_amount)
            for i in payload.items
        ],
        goods=[holds.GoodsItem(g.product_id, g.quantity) for g in payload.merchandise],
        coupon_code=payload.coupon_code,
        invitation_code=payload.invitation_code,
        buyer_email=payload.buyer_email,
        invitation_token=payload.invitation_token,
    )


def _buyer_details(payload: CheckoutIn) -> orders.BuyerDetails:
    return orders.BuyerDetails(
        name=payload.buyer.name,
        email=payload.buyer.email,
        phone=payload.buyer.phone,
        answers=payload.answers,
        attendees=[a.model_dump() for a in payload.attendees],
    )


@router.get(
    "/v1/events/{event_id}/ticket-types",
    response_model=list[TicketTypeOut],
    summary="Tickets on sale (with places left at a date); organisers see every type",
)
async def list_ticket_types(
    event_id: uuid.UUID,
    db: DbSession,
    principal: MaybeAuthenticated,
    occurrence_id: Annotated[uuid.UUID | None, Query()] = None,
) -> list[TicketTypeOut]:
    event, private = await readable_event(db, principal, event_id)
    types = list(await catalog.list_types(db, event, include_inactive=private))
    if not private:
        types = [t for t in types if holds.visible(t)]
    available = None
    if occurrence_id is not None or not private:
        try:
            occurrence = await holds.pick_occurrence(db, event, occurrence_id)
            available = await inventory.availability(db, occurrence.id, [t.id for t in types])
        except ValidationFailed:
            if occurrence_id is not None:
                raise
    return await views.ticket_types(db, types, available)


@router.get(
    "/v1/events/{event_id}/merchandise",
    response_model=list[ProductOut],
    summary="Merchandise sold with this event's tickets",
)
async def list_event_merchandise(
    event_id: uuid.UUID, db: DbSession, principal: MaybeAuthenticated
) -> list[ProductOut]:
    event, _ = await readable_event(db, principal, event_id)
    rows = (
        await db.scalars(
            select(Product)
            .where(
                Product.org_id == event.org_id, Product.active, Product.currency == event.currency
            )
            .order_by(Product.name)
        )
    ).all()
    return [api_manage.product_out(p) for p in rows]


@router.post(
    "/v1/events/{event_id}/holds",
    status_code=201,
    response_model=HoldOut,
    summary="Reserve tickets (and merchandise) for a few minutes",
)
async def create_hold(
    event_id: uuid.UUID,
    payload: HoldCreate,
    request: Request,
    db: DbSession,
    principal: MaybeAuthenticated,
) -> HoldOut:
    event = await _event_for_sale(db, principal, event_id)
    account = await _buyer_account(db, principal)
    hold = await holds.create_hold(
        db, event, _basket(payload), account=account, ip=client_ip(request)
    )
    return await views.hold(db, hold)


async def _own_hold(
    db: DbSession, hold_id: uuid.UUID, principal: Principal | None, *, lock: bool = False
) -> Hold:
    hold = await holds.get_hold(db, hold_id, lock=lock)
    mine = principal is not None and principal.is_user and hold.account_id == principal.account_id
    if hold.account_id is not None and not mine:
        raise NotFound("No such hold")  # guests' holds are reachable by their unguessable id
    return hold


@router.get("/v1/holds/{hold_id}", response_model=HoldOut, summary="A hold of mine")
async def read_hold(hold_id: uuid.UUID, db: DbSession, principal: MaybeAuthenticated) -> HoldOut:
    return await views.hold(db, await _own_hold(db, hold_id, principal))


@router.delete("/v1/holds/{hold_id}", status_code=204, summary="Give the places back now")
async def release_hold(
    hold_id: uuid.UUID, db: DbSession, principal: MaybeAuthenticated
) -> Response:
    hold = await _own_hold(db, hold_id, principal, lock=True)
    if await db.scalar(select(Order.id).where(Order.hold_id == hold.id, Order.status != "pending")):
        raise Conflict("This hold was bought; refund the order instead")
    order = await db.scalar(select(Order).where(Order.hold_id == hold.id))
    if order is not None:
        await orders.expire_hold(db, hold)
    else:
        await holds.release(db, hold)
    return Response(status_code=204)


@router.post(
    "/v1/holds/{hold_id}/checkout",
    status_code=201,
    response_model=OrderOut,
    summary="Order the held places; pay through the order's payment",
)
async def checkout(
    hold_id: uuid.UUID, payload: CheckoutIn, db: DbSession, principal: MaybeAuthenticated
) -> OrderOut:
    hold = await _own_hold(db, hold_id, principal, lock=True)
    account = await _buyer_account(db, principal)
    order = await orders.checkout(db, hold, account=account, buyer=_buyer_details(payload))
    view = await views.order(db, order, with_passes=True)
    if account is None:
        view.guest_token = await guests.issue_token(db, order)
    return view


@router.post(
    "/v1/events/{event_id}/orders",
    status_code=201,
    response_model=OrderOut,
    summary="Hold, check out and pay by card in one request",
)
async def purchase(
    event_id: uuid.UUID,
    payload: PurchaseIn,
    request: Request,
    db: DbSession,
    principal: MaybeAuthenticated,
) -> OrderOut:
    event = await _event_for_sale(db, principal, event_id)
    account = await _buyer_account(db, principal)
    order = await orders.purchase(
        db,
        event,
        _basket(payload),
        account=account,
        ip=client_ip(request),
        buyer=_buyer_details(payload),
        card=payload.card.to_card() if payload.card else None,
    )
    view = await views.order(db, order, with_passes=True)
    if account is None:
        view.guest_token = await guests.issue_token(db, order)
    return view


@router.get("/v1/me/orders", response_model=Page[OrderOut], summary="My orders")
async def my_orders(
    db: DbSession, principal: Buyer, page: Annotated[PageParams, Depends(page_params)]
) -> Page[OrderOut]:
    rows, cursor = await paginate(
        db,
        select(Order).where(Order.account_id == principal.account_id),
        [OrderKey(Order.id, descending=True)],
        page,
    )
    return Page(items=[await views.order(db, o) for o in rows], next_cursor=cursor)


async def _my_order(
    db: DbSession, order_id: uuid.UUID, principal: Principal, *, lock: bool = False
) -> Order:
    order = await orders.get_order(db, order_id, lock=lock)
    if order.account_id != principal.account_id:
        raise NotFound("No such order")
    return order


@router.get("/v1/me/orders/{order_id}", response_model=OrderOut, summary="One of my orders")
async def my_order(order_id: uuid.UUID, db: DbSession, principal: Buyer) -> OrderOut:
    return await views.order(db, await _my_order(db, order_id, principal), with_passes=True)


@router.post(
    "/v1/me/orders/{order_id}/refund",
    response_model=OrderOut,
    summary="Ask for a refund under the event's refund policy",
)
async def request_refund(
    order_id: uuid.UUID, payload: RefundRequest, db: DbSession, principal: Buyer
) -> OrderOut:
    order = await _my_order(db, order_id, principal, lock=True)
    event = await db.get(Event, order.event_id)
    assert event is not None
    policy = (await catalog.settings_of(db, event)).refund_policy
    allowed = orders.refundable_amount(
        order, policy, await orders.occurrence_start(db, order.occurrence_id)
    )
    if allowed <= 0:
        raise Conflict("This order cannot be refunded any more under the event's policy")
    if not policy.get("automatic", True):
        raise Conflict("Refunds for this event are handled by the organiser; contact them")
    await orders.refund(db, order, allowed, payload.reason or "Refund requested by the buyer")
    return await views.order(db, order)


@router.get("/v1/me/tickets", response_model=Page[TicketOut], summary="My tickets")
async def my_tickets(
    db: DbSession, principal: Buyer, page: Annotated[PageParams, Depends(page_params)]
) -> Page[TicketOut]:
    rows, cursor = await paginate(
        db,
        select(Ticket).where(Ticket.account_id == principal.account_id),
        [OrderKey(Ticket.id, descending=True)],
        page,
    )
    return Page(items=await views.tickets(db, rows, with_pass=True), next_cursor=cursor)


async def _my_ticket(db: DbSession, ticket_id: uuid.UUID, principal: Principal) -> Ticket:
    ticket = await db.scalar(select(Ticket).where(Ticket.public_id == ticket_id))
    if ticket is None or ticket.account_id != principal.account_id:
        raise NotFound("No such ticket")
    return ticket


@router.get("/v1/me/tickets/{ticket_id}", response_model=TicketOut, summary="One of my tickets")
async def my_ticket(ticket_id: uuid.UUID, db: DbSession, principal: Buyer) -> TicketOut:
    [out] = await views.tickets(db, [await _my_ticket(db, ticket_id, principal)], with_pass=True)
    return out


@router.get(
    "/v1/me/tickets/{ticket_id}/qr",
    summary="My ticket's pass as a QR code",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}, "image/png": {}}}},
)
async def my_ticket_qr(
    ticket_id: uuid.UUID,
    db: DbSession,
    principal: Buyer,
    format: Annotated[str, Query(pattern="^(svg|png)$")] = "svg",
) -> Response:
    ticket = await _my_ticket(db, ticket_id, principal)
    if ticket.status != "valid":
        raise Conflict("This ticket is no longer valid")
    body, media_type = passes.qr(await passes.pass_code(db, ticket), format)
    return Response(body, media_type=media_type, headers={"Cache-Control": "private, max-age=300"})


router.include_router(api_manage.router)
router.include_router(api_waitlist.router)
router.include_router(api_invitations.router)
router.include_router(api_forms.router)
router.include_router(api_guests.router)
