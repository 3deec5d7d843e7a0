"""Profiles' native routes: my profile, people, search and performer pages. The social, the
catalogue and the device routes are in api_social.py, api_catalogue.py and api_devices.py."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from livehouse.core.deps import DbSession
from livehouse.core.pagination import Page, PageParams, page_params
from livehouse.core.ratelimit import rate_limit
from livehouse.identity.auth import Authenticated, MaybeAuthenticated, Principal, user_scoped
from livehouse.identity.service import signed_in_account
from livehouse.profiles import api_catalogue, api_devices, api_social, performers, service, views
from livehouse.profiles.schemas import (
    MyProfileOut,
    PerformerIn,
    PerformerOut,
    PerformerUpdate,
    ProfileUpdate,
    PublicProfileOut,
    UserSummary,
)

router = APIRouter(tags=["profiles"])
Reader = Annotated[Principal, Depends(user_scoped("profile.read"))]
Writer = Annotated[Principal, Depends(user_scoped("profile.write"))]


def viewer(principal: Principal | None) -> int | None:
    return principal.account_id if principal is not None and principal.is_user else None


@router.get("/v1/me/profile", response_model=MyProfileOut, summary="My profile, in full")
async def read_my_profile(db: DbSession, principal: Reader) -> MyProfileOut:
    return await views.my_profile(db, await signed_in_account(db, principal))


@router.patch(
    "/v1/me/profile",
    response_model=MyProfileOut,
    summary="Change my profile, privacy settings and message preferences",
)
async def update_my_profile(
    payload: ProfileUpdate, db: DbSession, principal: Writer
) -> MyProfileOut:
    account = await signed_in_account(db, principal)
    await service.update_profile(db, account, payload.model_dump(exclude_unset=True))
    return await views.my_profile(db, account)


@router.get(
    "/v1/users",
    response_model=Page[UserSummary],
    summary="Find people by name, username or stage name, category and role",
)
async def search_users(
    db: DbSession,
    principal: Authenticated,
    page: Annotated[PageParams, Depends(page_params)],
    q: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    category: Annotated[str | None, Query(max_length=100, description="Id or slug")] = None,
    role: Annotated[Literal["client", "performer"] | None, Query()] = None,
) -> Page[UserSummary]:
    items, next_cursor = await views.search(
        db, viewer(principal), page, text=q, category=category, role=role
    )
    return Page(items=items, next_cursor=next_cursor)


@router.get(
    "/v1/users/{account_id}",
    response_model=PublicProfileOut,
    summary="A person's public profile (their privacy settings apply)",
)
async def read_user(
    account_id: uuid.UUID, db: DbSession, principal: MaybeAuthenticated
) -> PublicProfileOut:
    account = await service.active_account(db, account_id)
    return await views.public_profile(db, account, viewer(principal))


# ---- performer pages -------------------------------------------------------------------------


@router.get("/v1/me/performer", response_model=PerformerOut, summary="My performer page")
async def read_my_performer(db: DbSession, principal: Reader) -> PerformerOut:
    performer = await performers.mine(db, principal.account_id or 0)
    return await views.performer_page(db, performer, principal.account_id)


@router.put(
    "/v1/me/performer",
    response_model=PerformerOut,
    summary="Create or replace my performer page (I become a performer)",
    responses={201: {"description": "Created"}},
)
async def put_my_performer(
    payload: PerformerIn, response: Response, db: DbSession, principal: Writer
) -> PerformerOut:
    assert principal.account_id is not None
    changes = payload.model_dump(exclude_unset=True)
    changes["active"] = True
    performer, created = await performers.save(db, principal.account_id, changes, replace=True)
    response.status_code = 201 if created else 200
    return await views.performer_page(db, performer, principal.account_id)


@router.patch(
    "/v1/me/performer",
    response_model=PerformerOut,
    summary="Change my performer page (`active: false` makes me a client again)",
)
async def patch_my_performer(
    payload: PerformerUpdate, db: DbSession, principal: Writer
) -> PerformerOut:
    assert principal.account_id is not None
    await performers.mine(db, principal.account_id)
    changes = payload.model_dump(exclude_unset=True)
    performer, _ = await performers.save(db, principal.account_id, changes, replace=False)
    return await views.performer_page(db, performer, principal.account_id)


@router.post(
    "/v1/me/performer/invite-code",
    response_model=PerformerOut,
    summary="Replace my invite code (the old one stops working)",
)
async def replace_invite_code(db: DbSession, principal: Writer) -> PerformerOut:
    performer = await performers.new_code(db, await performers.mine(db, principal.account_id or 0))
    return await views.performer_page(db, performer, principal.account_id)


@router.get(
    "/v1/performers/by-invite/{code}",
    response_model=PerformerOut,
    summary="The performer an invite code belongs to",
    dependencies=[Depends(rate_limit("30/minute", "invite-lookup"))],
)
async def performer_by_invite(
    code: Annotated[str, Path(pattern=r"^[A-Za-z0-9]{8}$", description="8 letters or digits")],
    db: DbSession,
    principal: MaybeAuthenticated,
) -> PerformerOut:
    performer = await performers.by_invite(db, code)
    return await views.performer_page(db, performer, viewer(principal))


@router.get("/v1/performers/{account_id}", response_model=PerformerOut, summary="A performer page")
async def read_performer(
    account_id: uuid.UUID, db: DbSession, principal: MaybeAuthenticated
) -> PerformerOut:
    account = await service.active_account(db, account_id)
    performer = await performers.active_of(db, account.id)
    return await views.performer_page(db, performer, viewer(principal))


router.include_router(api_social.router)
router.include_router(api_catalogue.router)
router.include_router(api_devices.router)
