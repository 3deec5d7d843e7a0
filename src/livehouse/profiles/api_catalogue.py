"""Categories and tags: the routes (rules in catalogue.py)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from livehouse.core.deps import DbSession
from livehouse.identity.auth import Authenticated, User
from livehouse.orgs.service import authorized_org, get_org
from livehouse.profiles import catalogue
from livehouse.profiles.schemas import CategoryIn, CategoryOut, CategoryUpdate, TagIn, TagOut

router = APIRouter(tags=["categories and tags"])


def _tag(tag: object) -> TagOut:
    return TagOut(id=tag.public_id, name=tag.name, slug=tag.slug)  # type: ignore[attr-defined]


@router.get("/v1/categories", response_model=list[CategoryOut], summary="Every category")
async def list_categories(db: DbSession) -> list[CategoryOut]:
    return [CategoryOut.of(c) for c in await catalogue.list_categories(db)]


@router.post(
    "/v1/categories",
    status_code=201,
    response_model=CategoryOut,
    summary="Add a category (platform administrators)",
)
async def create_category(payload: CategoryIn, db: DbSession, principal: User) -> CategoryOut:
    await catalogue.require_platform_admin(db, principal)
    return CategoryOut.of(await catalogue.create_category(db, payload.name, payload.slug))


@router.patch(
    "/v1/categories/{category_id}",
    response_model=CategoryOut,
    summary="Rename a category (platform administrators)",
)
async def update_category(
    category_id: uuid.UUID, payload: CategoryUpdate, db: DbSession, principal: User
) -> CategoryOut:
    await catalogue.require_platform_admin(db, principal)
    category = await catalogue.get_category(db, category_id)
    return CategoryOut.of(await catalogue.update_category(db, category, payload.name, payload.slug))


@router.delete(
    "/v1/categories/{category_id}",
    status_code=204,
    summary="Remove a category (platform administrators)",
)
async def delete_category(category_id: uuid.UUID, db: DbSession, principal: User) -> Response:
    await catalogue.require_platform_admin(db, principal)
    await catalogue.delete_category(db, await catalogue.get_category(db, category_id))
    return Response(status_code=204)


Search = Annotated[str | None, Query(max_length=50, description="Part of a tag's name")]


@router.get("/v1/tags", response_model=list[TagOut], summary="Platform-wide tags")
async def list_tags(db: DbSession, q: Search = None) -> list[TagOut]:
    return [_tag(t) for t in await catalogue.list_tags(db, None, q)]


@router.post(
    "/v1/tags",
    status_code=201,
    response_model=TagOut,
    summary="Add a platform-wide tag (platform administrators)",
)
async def create_tag(payload: TagIn, db: DbSession, principal: User) -> TagOut:
    await catalogue.require_platform_admin(db, principal)
    return _tag(await catalogue.create_tag(db, None, payload.name))


@router.delete(
    "/v1/tags/{tag_id}",
    status_code=204,
    summary="Remove a platform-wide tag (platform administrators)",
)
async def delete_tag(tag_id: uuid.UUID, db: DbSession, principal: User) -> Response:
    await catalogue.require_platform_admin(db, principal)
    await catalogue.delete_tag(db, await catalogue.get_tag(db, None, tag_id))
    return Response(status_code=204)


@router.get("/v1/orgs/{org_id}/tags", response_model=list[TagOut], summary="An organisation's tags")
async def list_org_tags(org_id: uuid.UUID, db: DbSession, q: Search = None) -> list[TagOut]:
    org = await get_org(db, org_id)
    return [_tag(t) for t in await catalogue.list_tags(db, org.id, q)]


@router.post(
    "/v1/orgs/{org_id}/tags",
    status_code=201,
    response_model=TagOut,
    summary="Add a tag to an organisation's own",
)
async def create_org_tag(
    org_id: uuid.UUID, payload: TagIn, db: DbSession, principal: Authenticated
) -> TagOut:
    org = await authorized_org(db, principal, org_id, "tag.write")
    return _tag(await catalogue.create_tag(db, org.id, payload.name))


@router.delete(
    "/v1/orgs/{org_id}/tags/{tag_id}", status_code=204, summary="Remove an organisation's tag"
)
async def delete_org_tag(
    org_id: uuid.UUID, tag_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> Response:
    org = await authorized_org(db, principal, org_id, "tag.write")
    await catalogue.delete_tag(db, await catalogue.get_tag(db, org.id, tag_id))
    return Response(status_code=204)
