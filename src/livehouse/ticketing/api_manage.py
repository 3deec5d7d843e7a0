"""Ticketing's organiser routes: ticket settings and types, coupons, merchandise, orders and
attendees, refunds, check-in, and the public pass keys."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy import select

from livehouse.core.deps import DbSession
from livehouse.core.pagination import OrderKey, Page, PageParams, page_params, paginate
from livehouse.events.access import managed_event, readable_event
from livehouse.events.models import Event
from livehouse.identity.auth import Authenticated, MaybeAuthenticated
from livehouse.orgs import service as orgs
from livehouse.ticketing import catalog, orders, passes, views
from livehouse.ticketing.models import Coupon, Order, Product, Ticket
from livehouse.ticketing.schemas import (
    CheckInIn,
    CheckInOut,
    CouponCreate,
    CouponIn,
    CouponOut,
    OrderOut,
    ProductCreate,
    ProductIn,
    ProductOut,
    RefundRequest,
    TicketOut,
    TicketSettingsIn,
    TicketSettingsOut,
    TicketTypeCreate,
    TicketTypeFields,
    TicketTypeOut,
)

router = APIRouter(tags=["tickets (organisers)"])


def _fields(payload: Any) -> dict[str, Any]:
    """Only what the client sent; discount rules and restrictions in their stored form."""
    data = payload.model_dump(exclude_unset=True)
    if "early_bird" in data:
        data["early_bird"] = payload.early_bird.stored() if payload.early_bird else None
    if "restrictions" in data and data["restrictions"] is not None:
        data["restrictions"] = [
            {k: v for k, v in r.items() if v is not None} for r in data["restrictions"]
        ]
    return data


async def _event(db: DbSession, principal: Any, event_id: uuid.UUID, scope: str) -> Event:
    return await managed_event(db, principal, event_id, scope)


# ---- settings and ticket types ---------------------------------------------------------------


@router.get(
    "/v1/events/{event_id}/ticket-settings",
    response_model=TicketSettingsOut,
    summary="How an event sells: windows, charges, tax, refunds, restrictions",
)
async def read_settings(
    event_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> TicketSettingsOut:
    event = await _event(db, principal, event_id, "ticket.manage")
    return TicketSettingsOut.model_validate(await catalog.settings_of(db, event))


@router.patch(
    "/v1/events/{event_id}/ticket-settings",
    response_model=TicketSettingsOut,
    summary="Change how an event sells",
)
async def update_settings(
    event_id: uuid.UUID, payload: TicketSettingsIn, db: DbSession, principal: Authenticated
) -> TicketSettingsOut:
    event = await _event(db, principal, event_id, "ticket.manage")
    changes = _fields(payload)
    if "refund_policy" in changes and changes["refund_policy"] is not None:
        changes["refund_policy"] = payload.refund_policy.model_dump()  # type: ignore[union-attr]
    settings = await catalog.update_settings(db, event, changes)
    await db.flush()
    return TicketSettingsOut.model_validate(settings)


@router.post(
    "/v1/events/{event_id}/ticket-types",
    status_code=201,
    response_model=TicketTypeOut,
    summary="Add a ticket type (level, donation ticket or sectional tier)",
)
async def create_ticket_type(
    event_id: uuid.UUID, payload: TicketTypeCreate, db: DbSession, principal: Authenticated
) -> TicketTypeOut:
    event = await _event(db, principal, event_id, "ticket.manage")
    fields = _fields(payload)
    fields["variations"] = [v.model_dump() for v in payload.variations or []]
    ticket_type = await catalog.create_type(db, event, fields)
    [out] = await views.ticket_types(db, [ticket_type])
    return out


@router.patch(
    "/v1/events/{event_id}/ticket-types/{ticket_type_id}",
    response_model=TicketTypeOut,
    summary="Change a ticket type",
)
async def update_ticket_type(
    event_id: uuid.UUID,
    ticket_type_id: uuid.UUID,
    payload: TicketTypeFields,
    db: DbSession,
    principal: Authenticated,
) -> TicketTypeOut:
    event = await _event(db, principal, event_id, "ticket.manage")
    ticket_type = await catalog.get_type(db, event, ticket_type_id)
    fields = _fields(payload)
    if payload.variations is not None:
        fields["variations"] = [v.model_dump() for v in payload.variations]
    await catalog.update_type(db, event, ticket_type, fields)
    await db.flush()
    [out] = await views.ticket_types(db, [ticket_type])
    return out


@router.delete(
    "/v1/events/{event_id}/ticket-types/{ticket_type_id}",
    status_code=204,
    summary="Remove a ticket type (kept, inactive, if it has sales)",
)
async def delete_ticket_type(
    event_id: uuid.UUID, ticket_type_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> Response:
    event = await _event(db, principal, event_id, "ticket.manage")
    await catalog.delete_type(db, await catalog.get_type(db, event, ticket_type_id))
    return Response(status_code=204)


# ---- coupons ---------------------------------------------------------------------------------


def coupon_out(c: Coupon) -> CouponOut:
    return CouponOut(
        id=c.public_id,
        name=c.name,
        code=c.code,
        discount_type=c.discount_type,
        discount_value=c.discount_value,
        starts_at=c.starts_at,
        ends_at=c.ends_at,
        uses_per_coupon=c.uses_per_coupon,
        uses_per_customer=c.uses_per_customer,
        used=c.used,
        active=c.active,
    )


@router.get(
    "/v1/events/{event_id}/coupons", response_model=list[CouponOut], summary="An event's coupons"
)
async def list_coupons(
    event_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> list[CouponOut]:
    event = await _event(db, principal, event_id, "ticket.manage")
    rows = (
        await db.scalars(select(Coupon).where(Coupon.event_id == event.id).order_by(Coupon.id))
    ).all()
    return [coupon_out(c) for c in rows]


@router.post(
    "/v1/events/{event_id}/coupons",
    status_code=201,
    response_model=CouponOut,
    summary="Create a coupon",
)
async def create_coupon(
    event_id: uuid.UUID, payload: CouponCreate, db: DbSession, principal: Authenticated
) -> CouponOut:
    event = await _event(db, principal, event_id, "ticket.manage")
    return coupon_out(await catalog.create_coupon(db, event, payload.model_dump(exclude_none=True)))


@router.patch(
    "/v1/events/{event_id}/coupons/{coupon_id}", response_model=CouponOut, summary="Change a coupon"
)
async def update_coupon(
    event_id: uuid.UUID,
    coupon_id: uuid.UUID,
    payload: CouponIn,
    db: DbSession,
    principal: Authenticated,
) -> CouponOut:
    event = await _event(db, principal, event_id, "ticket.manage")
    coupon = await catalog.get_coupon(db, event, coupon_id)
    await catalog.update_coupon(coupon, payload.model_dump(exclude_unset=True))
    await db.flush()
    return coupon_out(coupon)


@router.delete(
    "/v1/events/{event_id}/coupons/{coupon_id}",
    status_code=204,
    summary="Deactivate a coupon (kept for the orders that used it)",
)
async def delete_coupon(
    event_id: uuid.UUID, coupon_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> Response:
    event = await _event(db, principal, event_id, "ticket.manage")
    (await catalog.get_coupon(db, event, coupon_id)).active = False
    return Response(status_code=204)


# ---- merchandise -----------------------------------------------------------------------------


def product_out(p: Product) -> ProductOut:
    available = None if p.qty_available is None else max(0, p.qty_available - p.sold)
    return ProductOut(
        id=p.public_id,
        name=p.name,
        code=p.code,
        description=p.description,
        images=p.images,
        price=p.price,
        currency=p.currency,
        qty_available=p.qty_available,
        available=available,
        min_per_order=p.min_per_order,
        max_per_order=p.max_per_order,
        active=p.active,
    )


@router.get(
    "/v1/orgs/{org_id}/products",
    response_model=list[ProductOut],
    summary="An organisation's merchandise",
)
async def list_products(
    org_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> list[ProductOut]:
    org = await orgs.authorized_org(db, principal, org_id, "ticket.manage")
    rows = (
        await db.scalars(select(Product).where(Product.org_id == org.id).order_by(Product.id))
    ).all()
    return [product_out(p) for p in rows]


@router.post(
    "/v1/orgs/{org_id}/products",
    status_code=201,
    response_model=ProductOut,
    summary="Add merchandise",
)
async def create_product(
    org_id: uuid.UUID, payload: ProductCreate, db: DbSession, principal: Authenticated
) -> ProductOut:
    org = await orgs.authorized_org(db, principal, org_id, "ticket.manage")
    return product_out(
        await catalog.create_product(db, org.id, payload.model_dump(exclude_none=True))
    )


@router.patch(
    "/v1/orgs/{org_id}/products/{product_id}",
    response_model=ProductOut,
    summary="Change merchandise",
)
async def update_product(
    org_id: uuid.UUID,
    product_id: uuid.UUID,
    payload: ProductIn,
    db: DbSession,
    principal: Authenticated,
) -> ProductOut:
    org = await orgs.authorized_org(db, principal, org_id, "ticket.manage")
    product = await catalog.get_product(db, org.id, product_id)
    await catalog.update_product(product, payload.model_dump(exclude_unset=True))
    await db.flush()
    return product_out(product)


@router.delete(
    "/v1/orgs/{org_id}/products/{product_id}",
    status_code=204,
    summary="Withdraw merchandise from sale",
)
async def delete_product(
    org_id: uuid.UUID, product_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> Response:
    org = await orgs.authorized_org(db, principal, org_id, "ticket.manage")
    (await catalog.get_product(db, org.id, product_id)).active = False
    return Response(status_code=204)


# ---- orders, attendees, refunds, check-in ------------------------------------------------------


@router.get(
    "/v1/events/{event_id}/orders", response_model=Page[OrderOut], summary="An event's orders"
)
async def event_orders(
    event_id: uuid.UUID,
    db: DbSession,
    principal: Authenticated,
    page: Annotated[PageParams, Depends(page_params)],
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> Page[OrderOut]:
    event = await _event(db, principal, event_id, "order.read")
    query = select(Order).where(Order.event_id == event.id)
    if status:
        query = query.where(Order.status == status)
    rows, cursor = await paginate(db, query, [OrderKey(Order.id, descending=True)], page)
    return Page(items=[await views.order(db, o) for o in rows], next_cursor=cursor)


async def _event_order(
    db: DbSession, event: Event, order_id: uuid.UUID, lock: bool = False
) -> Order:
    order = await orders.get_order(db, order_id, lock=lock)
    if order.event_id != event.id:
        from livehouse.core.errors import NotFound

        raise NotFound("No such order")
    return order


@router.get(
    "/v1/events/{event_id}/orders/{order_id}",
    response_model=OrderOut,
    summary="One order of an event",
)
async def event_order(
    event_id: uuid.UUID, order_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> OrderOut:
    event = await _event(db, principal, event_id, "order.read")
    return await views.order(db, await _event_order(db, event, order_id))


@router.post(
    "/v1/events/{event_id}/orders/{order_id}/refunds",
    response_model=OrderOut,
    summary="Refund an order, wholly (tickets voided) or in part",
)
async def refund_order(
    event_id: uuid.UUID,
    order_id: uuid.UUID,
    payload: RefundRequest,
    db: DbSession,
    principal: Authenticated,
) -> OrderOut:
    event = await _event(db, principal, event_id, "order.refund")
    order = await _event_order(db, event, order_id, lock=True)
    await orders.refund(db, order, payload.amount, payload.reason)
    return await views.order(db, order)


@router.get(
    "/v1/events/{event_id}/attendees",
    response_model=Page[TicketOut],
    summary="Everyone holding a ticket, with their check-in state",
)
async def attendees(
    event_id: uuid.UUID,
    db: DbSession,
    principal: Authenticated,
    page: Annotated[PageParams, Depends(page_params)],
    checked_in: Annotated[bool | None, Query()] = None,
) -> Page[TicketOut]:
    event = await _event(db, principal, event_id, "order.read")
    query = select(Ticket).where(Ticket.event_id == event.id)
    if checked_in is not None:
        query = query.where(
            Ticket.checked_in_at.is_not(None) if checked_in else Ticket.checked_in_at.is_(None)
        )
    rows, cursor = await paginate(db, query, [OrderKey(Ticket.id)], page)
    return Page(items=await views.tickets(db, rows, with_pass=False), next_cursor=cursor)


@router.post(
    "/v1/events/{event_id}/check-ins",
    response_model=CheckInOut,
    summary="Scan a pass: valid, already checked in (and when), wrong event, void, invalid",
)
async def check_in(
    event_id: uuid.UUID, payload: CheckInIn, db: DbSession, principal: Authenticated
) -> CheckInOut:
    event = await _event(db, principal, event_id, "ticket.checkin")
    result = await passes.check_in(db, event, payload.code, principal.account_id)
    ticket = (
        (await views.tickets(db, [result.ticket], with_pass=False))[0] if result.ticket else None
    )
    return CheckInOut(result=result.result, ticket=ticket, checked_in_at=result.checked_in_at)


@router.get("/v1/orgs/{org_id}/pass-keys", summary="Public keys to verify passes offline (JWKS)")
async def pass_keys(
    org_id: uuid.UUID, db: DbSession, principal: MaybeAuthenticated
) -> dict[str, Any]:
    org = await orgs.get_org(db, org_id)
    return await passes.public_keys(db, org.id)


__all__ = ["product_out", "readable_event", "router"]
