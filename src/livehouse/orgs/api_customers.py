"""Routes of custom registration fields (managed by the team, listed publicly for sign-up forms)
and of an organisation's registered users (customers)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from livehouse.core.deps import DbSession
from livehouse.core.pagination import Page, PageParams, page_params
from livehouse.identity.auth import Authenticated
from livehouse.orgs import customers, registration, service
from livehouse.orgs.schemas import (
    CustomerCreate,
    CustomerOut,
    RegistrationFieldCreate,
    RegistrationFieldOut,
    RegistrationFieldUpdate,
)

router = APIRouter(tags=["registration fields and customers"])
FIELDS = "/v1/orgs/{org_id}/registration-fields"
CUSTOMERS = "/v1/orgs/{org_id}/customers"


@router.get(
    FIELDS,
    response_model=list[RegistrationFieldOut],
    summary="The questions this organisation asks at sign-up (public: sign-up forms need them)",
)
async def list_fields(org_id: uuid.UUID, db: DbSession) -> list[RegistrationFieldOut]:
    org = await service.get_org(db, org_id)
    return [RegistrationFieldOut.of(f) for f in await registration.fields_of(db, org.id)]


@router.post(
    FIELDS, status_code=201, response_model=RegistrationFieldOut, summary="Add a registration field"
)
async def create_field(
    org_id: uuid.UUID, payload: RegistrationFieldCreate, db: DbSession, principal: Authenticated
) -> RegistrationFieldOut:
    org = await service.authorized_org(db, principal, org_id, "org.write")
    field = await registration.create_field(db, org.id, payload.model_dump())
    return RegistrationFieldOut.of(field)


@router.patch(
    FIELDS + "/{field_id}",
    response_model=RegistrationFieldOut,
    summary="Change a registration field",
)
async def update_field(
    org_id: uuid.UUID,
    field_id: uuid.UUID,
    payload: RegistrationFieldUpdate,
    db: DbSession,
    principal: Authenticated,
) -> RegistrationFieldOut:
    org = await service.authorized_org(db, principal, org_id, "org.write")
    field = await registration.get_field(db, org.id, field_id)
    await registration.update_field(field, payload.model_dump(exclude_unset=True))
    await db.flush()
    return RegistrationFieldOut.of(field)


@router.delete(FIELDS + "/{field_id}", status_code=204, summary="Remove a registration field")
async def delete_field(
    org_id: uuid.UUID, field_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> Response:
    org = await service.authorized_org(db, principal, org_id, "org.write")
    await db.delete(await registration.get_field(db, org.id, field_id))
    return Response(status_code=204)


# ---- registered users -------------------------------------------------------------------------


@router.get(CUSTOMERS, response_model=Page[CustomerOut], summary="Registered users")
async def list_customers(
    org_id: uuid.UUID,
    db: DbSession,
    principal: Authenticated,
    page: Annotated[PageParams, Depends(page_params)],
    q: Annotated[
        str | None, Query(max_length=100, description="Search e-mail, username and name")
    ] = None,
    active: Annotated[bool | None, Query(description="Only active (true) or inactive")] = None,
) -> Page[CustomerOut]:
    org = await service.authorized_org(db, principal, org_id, "org.customers")
    rows, cursor = await customers.list_page(db, org.id, q, active, page)
    return Page(items=[CustomerOut.of(c, a) for c, a in rows], next_cursor=cursor)


@router.post(
    CUSTOMERS,
    status_code=201,
    response_model=CustomerOut,
    summary="Create a customer account for someone",
)
async def create_customer(
    org_id: uuid.UUID, payload: CustomerCreate, db: DbSession, principal: Authenticated
) -> CustomerOut:
    org = await service.authorized_org(db, principal, org_id, "org.customers")
    customer, account = await customers.create(
        db,
        org,
        email=payload.email,
        full_name=payload.full_name,
        password=payload.password,
        fields=payload.fields,
    )
    return CustomerOut.of(customer, account)


@router.get(CUSTOMERS + "/{customer_id}", response_model=CustomerOut, summary="One customer")
async def read_customer(
    org_id: uuid.UUID, customer_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> CustomerOut:
    org = await service.authorized_org(db, principal, org_id, "org.customers")
    return CustomerOut.of(*await customers.get(db, org.id, customer_id))
