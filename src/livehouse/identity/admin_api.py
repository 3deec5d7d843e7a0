"""An organisation acting on its customers' accounts: impersonation, erasure, the audit log
(rules in impersonation.py, gdpr.py and audit.py)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from livehouse.core.deps import DbSession
from livehouse.core.pagination import OrderKey, Page, PageParams, page_params, paginate
from livehouse.core.ratelimit import client_ip
from livehouse.identity import audit, gdpr, impersonation
from livehouse.identity.auth import Authenticated, Principal, in_person
from livehouse.identity.flow_schemas import (
    AuditEventOut,
    CustomerErase,
    ErasureOut,
    Impersonate,
    token_response,
)
from livehouse.identity.models import AuditEvent
from livehouse.identity.schemas import TokenResponse
from livehouse.identity.scopes import MANAGERS, register
from livehouse.orgs import service as orgs

register("org.audit", "Read an organisation's security audit log", roles=MANAGERS)

router = APIRouter(tags=["organisations"])
# A person acting in person: impersonation tokens never start another impersonation or erase.
InPerson = Annotated[Principal, Depends(in_person())]


@router.post(
    "/v1/orgs/{org_id}/impersonation",
    response_model=TokenResponse,
    summary="Act as one of the organisation's customers (needs org.impersonate and your "
    "password; audited)",
)
async def impersonate(
    org_id: uuid.UUID, payload: Impersonate, request: Request, db: DbSession, principal: InPerson
) -> JSONResponse:
    org = await orgs.authorized_org(db, principal, org_id, "org.impersonate")
    grant = await impersonation.impersonate(
        db, principal, org, payload.account_id, payload.password, client_ip(request)
    )
    return token_response(grant)


@router.post(
    "/v1/orgs/{org_id}/customer-erasures",
    response_model=ErasureOut,
    summary="Erase a customer's personal data (needs org.customers and your password)",
)
async def erase_customer(
    org_id: uuid.UUID, payload: CustomerErase, request: Request, db: DbSession, principal: InPerson
) -> ErasureOut:
    org = await orgs.authorized_org(db, principal, org_id, "org.customers")
    scope = await gdpr.erase_customer(
        db, principal, org, payload.account_id, payload.password, client_ip(request)
    )
    return ErasureOut(scope=scope)  # type: ignore[arg-type]


@router.get(
    "/v1/orgs/{org_id}/audit-events",
    response_model=Page[AuditEventOut],
    summary="The organisation's security audit log, newest first",
)
async def audit_events(
    org_id: uuid.UUID,
    db: DbSession,
    principal: Authenticated,
    page: Annotated[PageParams, Depends(page_params)],
) -> Page[AuditEventOut]:
    org = await orgs.authorized_org(db, principal, org_id, "org.audit")
    rows, next_cursor = await paginate(
        db,
        select(AuditEvent).where(AuditEvent.org_id == org.id),
        [OrderKey(AuditEvent.id, descending=True)],
        page,
    )
    ids = await audit.people_in(db, rows)
    return Page(
        items=[
            AuditEventOut(
                id=e.public_id,
                at=e.at,
                action=e.action,
                actor_id=ids.get(e.actor_account_id) if e.actor_account_id else None,
                subject_id=ids.get(e.subject_account_id) if e.subject_account_id else None,
                request_id=e.request_id,
                detail=e.detail,
            )
            for e in rows
        ],
        next_cursor=next_cursor,
    )
