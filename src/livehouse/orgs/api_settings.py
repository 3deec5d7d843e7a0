"""Routes of an organisation's privacy settings, billing information and payout information."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from livehouse.core.deps import DbSession
from livehouse.identity.auth import Authenticated
from livehouse.orgs import billing, privacy, service
from livehouse.orgs.schemas import (
    BillingIn,
    BillingOut,
    PayoutIn,
    PayoutOut,
    PrivacySettings,
    PrivacySettingsUpdate,
)

router = APIRouter(tags=["organisation settings"])
PRIVACY = "/v1/orgs/{org_id}/privacy-settings"
BILLING = "/v1/orgs/{org_id}/billing-information"
PAYOUT = "/v1/orgs/{org_id}/payout-information"


@router.get(PRIVACY, response_model=PrivacySettings, summary="Privacy settings")
async def read_privacy(
    org_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> PrivacySettings:
    org = await service.authorized_org(db, principal, org_id, "org.read")
    return PrivacySettings(**await privacy.settings_of(db, org.id))


@router.patch(PRIVACY, response_model=PrivacySettings, summary="Change privacy settings")
async def update_privacy(
    org_id: uuid.UUID, payload: PrivacySettingsUpdate, db: DbSession, principal: Authenticated
) -> PrivacySettings:
    org = await service.authorized_org(db, principal, org_id, "org.write")
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return PrivacySettings(**await privacy.update(db, org.id, changes))


# ---- billing ----------------------------------------------------------------------------------


@router.get(BILLING, response_model=BillingOut, summary="Billing information")
async def read_billing(org_id: uuid.UUID, db: DbSession, principal: Authenticated) -> BillingOut:
    org = await service.authorized_org(db, principal, org_id, "org.billing")
    return BillingOut.of(await billing.get_billing(db, org.id))


async def _save_billing(
    org_id: uuid.UUID, payload: BillingIn, db: DbSession, principal: Authenticated, create: bool
) -> tuple[BillingOut, bool]:
    org = await service.authorized_org(db, principal, org_id, "org.billing")
    values = payload.model_dump()
    values["address"] = payload.address.model_dump(exclude_none=True)
    row, created = await billing.save_billing(db, org.id, values, create_only=create)
    return BillingOut.of(row), created


@router.post(BILLING, status_code=201, response_model=BillingOut, summary="Add billing information")
async def create_billing(
    org_id: uuid.UUID, payload: BillingIn, db: DbSession, principal: Authenticated
) -> BillingOut:
    return (await _save_billing(org_id, payload, db, principal, create=True))[0]


@router.put(
    BILLING, response_model=BillingOut, summary="Set (create or replace) billing information"
)
async def replace_billing(
    org_id: uuid.UUID,
    payload: BillingIn,
    db: DbSession,
    principal: Authenticated,
    response: Response,
) -> BillingOut:
    out, created = await _save_billing(org_id, payload, db, principal, create=False)
    response.status_code = 201 if created else 200
    return out


@router.delete(BILLING, status_code=204, summary="Remove billing information")
async def delete_billing(org_id: uuid.UUID, db: DbSession, principal: Authenticated) -> Response:
    org = await service.authorized_org(db, principal, org_id, "org.billing")
    await billing.delete_billing(db, org.id)
    return Response(status_code=204)


# ---- payout -----------------------------------------------------------------------------------


@router.get(PAYOUT, response_model=PayoutOut, summary="Payout information (masked)")
async def read_payout(org_id: uuid.UUID, db: DbSession, principal: Authenticated) -> PayoutOut:
    org = await service.authorized_org(db, principal, org_id, "org.billing")
    return PayoutOut(**await billing.get_payout(db, org.id))


@router.post(PAYOUT, status_code=201, response_model=PayoutOut, summary="Add payout information")
async def create_payout(
    org_id: uuid.UUID, payload: PayoutIn, db: DbSession, principal: Authenticated
) -> PayoutOut:
    org = await service.authorized_org(db, principal, org_id, "org.billing")
    shown, _ = await billing.save_payout(db, org.id, payload.model_dump(), create_only=True)
    return PayoutOut(**shown)


@router.put(PAYOUT, response_model=PayoutOut, summary="Set (create or replace) payout information")
async def replace_payout(
    org_id: uuid.UUID,
    payload: PayoutIn,
    db: DbSession,
    principal: Authenticated,
    response: Response,
) -> PayoutOut:
    org = await service.authorized_org(db, principal, org_id, "org.billing")
    shown, created = await billing.save_payout(db, org.id, payload.model_dump())
    response.status_code = 201 if created else 200
    return PayoutOut(**shown)


@router.delete(PAYOUT, status_code=204, summary="Remove payout information")
async def delete_payout(org_id: uuid.UUID, db: DbSession, principal: Authenticated) -> Response:
    org = await service.authorized_org(db, principal, org_id, "org.billing")
    await billing.delete_payout(db, org.id)
    return Response(status_code=204)
