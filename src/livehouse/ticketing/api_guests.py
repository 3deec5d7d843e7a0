"""Guest-order routes: a guest (no account) reads, pays and shows their order with the order
token from their checkout response or e-mail, in the `X-Order-Token` header. Without the
token nothing of the order is reachable (404, as for an order that does not exist)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from sqlalchemy import select

from livehouse.core.deps import DbSession
from livehouse.core.errors import Conflict, NotFound
from livehouse.core.ratelimit import client_ip
from livehouse.payments import service as payments
from livehouse.payments.models import Payment
from livehouse.payments.schemas import CardPayment, ChallengeAnswer
from livehouse.ticketing import guests, passes, views
from livehouse.ticketing.models import Order, Ticket
from livehouse.ticketing.schemas import OrderOut

router = APIRouter(tags=["guest orders"])
OrderToken = Annotated[
    str,
    Header(
        alias="X-Order-Token",
        min_length=20,
        max_length=200,
        description="The guest's order token (checkout response `guest_token`, or the e-mail)",
    ),
]


async def _order(
    db: DbSession, order_id: uuid.UUID, token: str, request: Request, *, lock: bool = False
) -> Order:
    return await guests.order_for(db, order_id, token, client_ip(request), lock=lock)


async def _payment(db: DbSession, order: Order) -> Payment:
    payment = await db.scalar(
        select(Payment).where(Payment.id == order.payment_id).with_for_update()
    )
    if payment is None:
        raise Conflict("This order has nothing to pay")
    return payment


@router.get("/v1/guest-orders/{order_id}", response_model=OrderOut, summary="A guest's order")
async def guest_order(
    order_id: uuid.UUID, token: OrderToken, request: Request, db: DbSession
) -> OrderOut:
    return await views.order(db, await _order(db, order_id, token, request), with_passes=True)


@router.post(
    "/v1/guest-orders/{order_id}/card",
    response_model=OrderOut,
    summary="Pay a guest order by card (sandbox); may need the one-time code",
)
async def guest_pay_by_card(
    order_id: uuid.UUID, payload: CardPayment, token: OrderToken, request: Request, db: DbSession
) -> OrderOut:
    order = await _order(db, order_id, token, request, lock=True)
    await payments.pay_with_card(db, await _payment(db, order), payload.card.to_card())
    return await views.order(db, order, with_passes=True)


@router.post(
    "/v1/guest-orders/{order_id}/challenge",
    response_model=OrderOut,
    summary="Answer the payment's one-time code",
)
async def guest_answer_challenge(
    order_id: uuid.UUID,
    payload: ChallengeAnswer,
    token: OrderToken,
    request: Request,
    db: DbSession,
) -> OrderOut:
    order = await _order(db, order_id, token, request, lock=True)
    payment = await _payment(db, order)
    await payments.answer_challenge(db, payment, payload.code, client_ip(request))
    return await views.order(db, order, with_passes=True)


@router.post(
    "/v1/guest-orders/{order_id}/challenge/resend",
    response_model=OrderOut,
    summary="Send a new one-time code",
)
async def guest_resend_challenge(
    order_id: uuid.UUID, token: OrderToken, request: Request, db: DbSession
) -> OrderOut:
    order = await _order(db, order_id, token, request, lock=True)
    await payments.resend_challenge(db, await _payment(db, order))
    return await views.order(db, order)


@router.post(
    "/v1/guest-orders/{order_id}/checkout",
    response_model=OrderOut,
    summary="Start the provider's own checkout (Stripe): the payment carries its client secret",
)
async def guest_provider_checkout(
    order_id: uuid.UUID, token: OrderToken, request: Request, db: DbSession
) -> OrderOut:
    order = await _order(db, order_id, token, request, lock=True)
    await payments.start_provider_checkout(db, await _payment(db, order))
    return await views.order(db, order)


@router.get(
    "/v1/guest-orders/{order_id}/tickets/{ticket_id}/qr",
    summary="A guest's ticket pass as a QR code",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}, "image/png": {}}}},
)
async def guest_ticket_qr(
    order_id: uuid.UUID,
    ticket_id: uuid.UUID,
    token: OrderToken,
    request: Request,
    db: DbSession,
    format: Annotated[str, Query(pattern="^(svg|png)$")] = "svg",
) -> Response:
    order = await _order(db, order_id, token, request)
    ticket = await db.scalar(
        select(Ticket).where(Ticket.public_id == ticket_id, Ticket.order_id == order.id)
    )
    if ticket is None:
        raise NotFound("No such ticket")
    if ticket.status != "valid":
        raise Conflict("This ticket is no longer valid")
    body, media_type = passes.qr(await passes.pass_code(db, ticket), format)
    return Response(body, media_type=media_type, headers={"Cache-Control": "private, max-age=300"})
