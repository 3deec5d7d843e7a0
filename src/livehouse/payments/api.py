"""Payments' native routes: the payer pays (card or provider page) and answers the challenge;
the organisation lists and refunds; Stripe reports outcomes by webhook."""

from __future__ import annotations

import uuid
from typing import Annotated

import stripe
from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import select

from livehouse.core.deps import DbSession
from livehouse.core.errors import Forbidden, NotFound, Problem
from livehouse.core.pagination import OrderKey, Page, PageParams, page_params, paginate
from livehouse.core.ratelimit import client_ip
from livehouse.core.runtime import current
from livehouse.identity import scopes
from livehouse.identity.auth import Authenticated, Principal, user_scoped
from livehouse.orgs import service as orgs
from livehouse.payments import service
from livehouse.payments.models import Payment
from livehouse.payments.providers.stripe import verify_webhook
from livehouse.payments.schemas import CardPayment, ChallengeAnswer, PaymentOut, RefundIn, RefundOut

scopes.register("payment.pay", "Pay, and answer payment challenges, as yourself", personal=True)
scopes.register("payment.read", "See an organisation's payments", roles=("owner", "admin"))
scopes.register("payment.refund", "Refund an organisation's payments", roles=("owner", "admin"))

router = APIRouter(tags=["payments"])
Payer = Annotated[Principal, Depends(user_scoped("payment.pay"))]


async def payer_payment(
    db: DbSession, payment_id: uuid.UUID, principal: Principal, *, lock: bool = False
) -> Payment:
    payment = await service.get(db, payment_id, lock=lock)
    if payment.account_id is None or payment.account_id != principal.account_id:
        raise NotFound("No such payment")  # someone else's payment does not exist for you
    return payment


def out(payment: Payment) -> PaymentOut:
    return PaymentOut.model_validate(service.view(payment))


@router.get("/v1/payments/{payment_id}", response_model=PaymentOut, summary="One of my payments")
async def read_payment(payment_id: uuid.UUID, db: DbSession, principal: Payer) -> PaymentOut:
    return out(await payer_payment(db, payment_id, principal))


@router.get("/v1/me/payments", response_model=Page[PaymentOut], summary="My payments")
async def my_payments(
    db: DbSession, principal: Payer, page: Annotated[PageParams, Depends(page_params)]
) -> Page[PaymentOut]:
    rows, cursor = await paginate(
        db,
        select(Payment).where(Payment.account_id == principal.account_id),
        [OrderKey(Payment.id, descending=True)],
        page,
    )
    return Page(items=[out(p) for p in rows], next_cursor=cursor)


@router.post(
    "/v1/payments/{payment_id}/card",
    response_model=PaymentOut,
    summary="Pay by card (sandbox); may answer `requires_action` with an OTP challenge",
)
async def pay_by_card(
    payment_id: uuid.UUID, payload: CardPayment, db: DbSession, principal: Payer
) -> PaymentOut:
    payment = await payer_payment(db, payment_id, principal, lock=True)
    return out(await service.pay_with_card(db, payment, payload.card.to_card()))


@router.post(
    "/v1/payments/{payment_id}/challenge",
    response_model=PaymentOut,
    summary="Answer the one-time code the payment challenge sent",
)
async def answer_challenge(
    payment_id: uuid.UUID,
    payload: ChallengeAnswer,
    request: Request,
    db: DbSession,
    principal: Payer,
) -> PaymentOut:
    payment = await payer_payment(db, payment_id, principal, lock=True)
    return out(await service.answer_challenge(db, payment, payload.code, client_ip(request)))


@router.post(
    "/v1/payments/{payment_id}/challenge/resend",
    response_model=PaymentOut,
    summary="Send a new one-time code",
)
async def resend_challenge(payment_id: uuid.UUID, db: DbSession, principal: Payer) -> PaymentOut:
    payment = await payer_payment(db, payment_id, principal, lock=True)
    return out(await service.resend_challenge(db, payment))


@router.post(
    "/v1/payments/{payment_id}/checkout",
    response_model=PaymentOut,
    summary="Start the provider's own checkout (Stripe): returns the client secret",
)
async def provider_checkout(payment_id: uuid.UUID, db: DbSession, principal: Payer) -> PaymentOut:
    payment = await payer_payment(db, payment_id, principal, lock=True)
    return out(await service.start_provider_checkout(db, payment))


@router.get(
    "/v1/orgs/{org_id}/payments",
    response_model=Page[PaymentOut],
    summary="An organisation's payments",
)
async def org_payments(
    org_id: uuid.UUID,
    db: DbSession,
    principal: Authenticated,
    page: Annotated[PageParams, Depends(page_params)],
    status: Annotated[str | None, Query(max_length=32)] = None,
) -> Page[PaymentOut]:
    org = await orgs.authorized_org(db, principal, org_id, "payment.read")
    query = select(Payment).where(Payment.org_id == org.id)
    if status:
        query = query.where(Payment.status == status)
    rows, cursor = await paginate(db, query, [OrderKey(Payment.id, descending=True)], page)
    return Page(items=[out(p) for p in rows], next_cursor=cursor)


@router.post(
    "/v1/orgs/{org_id}/payments/{payment_id}/refunds",
    response_model=RefundOut,
    status_code=201,
    summary="Refund a payment, wholly or in part",
)
async def refund_payment(
    org_id: uuid.UUID,
    payment_id: uuid.UUID,
    payload: RefundIn,
    db: DbSession,
    principal: Authenticated,
) -> RefundOut:
    org = await orgs.authorized_org(db, principal, org_id, "payment.refund")
    payment = await service.get(db, payment_id, lock=True)
    if payment.org_id != org.id:
        raise NotFound("No such payment")
    refund = await service.refund(db, payment, payload.amount, payload.reason)
    return RefundOut(
        id=refund.public_id,
        amount=refund.amount,
        currency=refund.currency,
        status=refund.status,
        reason=refund.reason,
        created_at=refund.created_at,
    )


@router.post(
    "/v1/payments/webhooks/stripe",
    status_code=200,
    include_in_schema=True,
    summary="Stripe's event webhook (verified by Stripe-Signature)",
)
async def stripe_webhook(request: Request, db: DbSession) -> Response:
    secret = current().settings.stripe_webhook_secret
    if not secret:
        raise Problem("Stripe webhooks are not configured", status=503, slug="not-configured")
    body = await request.body()
    try:
        event = verify_webhook(body, request.headers.get("stripe-signature"), secret)
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise Forbidden("The Stripe-Signature does not match this payload") from exc
    await service.handle_stripe_event(db, event)
    return Response(status_code=200)
