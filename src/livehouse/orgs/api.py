"""Organisations' native routes: create, read, change; my organisations; the team. The other
routes live in api_team (invitations), api_relations (masters and followers), api_settings
(privacy, billing, payout) and api_customers (registration fields, registered users)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from livehouse.core.deps import DbSession
from livehouse.core.errors import FieldError, Forbidden
from livehouse.identity.auth import Authenticated, MaybeAuthenticated, User
from livehouse.orgs import api_customers, api_relations, api_settings, api_team, privacy, service
from livehouse.orgs.schemas import (
    MemberOut,
    MemberUpdate,
    MyOrgOut,
    OrgCreate,
    OrgOut,
    OrgUpdate,
    member_out,
)

router = APIRouter(tags=["organisations"])


@router.post(
    "/v1/orgs",
    status_code=201,
    response_model=OrgOut,
    summary="Create an organisation (you become its owner)",
)
async def create_org(payload: OrgCreate, db: DbSession, principal: User) -> OrgOut:
    from livehouse.identity.auth import require_scopes

    require_scopes(principal, "me.write")
    fields = service.clean_fields(payload.model_dump(exclude={"name", "slug"}))
    assert principal.account_id is not None
    org = await service.create_org(
        db, principal.account_id, name=payload.name, slug=payload.slug, **fields
    )
    return OrgOut.of(org)


@router.get(
    "/v1/orgs/{org_id}",
    response_model=OrgOut,
    summary="An organisation's profile (as its privacy settings allow you to see it)",
)
async def read_org(org_id: uuid.UUID, db: DbSession, principal: MaybeAuthenticated) -> OrgOut:
    org = await service.get_org(db, org_id)
    hidden = await privacy.hidden_parts(db, org, principal)
    status = (await privacy.extended_status(db, [org.id]))[org.id]
    return OrgOut.of(org, hidden=hidden, status=status)


@router.patch("/v1/orgs/{org_id}", response_model=OrgOut, summary="Change an organisation")
async def update_org(
    org_id: uuid.UUID, payload: OrgUpdate, db: DbSession, principal: Authenticated
) -> OrgOut:
    org = await service.authorized_org(db, principal, org_id, "org.write")
    changes = payload.model_dump(exclude_unset=True)
    flags = changes.pop("extended_status", None)
    if flags is not None:
        if principal.account_id is None or not await service.is_platform_admin(
            db, principal.account_id
        ):
            raise Forbidden(
                "Only the platform's administrators set extended status",
                errors=[FieldError("extended_status", "Not yours to set")],
            )
        await privacy.set_extended_status(db, org.id, flags)
    await service.update_org(org, changes)
    await db.flush()
    return OrgOut.of(org, status=(await privacy.extended_status(db, [org.id]))[org.id])


@router.get(
    "/v1/me/orgs", response_model=list[MyOrgOut], summary="The organisations I am on the team of"
)
async def my_orgs(db: DbSession, principal: User) -> list[MyOrgOut]:
    assert principal.account_id is not None
    rows = await service.orgs_of(db, principal.account_id)
    status = await privacy.extended_status(db, [org.id for org, _ in rows])
    return [
        MyOrgOut(
            organisation=OrgOut.of(org, status=status[org.id]),
            role=m.role,
            scopes=sorted(service.effective_scopes(m)),
            enabled=m.enabled,
        )
        for org, m in rows
    ]


@router.get("/v1/orgs/{org_id}/members", response_model=list[MemberOut], summary="The team")
async def list_members(
    org_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> list[MemberOut]:
    org = await service.authorized_org(db, principal, org_id, "org.read")
    return [
        member_out(m, a, service.effective_scopes(m)) for m, a in await service.members(db, org.id)
    ]


@router.patch(
    "/v1/orgs/{org_id}/members/{member_id}",
    response_model=MemberOut,
    summary="Change a member's role, scopes or enabled state",
)
async def update_member(
    org_id: uuid.UUID,
    member_id: uuid.UUID,
    payload: MemberUpdate,
    db: DbSession,
    principal: Authenticated,
) -> MemberOut:
    org = await service.authorized_org(db, principal, org_id, "org.members")
    membership, account = await service.get_member(db, org.id, member_id)
    await service.change_member(
        db, principal, org, membership, payload.model_dump(exclude_unset=True)
    )
    await db.flush()
    return member_out(membership, account, service.effective_scopes(membership))


@router.delete(
    "/v1/orgs/{org_id}/members/{member_id}",
    status_code=204,
    summary="Remove a member from the team",
)
async def remove_member(
    org_id: uuid.UUID, member_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> Response:
    org = await service.authorized_org(db, principal, org_id, "org.members")
    membership, _ = await service.get_member(db, org.id, member_id)
    await service.remove_member(db, principal, org, membership)
    return Response(status_code=204)


for part in (api_team, api_relations, api_settings, api_customers):
    router.include_router(part.router)
