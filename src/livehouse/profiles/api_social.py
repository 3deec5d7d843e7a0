"""Follows, mutes and contact: the routes (rules in social.py)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from livehouse.core.deps import DbSession
from livehouse.core.pagination import Page, PageParams, page_params
from livehouse.core.schemas import Message
from livehouse.identity.auth import MaybeAuthenticated, Principal, user_scoped
from livehouse.identity.service import signed_in_account
from livehouse.profiles import service, social, views
from livehouse.profiles.models import Connection
from livehouse.profiles.schemas import ConnectionOut, ContactIn, MuteIn

router = APIRouter(tags=["follows, mutes and contact"])
Social = Annotated[Principal, Depends(user_scoped("profile.social"))]
Reader = Annotated[Principal, Depends(user_scoped("profile.read"))]
Pages = Annotated[PageParams, Depends(page_params)]


def _viewer(principal: Principal | None) -> int | None:
    return principal.account_id if principal is not None and principal.is_user else None


async def _one(db: DbSession, row: Connection, created: bool, response: Response) -> ConnectionOut:
    response.status_code = 201 if created else 200
    (item,) = await views.connections(db, [row], show="target")
    return item


async def _page(db: DbSession, rows: list[Connection], cursor: str | None, show: str):
    return Page(items=await views.connections(db, rows, show=show), next_cursor=cursor)


@router.post(
    "/v1/users/{account_id}/follow",
    response_model=ConnectionOut,
    summary="Follow a person (idempotent; 201 the first time)",
    responses={201: {"description": "Now following"}},
)
async def follow_user(
    account_id: uuid.UUID, response: Response, db: DbSession, principal: Social
) -> ConnectionOut:
    target = await social.user_target(db, account_id)
    row, created = await social.follow(db, await signed_in_account(db, principal), target)
    return await _one(db, row, created, response)


@router.delete("/v1/users/{account_id}/follow", status_code=204, summary="Stop following a person")
async def unfollow_user(account_id: uuid.UUID, db: DbSession, principal: Social) -> Response:
    await social.unfollow(db, principal.account_id or 0, await social.user_target(db, account_id))
    return Response(status_code=204)


@router.get(
    "/v1/users/{account_id}/following",
    response_model=Page[ConnectionOut],
    summary="The people and organisations a person follows (if they show it)",
)
async def user_following(
    account_id: uuid.UUID, db: DbSession, principal: MaybeAuthenticated, page: Pages
) -> Page[ConnectionOut]:
    account = await service.active_account(db, account_id)
    rows, cursor = await social.following(db, _viewer(principal), account.id, page)
    return await _page(db, rows, cursor, "target")


@router.get(
    "/v1/users/{account_id}/followed-by",
    response_model=Page[ConnectionOut],
    summary="Who follows a person (if they show it)",
)
async def user_followers(
    account_id: uuid.UUID, db: DbSession, principal: MaybeAuthenticated, page: Pages
) -> Page[ConnectionOut]:
    target = await social.user_target(db, account_id)
    rows, cursor = await social.followers(db, _viewer(principal), target, page)
    return await _page(db, rows, cursor, "source")


@router.post(
    "/v1/orgs/{org_id}/follow",
    response_model=ConnectionOut,
    summary="Follow an organisation (idempotent; 201 the first time)",
    responses={201: {"description": "Now following"}},
)
async def follow_org(
    org_id: uuid.UUID, response: Response, db: DbSession, principal: Social
) -> ConnectionOut:
    target = await social.org_target(db, org_id)
    row, created = await social.follow(db, await signed_in_account(db, principal), target)
    return await _one(db, row, created, response)


@router.delete(
    "/v1/orgs/{org_id}/follow", status_code=204, summary="Stop following an organisation"
)
async def unfollow_org(org_id: uuid.UUID, db: DbSession, principal: Social) -> Response:
    await social.unfollow(db, principal.account_id or 0, await social.org_target(db, org_id))
    return Response(status_code=204)


@router.get(
    "/v1/orgs/{org_id}/followed-by",
    response_model=Page[ConnectionOut],
    summary="Who follows an organisation (unless its profile is locked)",
)
async def org_followers(
    org_id: uuid.UUID, db: DbSession, principal: MaybeAuthenticated, page: Pages
) -> Page[ConnectionOut]:
    target = await social.org_target(db, org_id)
    rows, cursor = await social.followers(db, _viewer(principal), target, page)
    return await _page(db, rows, cursor, "source")


@router.post(
    "/v1/users/{account_id}/contact",
    status_code=202,
    response_model=Message,
    summary="Send a person a message (relayed by e-mail; rate limited)",
)
async def contact_user(
    account_id: uuid.UUID, payload: ContactIn, db: DbSession, principal: Social
) -> Message:
    target = await social.user_target(db, account_id)
    await social.contact_user(
        db, await signed_in_account(db, principal), target, payload.subject, payload.message
    )
    return Message(message="Your message is on its way")


@router.post(
    "/v1/orgs/{org_id}/contact",
    status_code=202,
    response_model=Message,
    summary="Send an organisation a message (relayed by e-mail; rate limited)",
)
async def contact_org(
    org_id: uuid.UUID, payload: ContactIn, db: DbSession, principal: Social
) -> Message:
    target = await social.org_target(db, org_id)
    await social.contact_org(
        db, await signed_in_account(db, principal), target, payload.subject, payload.message
    )
    return Message(message="Your message is on its way")


@router.get("/v1/me/mutes", response_model=Page[ConnectionOut], summary="Whom I muted")
async def my_mutes(db: DbSession, principal: Reader, page: Pages) -> Page[ConnectionOut]:
    rows, cursor = await social.mutes(db, principal.account_id or 0, page)
    return await _page(db, rows, cursor, "target")


@router.post(
    "/v1/me/mutes",
    response_model=ConnectionOut,
    summary="Mute a person or an organisation (idempotent; 201 the first time)",
    responses={201: {"description": "Muted"}},
)
async def mute(
    payload: MuteIn, response: Response, db: DbSession, principal: Social
) -> ConnectionOut:
    target = await social.any_target(db, payload.target_id)
    row, created = await social.mute(db, principal.account_id or 0, target)
    return await _one(db, row, created, response)


@router.delete("/v1/me/mutes/{target_id}", status_code=204, summary="Unmute")
async def unmute(target_id: uuid.UUID, db: DbSession, principal: Social) -> Response:
    await social.unmute(db, principal.account_id or 0, await social.any_target(db, target_id))
    return Response(status_code=204)
