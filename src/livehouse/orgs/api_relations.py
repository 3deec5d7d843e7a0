"""Routes of master/follower organisations: the master's side (/followers) and the follower's
side (/master)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from livehouse.core.deps import DbSession
from livehouse.identity.auth import Authenticated
from livehouse.orgs import relations, service
from livehouse.orgs.schemas import (
    FollowerCreate,
    FollowerCreated,
    FollowerLink,
    RelationOut,
    RelationUpdate,
)

router = APIRouter(tags=["master and follower organisations"])
FOLLOWERS = "/v1/orgs/{org_id}/followers"
MASTER = "/v1/orgs/{org_id}/master"


@router.get(FOLLOWERS, response_model=list[RelationOut], summary="This organisation's followers")
async def list_followers(
    org_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> list[RelationOut]:
    org = await service.authorized_org(db, principal, org_id, "org.read")
    return [RelationOut.of(*row) for row in await relations.followers(db, org.id)]


@router.post(
    FOLLOWERS,
    status_code=201,
    response_model=FollowerCreated,
    summary="Create a follower organisation (active at once)",
)
async def create_follower(
    org_id: uuid.UUID, payload: FollowerCreate, db: DbSession, principal: Authenticated
) -> FollowerCreated:
    master = await service.authorized_org(db, principal, org_id, "org.relations")
    relation, follower, invitation = await relations.create_follower(
        db,
        principal,
        master,
        org_fields=service.clean_fields(payload.organisation.model_dump()),
        owner_email=payload.owner_email,
        scopes=payload.scopes,
        payment_methods=payload.payment_methods,
    )
    return FollowerCreated(
        **RelationOut.of(relation, master, follower).model_dump(),
        owner_invitation_id=invitation.public_id if invitation else None,
    )


@router.post(
    FOLLOWERS + "/link",
    status_code=201,
    response_model=RelationOut,
    summary="Ask an existing organisation to follow this one (its owner must accept)",
)
async def link_follower(
    org_id: uuid.UUID, payload: FollowerLink, db: DbSession, principal: Authenticated
) -> RelationOut:
    master = await service.authorized_org(db, principal, org_id, "org.relations")
    relation, follower = await relations.link_follower(
        db,
        principal,
        master,
        payload.follower_id,
        scopes=payload.scopes,
        payment_methods=payload.payment_methods,
    )
    return RelationOut.of(relation, master, follower)


@router.get(FOLLOWERS + "/{follower_id}", response_model=RelationOut, summary="One follower")
async def read_follower(
    org_id: uuid.UUID, follower_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> RelationOut:
    org = await service.authorized_org(db, principal, org_id, "org.read")
    return RelationOut.of(*await relations.of_follower(db, org.id, follower_id))


@router.patch(
    FOLLOWERS + "/{follower_id}",
    response_model=RelationOut,
    summary="Change what the master may do on a follower, and its payment methods",
)
async def update_follower(
    org_id: uuid.UUID,
    follower_id: uuid.UUID,
    payload: RelationUpdate,
    db: DbSession,
    principal: Authenticated,
) -> RelationOut:
    org = await service.authorized_org(db, principal, org_id, "org.relations")
    relation, master, follower = await relations.of_follower(db, org.id, follower_id)
    await relations.update(db, relation, payload.model_dump(exclude_unset=True))
    await db.flush()
    return RelationOut.of(relation, master, follower)


@router.delete(FOLLOWERS + "/{follower_id}", status_code=204, summary="End a follower relation")
async def delete_follower(
    org_id: uuid.UUID, follower_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> Response:
    org = await service.authorized_org(db, principal, org_id, "org.relations")
    relation, _, _ = await relations.of_follower(db, org.id, follower_id)
    await relations.remove(db, relation)
    return Response(status_code=204)


@router.get(MASTER, response_model=RelationOut, summary="This organisation's master, if any")
async def read_master(org_id: uuid.UUID, db: DbSession, principal: Authenticated) -> RelationOut:
    org = await service.authorized_org(db, principal, org_id, "org.read")
    return RelationOut.of(*await relations.master_of(db, org.id))


@router.post(
    MASTER + "/accept",
    response_model=RelationOut,
    summary="Accept the master's proposal (a new link or wider scopes)",
)
async def accept_master(org_id: uuid.UUID, db: DbSession, principal: Authenticated) -> RelationOut:
    org = await service.authorized_org(db, principal, org_id, "org.relations")
    relation, master, follower = await relations.master_of(db, org.id)
    await relations.accept(db, relation)
    await db.flush()
    return RelationOut.of(relation, master, follower)


@router.delete(MASTER, status_code=204, summary="Leave the master (or decline its proposal)")
async def leave_master(org_id: uuid.UUID, db: DbSession, principal: Authenticated) -> Response:
    org = await service.authorized_org(db, principal, org_id, "org.relations")
    relation, _, _ = await relations.master_of(db, org.id)
    await relations.remove(db, relation)
    return Response(status_code=204)
