"""Routes of team invitations: invite, list, read, resend, withdraw — and accept (the invitee)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from livehouse.core.deps import DbSession
from livehouse.core.pagination import Page, PageParams, page_params
from livehouse.core.ratelimit import client_ip
from livehouse.identity.auth import Authenticated, Principal, in_person
from livehouse.orgs import invitations, service
from livehouse.orgs.schemas import (
    InvitationAccept,
    InvitationCreate,
    InvitationOut,
    MemberOut,
    member_out,
)

router = APIRouter(tags=["team invitations"])
BASE = "/v1/orgs/{org_id}/invitations"


@router.get(BASE, response_model=Page[InvitationOut], summary="The team's invitations")
async def list_invitations(
    org_id: uuid.UUID,
    db: DbSession,
    principal: Authenticated,
    page: Annotated[PageParams, Depends(page_params)],
    status: Annotated[Literal["pending", "accepted", "expired"] | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=100, description="Search e-mail and name")] = None,
) -> Page[InvitationOut]:
    org = await service.authorized_org(db, principal, org_id, "org.members")
    rows, cursor = await invitations.list_page(db, org.id, status, q, page)
    members = await invitations.member_ids(db, rows)
    return Page(
        items=[InvitationOut.of(i, members.get(i.membership_id or 0)) for i in rows],
        next_cursor=cursor,
    )


@router.post(
    BASE,
    status_code=201,
    response_model=InvitationOut,
    summary="Invite someone by e-mail to join the team",
)
async def invite(
    org_id: uuid.UUID, payload: InvitationCreate, db: DbSession, principal: Authenticated
) -> InvitationOut:
    org = await service.authorized_org(db, principal, org_id, "org.members")
    invitation = await invitations.invite(
        db,
        principal,
        org,
        email=payload.email,
        role=payload.role,
        scopes=payload.scopes,
        first_name=payload.first_name,
        last_name=payload.last_name,
    )
    return InvitationOut.of(invitation)


@router.get(BASE + "/{invitation_id}", response_model=InvitationOut, summary="One invitation")
async def read_invitation(
    org_id: uuid.UUID, invitation_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> InvitationOut:
    org = await service.authorized_org(db, principal, org_id, "org.members")
    invitation = await invitations.get(db, org.id, invitation_id)
    members = await invitations.member_ids(db, [invitation])
    return InvitationOut.of(invitation, members.get(invitation.membership_id or 0))


@router.post(
    BASE + "/{invitation_id}/resend",
    response_model=InvitationOut,
    summary="Send the invitation again (a new link; the old one stops working)",
)
async def resend_invitation(
    org_id: uuid.UUID, invitation_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> InvitationOut:
    org = await service.authorized_org(db, principal, org_id, "org.members")
    invitation = await invitations.get(db, org.id, invitation_id)
    return InvitationOut.of(await invitations.resend(db, principal, org, invitation))


@router.delete(BASE + "/{invitation_id}", status_code=204, summary="Withdraw an invitation")
async def delete_invitation(
    org_id: uuid.UUID, invitation_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> Response:
    org = await service.authorized_org(db, principal, org_id, "org.members")
    await invitations.delete(db, await invitations.get(db, org.id, invitation_id))
    return Response(status_code=204)


@router.post(
    BASE + "/{invitation_id}/accept",
    response_model=MemberOut,
    summary="Accept an invitation (signed in with the invited e-mail address)",
)
async def accept_invitation(
    org_id: uuid.UUID,
    invitation_id: uuid.UUID,
    payload: InvitationAccept,
    request: Request,
    db: DbSession,
    principal: Annotated[Principal, Depends(in_person("me.write"))],  # never while impersonating
) -> MemberOut:
    _, membership, account = await invitations.accept(
        db, principal, org_id, invitation_id, payload.token, client_ip(request)
    )
    return member_out(membership, account, service.effective_scopes(membership))
