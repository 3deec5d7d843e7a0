"""Studio routes: guest categories (perks by ticket tier), banners and brand. Anyone who may
see the event reads them (live banners only); hosts (`live.host`) change them."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.deps import DbSession
from livehouse.events.access import readable_event
from livehouse.events.models import Event
from livehouse.identity.auth import Authenticated, MaybeAuthenticated, Principal
from livehouse.live import access, categories, overlays
from livehouse.live.models import Banner, Brand
from livehouse.live.schemas import (
    BannerChange,
    BannerIn,
    BannerOut,
    BrandChange,
    BrandIn,
    BrandOut,
    CategoryChange,
    CategoryIn,
    CategoryOut,
)
from livehouse.live.views import categories_out

router = APIRouter(tags=["live studio"])


# --- guest categories ------------------------------------------------------------------------


@router.get(
    "/v1/events/{event_id}/guest-categories",
    response_model=list[CategoryOut],
    summary="The event's studio guest categories: the perks of each ticket tier",
)
async def list_categories(
    event_id: uuid.UUID, db: DbSession, principal: MaybeAuthenticated
) -> list[CategoryOut]:
    event, _ = await readable_event(db, principal, event_id)
    return await categories_out(db, event, await categories.list_for(db, event))


@router.post("/v1/events/{event_id}/guest-categories", status_code=201, response_model=CategoryOut)
async def create_category(
    event_id: uuid.UUID, payload: CategoryIn, db: DbSession, principal: Authenticated
) -> CategoryOut:
    event = await access.hosted_event(db, principal, event_id)
    category = await categories.create(db, event, payload.model_dump())
    await db.flush()
    return (await categories_out(db, event, [category]))[0]


@router.patch("/v1/events/{event_id}/guest-categories/{category_id}", response_model=CategoryOut)
async def update_category(
    event_id: uuid.UUID,
    category_id: uuid.UUID,
    payload: CategoryChange,
    db: DbSession,
    principal: Authenticated,
) -> CategoryOut:
    event = await access.hosted_event(db, principal, event_id)
    category = await categories.get(db, event, category_id)
    await categories.update(db, event, category, payload.model_dump(exclude_unset=True))
    await db.flush()
    return (await categories_out(db, event, [category]))[0]


@router.delete("/v1/events/{event_id}/guest-categories/{category_id}", status_code=204)
async def delete_category(
    event_id: uuid.UUID, category_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> Response:
    event = await access.hosted_event(db, principal, event_id)
    await categories.delete_category(db, await categories.get(db, event, category_id))
    return Response(status_code=204)


# --- banners ---------------------------------------------------------------------------------


async def _banner_out(db: AsyncSession, event: Event, banner: Banner) -> BannerOut:
    await db.flush()
    media = await overlays.media_of(db, banner.media_id)
    return BannerOut.model_validate(overlays.banner_data(banner, event, media))


async def _viewing(
    db: AsyncSession, principal: Principal | None, event_id: uuid.UUID
) -> tuple[Event, bool]:
    """The event, and whether the caller sees draft banners (its hosts)."""
    event, _ = await readable_event(db, principal, event_id)
    return event, await access.may(db, principal, event.org_id, access.HOST)


@router.get(
    "/v1/events/{event_id}/banners",
    response_model=list[BannerOut],
    summary="The event's banners: live ones (hosts see drafts too)",
)
async def list_banners(
    event_id: uuid.UUID,
    db: DbSession,
    principal: MaybeAuthenticated,
    kind: Annotated[Literal["text", "image", "video"] | None, Query()] = None,
) -> list[BannerOut]:
    event, drafts = await _viewing(db, principal, event_id)
    rows = await overlays.banners(db, event, drafts=drafts, kind=kind)
    return [await _banner_out(db, event, b) for b in rows]


@router.post("/v1/events/{event_id}/banners", status_code=201, response_model=BannerOut)
async def create_banner(
    event_id: uuid.UUID, payload: BannerIn, db: DbSession, principal: Authenticated
) -> BannerOut:
    event = await access.hosted_event(db, principal, event_id)
    banner = await overlays.create_banner(db, event, principal.account_id, payload.model_dump())
    return await _banner_out(db, event, banner)


@router.get("/v1/events/{event_id}/banners/{banner_id}", response_model=BannerOut)
async def get_banner(
    event_id: uuid.UUID, banner_id: uuid.UUID, db: DbSession, principal: MaybeAuthenticated
) -> BannerOut:
    event, drafts = await _viewing(db, principal, event_id)
    banner = await overlays.get_banner(db, event, banner_id, drafts=drafts)
    return await _banner_out(db, event, banner)


@router.patch("/v1/events/{event_id}/banners/{banner_id}", response_model=BannerOut)
async def update_banner(
    event_id: uuid.UUID,
    banner_id: uuid.UUID,
    payload: BannerChange,
    db: DbSession,
    principal: Authenticated,
) -> BannerOut:
    event = await access.hosted_event(db, principal, event_id)
    banner = await overlays.get_banner(db, event, banner_id, drafts=True)
    await overlays.update_banner(db, event, banner, payload.model_dump(exclude_unset=True))
    return await _banner_out(db, event, banner)


@router.delete("/v1/events/{event_id}/banners/{banner_id}", status_code=204)
async def delete_banner(
    event_id: uuid.UUID, banner_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> Response:
    event = await access.hosted_event(db, principal, event_id)
    banner = await overlays.get_banner(db, event, banner_id, drafts=True)
    await overlays.delete_banner(db, event, banner)
    return Response(status_code=204)


# --- brand -----------------------------------------------------------------------------------


async def _brand_out(db: AsyncSession, event: Event, brand: Brand) -> BrandOut:
    await db.flush()
    logo = await overlays.media_of(db, brand.logo_media_id)
    return BrandOut.model_validate(overlays.brand_data(brand, event, logo))


@router.get("/v1/events/{event_id}/brand", response_model=BrandOut)
async def get_brand(event_id: uuid.UUID, db: DbSession, principal: MaybeAuthenticated) -> BrandOut:
    event, _ = await readable_event(db, principal, event_id)
    brand = await overlays.brand_of(db, event)
    if brand is None:
        raise access.not_found("brand for this event")
    return await _brand_out(db, event, brand)


@router.put(
    "/v1/events/{event_id}/brand",
    response_model=BrandOut,
    responses={201: {"model": BrandOut, "description": "Created"}},
    summary="Set the event's brand (create or replace)",
)
async def put_brand(
    event_id: uuid.UUID,
    payload: BrandIn,
    db: DbSession,
    principal: Authenticated,
    response: Response,
) -> BrandOut:
    event = await access.hosted_event(db, principal, event_id)
    brand, created = await overlays.put_brand(
        db, event, principal.account_id, payload.model_dump(exclude_unset=True), partial=False
    )
    response.status_code = 201 if created else 200
    return await _brand_out(db, event, brand)


@router.patch("/v1/events/{event_id}/brand", response_model=BrandOut)
async def change_brand(
    event_id: uuid.UUID, payload: BrandChange, db: DbSession, principal: Authenticated
) -> BrandOut:
    event = await access.hosted_event(db, principal, event_id)
    brand, _ = await overlays.put_brand(
        db, event, principal.account_id, payload.model_dump(exclude_unset=True), partial=True
    )
    return await _brand_out(db, event, brand)


@router.delete("/v1/events/{event_id}/brand", status_code=204)
async def delete_brand(event_id: uuid.UUID, db: DbSession, principal: Authenticated) -> Response:
    event = await access.hosted_event(db, principal, event_id)
    await overlays.delete_brand(db, event)
    return Response(status_code=204)
